/**
 * assessSetting with exact attribution (pure): REPORT lines and request log lines of exactly the measured
 * invocations, CloudWatch as a cross-check, the whole bill (logs, failed writes, INIT at a rate) and the
 * bootstrap over invocations with everything each one cost.
 */
import { describe, expect, it } from "vitest";
import type { RunResult } from "../../loadtests/run-result.ts";
import type { LambdaMetrics } from "../adapters/collect.ts";
import type { InvocationLogs } from "../adapters/collect-invocations.ts";
import { parseReportLine, parseRequestLogLine, type RequestLogEntry } from "../adapters/report-lines.ts";
import { missingRequestIdHeader } from "../sweep.ts";
import { assessSetting, DEFAULT_COLD_START_RATE, warmBilledMs } from "./assess.ts";
import { computeCost } from "./cost-model.ts";

const latency = (p99Ms: number) => ({
  count: 4,
  minMs: 5,
  meanMs: 10,
  p50Ms: 9,
  p90Ms: 12,
  p95Ms: 14,
  p99Ms,
  p999Ms: p99Ms,
  maxMs: p99Ms,
});

function run(requests: number, p99Ms: number, ids: string[]): RunResult {
  return {
    schemaVersion: 1,
    engine: { name: "builtin", version: "1.0.0" },
    profile: "baseline",
    target: "http://127.0.0.1:1/prod",
    startedAt: "2026-12-06T00:00:00.000Z",
    endedAt: "2026-12-06T00:00:01.000Z",
    durationMs: 1000,
    targetRatePerSec: 4,
    achievedRatePerSec: 4,
    iterations: { started: requests, completed: requests, dropped: 0 },
    overall: {
      requests,
      latency: latency(p99Ms),
      statusCounts: { "200": requests },
      errors: {},
      errorCount: 0,
      errorRate: 0,
    },
    operations: {},
    timeline: [],
    thresholds: [],
    thresholdsPassed: true,
    aborted: false,
    lambdaRequestIds: ids,
    responsesWithoutLambdaRequestId: 0,
  };
}

const report = (id: string, durationMs: number, billedMs: number, init?: number) =>
  parseReportLine(
    `REPORT RequestId: ${id}\tDuration: ${durationMs} ms\tBilled Duration: ${billedMs} ms\tMemory Size: 512 MB\tMax Memory Used: 80 MB${init === undefined ? "" : `\tInit Duration: ${init} ms`}`,
  );
const line = (id: string, route: string, status: number, rcu: number, wcu: number) =>
  parseRequestLogLine(
    `{"level":"info","msg":"request","requestId":"${id}","route":"${route}","status":${status},"durationMs":3,"consumedRcu":${rcu},"consumedWcu":${wcu}}`,
  ) as RequestLogEntry;

const reports = [
  report("a", 9.5, 10),
  report("b", 19.2, 20),
  report("c", 29.9, 30),
  report("d", 4.1, 405, 400.2),
];
const logs: InvocationLogs = {
  reports: reports.filter((r) => r !== null),
  requests: [
    line("a", "GET /items/{id}", 200, 0.5, 0),
    line("b", "POST /items", 201, 0, 1),
    line("c", "PUT /items/{id}", 404, 0, 0),
    line("d", "GET /items", 200, 2, 0),
  ],
  timeouts: 0,
  outOfMemory: 0,
  runtimeExits: 0,
  logBytes: 2000,
  bytesByRequestId: new Map([
    ["a", 500],
    ["b", 500],
    ["c", 400],
    ["d", 600],
  ]),
  invocationsFound: 4,
  unattributed: { events: 1, bytes: 80 },
  window: { measuredReports: 4, allReports: 4 },
};
const metrics: LambdaMetrics = {
  invocations: 4,
  errors: 0,
  throttles: 0,
  maxConcurrentExecutions: 1,
  durationMs: { avg: 1, p50: 1, p90: 1, p99: 1, max: 1 },
};
const setting = { id: "x86_64-512", memoryMb: 512, architecture: "x86_64" as const };
const options = { region: "us-east-1", apiType: "REST" as const, maxErrorRate: 0.01, discardTopBottom: 0 };

