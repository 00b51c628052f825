import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { LambdaMetrics, LogFindings } from "../adapters/collect.ts";
import { parseReportLines, parseRequestLogLine, type RequestLogEntry } from "../adapters/report-lines.ts";
import { classifyFailures, dynamoDbMeasurements, lambdaMeasurements } from "./measurements.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../shared/fixtures/lambda-logs/${name}`, import.meta.url), "utf8");

const metrics: LambdaMetrics = {
  invocations: 2,
  errors: 0,
  throttles: 0,
  maxConcurrentExecutions: 1,
  durationMs: { avg: 204.17, p50: 12.34, p90: 395.99, p99: 395.99, max: 395.99 },
};

function findings(reportText: string, extra: Partial<LogFindings> = {}): LogFindings {
  return {
    reports: parseReportLines(reportText),
    requests: [],
    timeouts: 0,
    outOfMemory: 0,
    runtimeExits: 0,
    ...extra,
  };
}

describe("lambdaMeasurements", () => {
  it("takes billing from REPORT lines as written and counts cold starts by Init Duration", () => {
    // Prepare: one cold start billed with INIT (662 = ceil(395.99 + 265.72)) and one warm invocation.
    const logs = findings(`${fixture("report-cold.txt")}\n${fixture("report-warm.txt")}`);
    // Act
    const m = lambdaMeasurements(metrics, logs);
    // Assess
    expect(m.reportCount).toBe(2);
    expect(m.billedDurationMs).toEqual({ mean: (662 + 13) / 2, total: 675 });
    expect(m.coldStarts).toBe(1);
    expect(m.initDurationMs).toEqual({ mean: 265.72, max: 265.72 });
    expect(m.maxMemoryUsedMb).toBe(93);
    expect(m.warmup).toBeUndefined();
  });

  it("reads the 2019 format as written: billed 500 for 469.40 + 100.99, never re-derived", () => {
    const m = lambdaMeasurements(metrics, findings(fixture("report-cold-2019.txt")));
    expect(m.billedDurationMs.total).toBe(500);
  });

  it("keeps the warm-up's cold starts apart from the measured window's", () => {
    const m = lambdaMeasurements(
      metrics,
      findings(fixture("report-warm.txt")),
      undefined,
      findings(fixture("report-cold.txt")),
    );
    expect(m.coldStarts).toBe(0);
    expect(m.warmup).toEqual({ invocations: 1, coldStarts: 1 });
    expect(m.initDurationMs?.mean).toBe(265.72);
  });

  it("reads the JSON log format's platform.report records", () => {
    const m = lambdaMeasurements(metrics, findings(fixture("report-json.jsonl")));
    expect(m.reportCount).toBeGreaterThan(0);
    expect(m.billedDurationMs.mean).toBeGreaterThan(0);
  });
});

describe("dynamoDbMeasurements", () => {
  it("sums the capacity the service logged per request", () => {
    const lines = [
      '{"level":"info","msg":"request","requestId":"a","route":"GET /items/{id}","status":200,"durationMs":3,"consumedRcu":0.5,"consumedWcu":0}',
      '{"level":"info","msg":"request","requestId":"b","route":"POST /items","status":201,"durationMs":4,"consumedRcu":0,"consumedWcu":1}',
    ];
    const requests = lines.map((l) => parseRequestLogLine(l)).filter((r): r is RequestLogEntry => r !== null);
    expect(dynamoDbMeasurements(findings("", { requests }))).toEqual({
      readRequestUnits: 0.5,
      writeRequestUnits: 1,
      requests: 2,
      failedConditionalWrites: 0,
      requestsWithCapacity: 2,
    });
  });

  it("counts failed conditional writes: POST 409 and PUT/PATCH 404 that logged no units; not reads or deletes", () => {
    const line = (route: string, status: number, wcu = 0) =>
      `{"level":"info","msg":"request","requestId":"x","route":"${route}","status":${status},"durationMs":3,"consumedRcu":0,"consumedWcu":${wcu}}`;
    const lines = [
      line("POST /items", 409),
      line("PUT /items/{id}", 404),
      line("PATCH /items/{id}", 404),
      line("GET /items/{id}", 404),
      // A delete of a missing item is unconditional: DynamoDB reports its unit, the service logs it.
      line("DELETE /items/{id}", 404, 1),
      line("POST /items", 201, 1),
    ];
    const requests = lines.map((l) => parseRequestLogLine(l)).filter((r): r is RequestLogEntry => r !== null);
    expect(dynamoDbMeasurements(findings("", { requests }))).toMatchObject({
      writeRequestUnits: 2,
      failedConditionalWrites: 3,
    });
  });
});

describe("classifyFailures", () => {
  const client = { errorRate: 0 } as Parameters<typeof classifyFailures>[0];

  it("out of memory, timeouts and an error rate over the maximum each fail a setting", () => {
    const logs = findings("", { outOfMemory: 2, timeouts: 1 });
    const kinds = classifyFailures({ ...client, errorRate: 0.2 } as typeof client, logs, 0.01).map(
      (f) => f.kind,
    );
    expect(kinds).toEqual(["oom", "timeout", "error-rate"]);
  });

  it("a clean window has no failure", () => {
    expect(classifyFailures(client, findings(""), 0.01)).toEqual([]);
  });
});
