/**
 * The AWS/ApiGateway metrics a REST API stage publishes per request, with the ApiName and Stage dimensions.
 */
import type { MetricSink } from "../contracts.ts";

export interface RequestMetrics {
  statusCode: number;
  /** From the request's arrival to the response's last byte handed to the socket. */
  latencyMs: number;
  /** Time spent in the integration call; absent when the request never reached it (e.g. no route). */
  integrationLatencyMs?: number;
  timestampMs: number;
}

/** Writes Count, 4XXError, 5XXError, Latency and (when the integration ran) IntegrationLatency. */
export function recordRequestMetrics(
  sink: MetricSink,
  dimensions: { ApiName: string; Stage: string },
  metrics: RequestMetrics,
): void {
  const put = (metricName: string, value: number, unit: string) =>
    sink.put({
      namespace: "AWS/ApiGateway",
      metricName,
      dimensions,
      value,
      unit,
      timestampMs: metrics.timestampMs,
    });
  put("Count", 1, "Count");
  put("4XXError", metrics.statusCode >= 400 && metrics.statusCode < 500 ? 1 : 0, "Count");
  put("5XXError", metrics.statusCode >= 500 ? 1 : 0, "Count");
  put("Latency", metrics.latencyMs, "Milliseconds");
  if (metrics.integrationLatencyMs !== undefined)
    put("IntegrationLatency", metrics.integrationLatencyMs, "Milliseconds");
}