describe("assessSetting with exact attribution", () => {
  it("prices exactly the measured invocations with every component, INIT at the given rate", () => {
    const result = assessSetting(
      {
        setting,
        window: { startMs: 0, endMs: 1000 },
        run: run(4, 40, ["a", "b", "c", "d"]),
        metrics,
        logs,
        attribution: "request-ids",
        failures: [],
      },
      { ...options, coldStartRate: 0.01 },
    );
    expect(result.status).toBe("ok");
    expect(result.lambda?.invocations).toBe(4);
    // Lambda-side percentiles from the REPORT lines, not CloudWatch's (kept as the cross-check).
    expect(result.lambda?.durationMs.p99).toBe(29.9);
    expect(result.lambda?.cloudwatch).toMatchObject({ invocations: 4, agrees: true });
    expect(result.checks).toEqual({ invocationsEqualRequests: true, lambdaP99WithinClientP99: true });
    // Warm billed: the cold one is ceil(4.1) = 5 ms without INIT; INIT is priced at 1 %.
    expect(warmBilledMs(reports[3] as NonNullable<(typeof reports)[3]>)).toBe(5);
    const expected = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 512,
        billedDurationMeanMs: (10 + 20 + 30 + 5) / 4,
        apiType: "REST",
        invocationsPerRequest: 1,
        readRequestUnitsPerRequest: 2.5 / 4,
        writeRequestUnitsPerRequest: 1 / 4,
        failedConditionalWritesPerRequest: 1 / 4,
        logBytesPerRequest: 500,
        coldStartRate: 0.01,
        initBilledMs: 401,
      },
      { region: "us-east-1" },
    );
    expect(result.cost).toEqual(expected);
    expect(result.cost?.initPerMillionUsd).toBeGreaterThan(0);
    expect(result.cost?.dynamodbFailedWritesPerMillionUsd).toBeCloseTo(0.25 * 0.625, 12);
    expect(result.lambda?.init).toEqual({
      coldStartRate: 0.01,
      rateSource: "config",
      billedMeanMs: 401,
      coldStartsMeasured: 1,
      // Reported whichever rate is priced: one cold start in four invocations.
      measuredRate: 0.25,
    });
    expect(result.logs).toEqual({ bytes: 2000, bytesPerRequest: 500, unattributedBytes: 80 });
    // The bootstrap over invocations with everything each one cost brackets the point estimate.
    const interval = result.stats?.costPerMillionUsd;
    expect(interval?.low).toBeLessThanOrEqual(expected.totalPerMillionUsd);
    expect(interval?.high).toBeGreaterThanOrEqual(expected.totalPerMillionUsd);
    // DynamoDB and log bytes vary per request, so the interval is wider than billed duration alone makes it.
    expect((interval?.high ?? 0) - (interval?.low ?? 0)).toBeGreaterThan(0);
  });

  it("flags a Lambda p99 above the client's and CloudWatch counting other invocations", () => {
    const result = assessSetting(
      {
        setting,
        window: { startMs: 0, endMs: 1000 },
        run: run(4, 20, ["a", "b", "c", "d"]),
        metrics: { ...metrics, invocations: 7 },
        logs,
        attribution: "request-ids",
        failures: [],
      },
      { ...options, coldStartRate: "measured" },
    );
    expect(result.checks?.lambdaP99WithinClientP99).toBe(false);
    expect(result.lambda?.cloudwatch?.agrees).toBe(false);
    // Measured rate: one cold start in four invocations, no warm-up exclusion.
    expect(result.lambda?.init).toMatchObject({ coldStartRate: 0.25, rateSource: "measured" });
  });

  it("prices INIT at the documented default rate (1 %) unless a rate is given, and reports the measured one", () => {
    const result = assessSetting(
      {
        setting,
        window: { startMs: 0, endMs: 1000 },
        run: run(4, 40, ["a", "b", "c", "d"]),
        metrics,
        logs,
        attribution: "request-ids",
        failures: [],
      },
      options,
    );
    expect(result.lambda?.init).toEqual({
      coldStartRate: DEFAULT_COLD_START_RATE,
      rateSource: "default",
      billedMeanMs: 401,
      coldStartsMeasured: 1,
      measuredRate: 0.25,
    });
    expect(DEFAULT_COLD_START_RATE).toBe(0.01);
  });

  // issue 19 audit: a clean quick run said "CloudWatch disagrees" at every setting (85 vs 80): CloudWatch
  // counted the other invocations of the version in the window too. Like with like: flagged only beyond them.
  it("CloudWatch agrees when the other invocations in the window explain its count, and not otherwise", () => {
    const assess = (cloudwatch: number, allReports: number, stageName: "local" | "aws" = "local") =>
      assessSetting(
        {
          setting,
          window: { startMs: 0, endMs: 1000 },
          run: run(4, 40, ["a", "b", "c", "d"]),
          metrics: { ...metrics, invocations: cloudwatch },
          logs: { ...logs, window: { measuredReports: 4, allReports } },
          attribution: "request-ids",
          failures: [],
        },
        { ...options, stageName },
      ).lambda?.cloudwatch?.agrees;
    expect(assess(4, 4)).toBe(true);
    // 3 more invocations of the version logged their REPORT lines in the window: CloudWatch's 7 is right
    expect(assess(7, 7)).toBe(true);
    // CloudWatch counted 7 where the log group holds 5 invocations in the window: a real disagreement
    expect(assess(7, 5)).toBe(false);
    // CloudWatch lost measured invocations
    expect(assess(3, 4)).toBe(false);
    // AWS: whole-minute metric windows, so only the lower bound
    expect(assess(9, 4, "aws")).toBe(true);
    expect(assess(3, 4, "aws")).toBe(false);
  });

  it("a function without the x-lambda-request-id header gets one clear error naming the header", () => {
    const without = { ...run(3, 20, []), responsesWithoutLambdaRequestId: 3 };
    expect(missingRequestIdHeader(without)).toMatch(
      /^none of the 3 measured responses carried the x-lambda-request-id header: return the invocation's Lambda request id/,
    );
    expect(missingRequestIdHeader(run(3, 20, ["a", "b", "c"]))).toBeUndefined();
  });
});

