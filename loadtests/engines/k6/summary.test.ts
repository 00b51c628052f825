import { describe, expect, it } from "vitest";
import { resolveProfile } from "../../profiles.ts";
import { deriveSeed } from "../../random.ts";
import { sampleSummary } from "../../test-support/k6-summary-sample.ts";
import {
  constantRateDuration,
  customCounterNames,
  errorCounterName,
  k6Options,
  k6VuIdentity,
  preAllocatedVus,
  statusCounterName,
} from "./options.ts";
import { k6AchievedRatePerSec, mapK6Summary } from "./summary.ts";

const meta = {
  profile: "baseline",
  target: "http://127.0.0.1:3000/prod",
  targetRatePerSec: 50,
  scheduledDurationMs: 10_000,
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
    // 500 completed iterations over the 10 s schedule, not k6's iterations.rate (49.94/s over 10.0125 s).
    expect(result.achievedRatePerSec).toBe(50);
    expect(result.timeline).toEqual([]);
    expect(result.thresholds).toEqual([
      { metric: "http_req_failed", expression: "rate<0.01", actual: 0.004, passed: true },
      { metric: "http_req_duration", expression: "p(95)<500", actual: 31.7, passed: true },
      { metric: "http_req_duration", expression: "p(99)<1000", actual: 95.2, passed: true },
    ]);
    expect(result.thresholdsPassed).toBe(true);
  });

  it("achieved rate = completed iterations ÷ scheduled seconds, ÷ the seconds run when aborted", () => {
    expect(k6AchievedRatePerSec(500, 10_000, 15_000, false)).toBe(50);
    expect(k6AchievedRatePerSec(100, 10_000, 4_000, true)).toBe(25);
    expect(k6AchievedRatePerSec(100, 10_000, 0, true)).toBe(10);
    const aborted = mapK6Summary(sampleSummary(), { ...meta, scheduledDurationMs: 20_000, aborted: true });
    expect(aborted.achievedRatePerSec).toBeCloseTo(500 / 10.0125);
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
        duration: "2975ms", // half an interval early: 60 starts, as the built-in engine
        preAllocatedVUs: 20,
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

  it("pre-allocates VUs for a second of the peak rate, at least 10, at most the in-flight cap", () => {
    const vus = (name: "smoke" | "baseline" | "spike", over = {}) =>
      preAllocatedVus(resolveProfile(name, over));
    expect(vus("smoke")).toBe(10); // 5/s → the floor of 10
    expect(vus("baseline")).toBe(50);
    expect(vus("baseline", { ratePerSec: 1000 })).toBe(200); // the cap, maxInFlight
    expect(vus("spike", { ratePerSec: 123.4 })).toBe(124);
  });

  it("a constant profile ends half an interval early (k6 starts one more at the end); under 1 s it ramps flat", () => {
    const scenario = (over: { ratePerSec: number; durationMs: number }) =>
      (k6Options(resolveProfile("smoke", over))["scenarios"] as Record<string, unknown>)["smoke"];
    expect(constantRateDuration(2000, 20)).toBe("1975ms");
    expect(constantRateDuration(2000, 3000)).toBe("1999833us");
    expect(scenario({ ratePerSec: 1000, durationMs: 1500 })).toMatchObject({
      executor: "constant-arrival-rate",
      duration: "1499500us",
    });
    // k6's constant executor needs 1 s or more.
    expect(scenario({ ratePerSec: 4, durationMs: 1000 })).toMatchObject({
      executor: "ramping-arrival-rate",
      startRate: 4,
      stages: [{ target: 4, duration: "1000ms" }],
    });
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

  it("k6-operator runners with the same -e variables get different seeds and ids (execution segments)", () => {
    const parallelism = 4;
    const segments = Array.from(
      { length: parallelism },
      (_, i) => `${i}/${parallelism}:${i + 1}/${parallelism}`,
    );
    // Same SEED, same RUN_ID and, as a worst case, the same VU id and random suffix on every runner.
    const runners = segments.map((executionSegment) =>
      k6VuIdentity({ seed: 7, vuId: 1, executionSegment, runId: "pbrun", randomSuffix: "abc123" }),
    );
    expect(new Set(runners.map((r) => r.seed)).size).toBe(parallelism);
    expect(new Set(runners.map((r) => r.idPrefix)).size).toBe(parallelism);
    for (const { idPrefix } of runners) expect(idPrefix).toMatch(/^pbrun-s[0-9a-z]+-abc123-v1$/);
    // Reproducible: the same inputs give the same seed.
    expect(
      k6VuIdentity({ seed: 7, vuId: 1, executionSegment: segments[1], runId: "x", randomSuffix: "y" }).seed,
    ).toBe(runners[1]?.seed);
  });

  it("a single k6 instance keeps the per-VU seed; the random suffix alone separates ids", () => {
    for (const executionSegment of [undefined, null, "", "0:1"]) {
      const vu = k6VuIdentity({ seed: 7, vuId: 3, executionSegment, runId: "pb", randomSuffix: "r1" });
      expect(vu).toEqual({ seed: deriveSeed(7, 3), idPrefix: "pb-r1-v3" });
    }
    const a = k6VuIdentity({ seed: 7, vuId: 3, runId: "pb", randomSuffix: "r1" });
    const b = k6VuIdentity({ seed: 7, vuId: 3, runId: "pb", randomSuffix: "r2" });
    expect(a.idPrefix).not.toBe(b.idPrefix);
    // Ids go into URL paths: only [A-Za-z0-9_-].
    expect(k6VuIdentity({ seed: 1, vuId: 1, runId: "a b/c", randomSuffix: "x:y" }).idPrefix).toBe(
      "a_b_c-x_y-v1",
    );
  });
});
