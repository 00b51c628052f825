/**
 * The AWS/ApiGateway metrics an API stage publishes per request: a REST API with the ApiName and Stage
 * dimensions and 4XXError/5XXError, an HTTP API with ApiId and Stage and 4xx/5xx (the names AWS publishes).
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

/** Which API publishes: the dimensions and the error metrics' names follow its type. */
export type ApiMetricsIdentity =
  | { apiType: "REST"; dimensions: { ApiName: string; Stage: string } }
  | { apiType: "HTTP"; dimensions: { ApiId: string; Stage: string } };

/** Writes Count, 4XXError/4xx, 5XXError/5xx, Latency and (when the integration ran) IntegrationLatency. */
export function recordRequestMetrics(
  sink: MetricSink,
  api: ApiMetricsIdentity,
  metrics: RequestMetrics,
): void {
  const { dimensions } = api;
  const [e4, e5] = api.apiType === "HTTP" ? ["4xx", "5xx"] : ["4XXError", "5XXError"];
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
  put(e4, metrics.statusCode >= 400 && metrics.statusCode < 500 ? 1 : 0, "Count");
  put(e5, metrics.statusCode >= 500 ? 1 : 0, "Count");
  put("Latency", metrics.latencyMs, "Milliseconds");
  if (metrics.integrationLatencyMs !== undefined)
    put("IntegrationLatency", metrics.integrationLatencyMs, "Milliseconds");
}