describe("the cost interval covers INIT", () => {
  /** 200 identical warm invocations (nothing else varies) and deliberate cold starts with these INITs. */
  function assessWithInits(inits: number[], coldStartRate: number | "measured", trafficColdStarts = 0) {
    const ids = Array.from({ length: 200 }, (_, i) => `w${i}`);
    const windowReports = ids.map((id, i) =>
      i < trafficColdStarts ? report(id, 10, 10 + 300, 300) : report(id, 10, 10),
    );
    const invocationLogs: InvocationLogs = {
      reports: windowReports.filter((r): r is NonNullable<typeof r> => r !== undefined),
      requests: ids.map((requestId) => ({
        requestId,
        route: "GET /items/{id}",
        status: 200,
        consumedRcu: 0.5,
      })),
      timeouts: 0,
      outOfMemory: 0,
      runtimeExits: 0,
      logBytes: 200 * 500,
      bytesByRequestId: new Map(ids.map((id) => [id, 500])),
      invocationsFound: 200,
      unattributed: { events: 0, bytes: 0 },
      window: { measuredReports: 200, allReports: 200 },
    };
    const coldStartLogs = {
      reports: inits
        .map((ms, i) => report(`c${i}`, 3, Math.ceil(3 + ms), ms))
        .filter((r): r is NonNullable<typeof r> => r !== undefined),
      requests: [],
      timeouts: 0,
      outOfMemory: 0,
      runtimeExits: 0,
    };
    return assessSetting(
      {
        setting,
        window: { startMs: 0, endMs: 1000 },
        run: run(200, 40, ids),
        metrics: { ...metrics, invocations: 200 },
        logs: invocationLogs,
        attribution: "request-ids",
        coldStartLogs,
        failures: [],
      },
      { ...options, coldStartRate, seed: 7 },
    );
  }
  const width = (r: ReturnType<typeof assessWithInits>) =>
    (r.stats?.costPerMillionUsd?.high ?? 0) - (r.stats?.costPerMillionUsd?.low ?? 0);

  it("resamples the cold starts' INIT: spread-out INITs widen the interval, identical ones do not", () => {
    // Every invocation costs the same, so without INIT the interval has no width at all.
    const flat = assessWithInits([400, 400, 400, 400], 0.05);
    expect(width(flat)).toBeCloseTo(0, 9);
    const spread = assessWithInits([100, 200, 600, 700], 0.05);
    // Same mean INIT (400 ms), so the same cost; only the interval knows the INITs varied.
    expect(spread.cost?.totalPerMillionUsd).toBeCloseTo(flat.cost?.totalPerMillionUsd ?? 0, 9);
    expect(width(spread)).toBeGreaterThan(0);
    const interval = spread.stats?.costPerMillionUsd;
    expect(interval?.low).toBeLessThan(spread.cost?.totalPerMillionUsd ?? 0);
    expect(interval?.high).toBeGreaterThan(spread.cost?.totalPerMillionUsd ?? 0);
    // The INIT term's own range: 5 % × INIT between the least and the most a resample can average.
    const initUsdPerMs = (spread.cost?.initPerMillionUsd ?? 0) / (0.05 * 400);
    expect(width(spread)).toBeLessThanOrEqual(0.05 * (700 - 100) * initUsdPerMs + 1e-9);
  });

  it("with the measured rate, resamples which invocations were cold too", () => {
    // 10 cold starts in 200 window invocations (5 %), INITs all alike: only the rate can vary.
    const given = assessWithInits([300, 300], 0.05, 10);
    const measured = assessWithInits([300, 300], "measured", 10);
    expect(measured.lambda?.init?.coldStartRate).toBeCloseTo(0.05, 9);
    expect(measured.cost?.totalPerMillionUsd).toBeCloseTo(given.cost?.totalPerMillionUsd ?? 0, 9);
    expect(width(given)).toBeCloseTo(0, 9);
    expect(width(measured)).toBeGreaterThan(0);
  });
});
