import { describe, expect, it } from "vitest";
import { customCounterNames, errorCounterName, k6Options, statusCounterName } from "./k6-options.ts";
import { mapK6Summary } from "./k6-summary.ts";
import { resolveProfile } from "./profiles.ts";
import { sampleSummary } from "./test-support/k6-summary-sample.ts";

const meta = {
  profile: "baseline",
  target: "http://127.0.0.1:3000/prod",
  targetRatePerSec: 50,
  k6Version: "v1.4.2",
};

describe("k6 summary → RunResult", () => {
  it("maps overall and per-operation latency, counts, errors, dropped iterations and thresholds", () => {
    const result = mapK6Summary(sampleSummary(), { ...meta, endedAt: "2026-11-27T03:00:10.513Z" });
    expect(result.engine).toEqual({ name: "k6", version: "v1.4.2" });
    expect(result.durationMs).toBe(10012.5);
    expect(result.startedAt).toBe("2026-11-27T03:00:00.500Z");
    expect(result.overall.requests).toBe(500);
    expect(result.overall.latency).toEqual({
      count: 500,
      minMs: 2.1,
      meanMs: 12.5,
      p50Ms: 10.2,
      p90Ms: 20.3,
      p95Ms: 31.7,
      p99Ms: 95.2,
      p999Ms: 170.9,
      maxMs: 180.4,
    });
    expect(result.overall.statusCounts).toEqual({ "200": 371, "201": 100, "204": 25, "404": 2, "503": 2 });
    expect(result.overall.errors).toEqual({ "server-error": 2 });
    expect(result.overall.errorRate).toBeCloseTo(2 / 500);
    expect(result.overall.histogram).toBeUndefined();
    expect(result.operations.read?.requests).toBe(250);
    expect(result.operations.read?.latency.p99Ms).toBe(96);
    expect(result.operations.read?.errorCount).toBe(2);
    expect(result.operations.create?.statusCounts).toEqual({ "201": 100 });
    expect(result.iterations).toEqual({ started: 500, completed: 500, dropped: 3 });
    expect(result.achievedRatePerSec).toBe(49.94);
    expect(result.timeline).toEqual([]);
    expect(result.thresholds).toEqual([
      { metric: "http_req_failed", expression: "rate<0.01", actual: 0.004, passed: true },
      { metric: "http_req_duration", expression: "p(95)<500", actual: 31.7, passed: true },
      { metric: "http_req_duration", expression: "p(99)<1000", actual: 95.2, passed: true },
    ]);
    expect(result.thresholdsPassed).toBe(true);
  });

  it("a failed threshold fails the run", () => {
    const result = mapK6Summary(sampleSummary({ p95ThresholdOk: false }), meta);
    expect(result.thresholdsPassed).toBe(false);
    expect(result.thresholds.find((t) => t.expression === "p(95)<500")?.passed).toBe(false);
  });

  it("rejects data that is not a k6 summary", () => {
    expect(() => mapK6Summary({} as never, meta)).toThrow(
      /not k6 summary data: expected an object with a `metrics`/,
    );
  });
});

describe("k6 options of a profile", () => {
  it("a constant profile is a constant-arrival-rate scenario with the profile's thresholds", () => {
    const options = k6Options(resolveProfile("baseline", { ratePerSec: 20, durationMs: 3000 }));
    expect(options["scenarios"]).toEqual({
      baseline: {
        executor: "constant-arrival-rate",
        rate: 20,
        timeUnit: "1s",
        duration: "3000ms",
        preAllocatedVUs: 2,
        maxVUs: 200,
        gracefulStop: "5000ms",
      },
    });
    const thresholds = options["thresholds"] as Record<string, string[]>;
    expect(thresholds["http_req_failed"]).toEqual(["rate<0.01"]);
    expect(thresholds["http_req_duration"]).toEqual(["p(95)<500", "p(99)<1000"]);
    expect(thresholds["http_req_duration{op:read}"]).toEqual(["max>=0"]);
    expect(options["summaryTrendStats"]).toEqual(expect.arrayContaining(["p(99)", "p(99.9)"]));
  });

  it("a ramp is a ramping-arrival-rate scenario; fractional rates go per minute", () => {
    const scenario = (
      k6Options(resolveProfile("ramp", { ratePerSec: 2.5 }))["scenarios"] as Record<string, unknown>
    )["ramp"];
    expect(scenario).toMatchObject({
      executor: "ramping-arrival-rate",
      startRate: 0,
      timeUnit: "1m",
      stages: [
        { target: 150, duration: "30000ms" },
        { target: 150, duration: "60000ms" },
        { target: 0, duration: "10000ms" },
      ],
    });
  });

  it("custom counter names are valid k6 metric names and unique", () => {
    const names = customCounterNames();
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-zA-Z_][a-zA-Z0-9_]{0,127}$/);
    expect(statusCounterName("read", 404)).toBe("pb_status_read_404");
    expect(errorCounterName("read", "unexpected-status")).toBe("pb_error_read_unexpected_status");
  });
});
