/** CloudWatch (AWS JSON 1.0) through the real @aws-sdk/client-cloudwatch against the local endpoint. */
import {
  GetMetricDataCommand,
  InvalidParameterValueException,
  ListMetricsCommand,
  type MetricDataQuery,
  PutMetricDataCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { type AwsEndpoint, startAwsEndpoint } from "./endpoint.ts";
import { localClients } from "./test-support/clients.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const dims = { FunctionName: "crud", Resource: "crud:bench", ExecutedVersion: "3" };
const metrics = new MetricStore();
let lambda: LocalLambda;
let endpoint: AwsEndpoint;
let clients: ReturnType<typeof localClients>;

beforeAll(async () => {
  // Duration 1..200 ms over 20 s (10 per second), as the Lambda emulator would put them; Invocations alongside.
  for (let i = 1; i <= 200; i++) {
    const timestampMs = T0 + (i - 1) * 100;
    metrics.put({
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions: dims,
      value: i,
      unit: "Milliseconds",
      timestampMs,
    });
    metrics.put({
      namespace: "AWS/Lambda",
      metricName: "Invocations",
      dimensions: dims,
      value: 1,
      unit: "Count",
      timestampMs,
    });
  }
  lambda = new LocalLambda({ metricSink: new MetricStore(), logSink: new LogStore(), cpuScaling: "off" });
  endpoint = await startAwsEndpoint({ lambda, metrics, logs: new LogStore() });
  clients = localClients(endpoint.url);
});
afterAll(async () => {
  clients.destroy();
  await endpoint.close();
  await lambda.close();
});

function stat(
  id: string,
  metricName: string,
  s: string,
  periodS: number,
  dimensions: Record<string, string> = dims,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: "AWS/Lambda",
        MetricName: metricName,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodS,
      Stat: s,
    },
  };
}

describe("GetMetricData", () => {
  it("answers Sum, Average, Minimum, Maximum, SampleCount and percentiles over one period", async () => {
    const out = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 20_000),
        MetricDataQueries: [
          stat("inv", "Invocations", "Sum", 20),
          stat("avg", "Duration", "Average", 20),
          stat("min", "Duration", "Minimum", 20),
          stat("max", "Duration", "Maximum", 20),
          stat("n", "Duration", "SampleCount", 20),
          stat("p50", "Duration", "p50", 20),
          stat("p90", "Duration", "p90", 20),
          stat("p99", "Duration", "p99", 20),
          stat("p999", "Duration", "p99.9", 20),
        ],
      }),
    );
    const byId = Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id, r.Values]));
    expect(byId).toEqual({
      inv: [200],
      avg: [100.5],
      min: [1],
      max: [200],
      n: [200],
      p50: [100],
      p90: [180],
      p99: [198],
      p999: [200],
    });
    const first = out.MetricDataResults?.[0];
    expect(first?.StatusCode).toBe("Complete");
    expect(first?.Label).toBe("Invocations");
    expect(first?.Timestamps).toEqual([new Date(T0)]);
  });

  it("returns one data point per period, newest first by default and oldest first with ScanBy", async () => {
    const query = {
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 20_000),
      MetricDataQueries: [stat("s", "Invocations", "Sum", 5)],
    };
    const desc = await clients.cloudwatch.send(new GetMetricDataCommand(query));
    expect(desc.MetricDataResults?.[0]?.Timestamps).toEqual(
      [15, 10, 5, 0].map((s) => new Date(T0 + s * 1000)),
    );
    expect(desc.MetricDataResults?.[0]?.Values).toEqual([50, 50, 50, 50]);
    const asc = await clients.cloudwatch.send(
      new GetMetricDataCommand({ ...query, ScanBy: "TimestampAscending" }),
    );
    expect(asc.MetricDataResults?.[0]?.Timestamps?.[0]).toEqual(new Date(T0));
    const p99 = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        ...query,
        MetricDataQueries: [stat("p", "Duration", "p99", 10)],
        ScanBy: "TimestampAscending",
      }),
    );
    expect(p99.MetricDataResults?.[0]?.Values).toEqual([99, 199]);
  });

  it("matches dimensions exactly and leaves out queries with ReturnData false", async () => {
    const out = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 20_000),
        MetricDataQueries: [
          stat("fnonly", "Invocations", "Sum", 20, { FunctionName: "crud" }),
          { ...stat("hidden", "Invocations", "Sum", 20), ReturnData: false },
        ],
      }),
    );
    expect(out.MetricDataResults?.map((r) => [r.Id, r.Values])).toEqual([["fnonly", []]]);
  });

  it("rejects an unsupported statistic with InvalidParameterValueException", async () => {
    const error = await clients.cloudwatch
      .send(
        new GetMetricDataCommand({
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 20_000),
          MetricDataQueries: [stat("q", "Duration", "tm99", 20)],
        }),
      )
      .catch((e) => e);
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect((error as Error).message).toMatch(/unsupported Stat "tm99"/);
    expect((error as InvalidParameterValueException).$metadata.httpStatusCode).toBe(400);
  });
});

describe("PutMetricData and ListMetrics", () => {
  it("stores data sent by the SDK, including a gzip-compressed large body", async () => {
    const dimensions = [
      { Name: "ApiName", Value: "crud-api" },
      { Name: "Stage", Value: "prod" },
    ];
    // 1,000 values of ~12 characters: over the client's 10 KB threshold, so the SDK gzips the body.
    const values = Array.from({ length: 1000 }, (_, i) => i + 1 + 0.123456789);
    let contentEncoding: unknown;
    clients.cloudwatch.middlewareStack.add(
      (next) => async (args) => {
        contentEncoding = (args.request as { headers?: Record<string, string> }).headers?.[
          "content-encoding"
        ];
        return next(args);
      },
      { step: "finalizeRequest", name: "observeContentEncoding" },
    );
    await clients.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: "Custom/Test",
        MetricData: [
          {
            MetricName: "Latency",
            Dimensions: dimensions,
            Timestamp: new Date(T0),
            Values: values,
            Counts: values.map(() => 1),
            Unit: "Milliseconds",
          },
          { MetricName: "Count", Dimensions: dimensions, Timestamp: new Date(T0), Value: 7, Unit: "Count" },
        ],
      }),
    );
    clients.cloudwatch.middlewareStack.remove("observeContentEncoding");
    expect(contentEncoding).toBe("gzip");
    const out = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 60_000),
        MetricDataQueries: ["SampleCount", "Sum", "p50"].map((s, i) => ({
          Id: `q${i}`,
          MetricStat: {
            Metric: { Namespace: "Custom/Test", MetricName: "Latency", Dimensions: dimensions },
            Period: 60,
            Stat: s,
          },
        })),
      }),
    );
    const [count, sum, p50] = out.MetricDataResults?.map((r) => r.Values?.[0]) ?? [];
    expect(count).toBe(1000);
    expect(sum).toBeCloseTo(500_500 + 123.456789, 6);
    expect(p50).toBe(500.123456789);
    const listed = await clients.cloudwatch.send(
      new ListMetricsCommand({ Namespace: "Custom/Test", Dimensions: [{ Name: "Stage", Value: "prod" }] }),
    );
    expect(listed.Metrics?.map((m) => m.MetricName).sort()).toEqual(["Count", "Latency"]);
    const lambdaMetrics = await clients.cloudwatch.send(new ListMetricsCommand({ Namespace: "AWS/Lambda" }));
    expect(lambdaMetrics.Metrics).toHaveLength(2);
  });
});
