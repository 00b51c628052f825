/**
 * Rounds in rotating order (tuning/core/rounds.ts): the order rotates so every setting takes every position, and a
 * setting's rounds pool into one set of figures (counts add up, percentiles from the merged histograms, every
 * measured invocation's log lines kept).
 */
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { newLatencyHistogram } from "../../loadtests/latency-histogram.ts";
import type { RequestStats, RunResult } from "../../loadtests/run-result.ts";
import type { InvocationLogs } from "../adapters/collect-invocations.ts";
import { poolLambdaMetrics, poolLogs, poolRuns, roundOrder } from "./rounds.ts";

function stats(latenciesMs: number[]): RequestStats {
  const h = newLatencyHistogram("run");
  for (const ms of latenciesMs) h.recordValue(ms * 1000);
  return {
    requests: latenciesMs.length,
    latency: {
      count: latenciesMs.length,
      minMs: 0,
      meanMs: 0,
      p50Ms: h.getValueAtPercentile(50) / 1000,
      p90Ms: 0,
      p95Ms: h.getValueAtPercentile(95) / 1000,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
    },
    statusCounts: { "200": latenciesMs.length },
    errors: {},
    errorCount: 0,
    errorRate: 0,
    histogram: hdr.encodeIntoCompressedBase64(h),
  };
}

function round(latenciesMs: number[], startedAt: string, idPrefix: string): RunResult {
  const overall = stats(latenciesMs);
  return {
    schemaVersion: 1,
    engine: { name: "builtin", version: "1" },
    profile: "baseline",
    target: "http://127.0.0.1:1/prod",
    startedAt,
    endedAt: new Date(Date.parse(startedAt) + 2000).toISOString(),
    durationMs: 2000,
    targetRatePerSec: 50,
    achievedRatePerSec: 50,
    iterations: { started: latenciesMs.length, completed: latenciesMs.length, dropped: 0 },
    overall,
    operations: { read: overall },
    timeline: [
      { second: 0, requests: latenciesMs.length / 2, errors: 0 },
      { second: 1, requests: latenciesMs.length / 2, errors: 0 },
    ],
    thresholds: [{ metric: "http_req_failed", expression: "rate<0.01", actual: 0, passed: true }],
    thresholdsPassed: true,
    aborted: false,
    lambdaRequestIds: latenciesMs.map((_, i) => `${idPrefix}-${i}`),
  };
}

describe("round order", () => {
  it("rotates: A B C, B C A, C A B; every setting takes every position once", () => {
    const order = roundOrder(3, 3);
    expect(order).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
    ]);
    for (let setting = 0; setting < 3; setting++) {
      expect(order.map((r) => r.indexOf(setting)).sort()).toEqual([0, 1, 2]);
    }
    // More settings than rounds: each round still visits every setting once, starting one further on.
    expect(roundOrder(4, 2)).toEqual([
      [0, 1, 2, 3],
      [1, 2, 3, 0],
    ]);
    expect(roundOrder(3, 1)).toEqual([[0, 1, 2]]);
    expect(() => roundOrder(3, 0)).toThrow(/rounds must be an integer ≥ 1, got 0/);
  });
});

describe("pooling a setting's rounds", () => {
  it("adds counts, reads percentiles from the merged histograms, averages the rate, keeps every round's ids", () => {
    // A fast round (95 × 10 ms) and a slow one (5 × 10 ms + 95 × 400 ms): the pooled p95 is 400 ms, the mean
    // of the rounds' p95s would not be.
    const fast = round(Array(100).fill(10), "2026-12-07T01:00:00.000Z", "a");
    const slow = round([...Array(5).fill(10), ...Array(95).fill(400)], "2026-12-07T01:00:10.000Z", "b");
    const pooled = poolRuns([fast, slow]);
    expect(pooled.overall.requests).toBe(200);
    expect(pooled.overall.latency.p50Ms).toBeCloseTo(10, 1);
    expect(pooled.overall.latency.p95Ms).toBeCloseTo(400, -1);
    expect(pooled.operations.read?.requests).toBe(200);
    expect(pooled.achievedRatePerSec).toBe(50);
    expect(pooled.iterations).toEqual({ started: 200, completed: 200, dropped: 0 });
    expect(pooled.lambdaRequestIds).toHaveLength(200);
    expect(new Set(pooled.lambdaRequestIds).size).toBe(200);
    // The timelines one after another, not added second by second.
    expect(pooled.timeline.map((p) => p.second)).toEqual([0, 1, 2, 3]);
    expect(pooled.startedAt).toBe(fast.startedAt);
    expect(pooled.endedAt).toBe(slow.endedAt);
    expect(poolRuns([fast])).toBe(fast);
  });

  it("concatenates the rounds' log lines and bytes per request id; CloudWatch counts add up", () => {
    const logsOf = (ids: string[], bytes: number): InvocationLogs => ({
      reports: ids.map((requestId) => ({
        format: "text" as const,
        requestId,
        durationMs: 5,
        billedDurationMs: 5,
      })),
      requests: ids.map((requestId) => ({ requestId, consumedWcu: 1 })),
      timeouts: 0,
      outOfMemory: 0,
      runtimeExits: 1,
      logBytes: ids.length * bytes,
      bytesByRequestId: new Map(ids.map((id) => [id, bytes])),
      invocationsFound: ids.length,
      unattributed: { events: 1, bytes: 10 },
      window: { measuredReports: ids.length, allReports: ids.length + 1 },
    });
    const pooled = poolLogs([logsOf(["a1", "a2"], 500), logsOf(["b1"], 520)]);
    expect(pooled.window).toEqual({ measuredReports: 3, allReports: 5 });
    expect(pooled.reports.map((r) => r.requestId)).toEqual(["a1", "a2", "b1"]);
    expect(pooled.requests).toHaveLength(3);
    expect(pooled.logBytes).toBe(1520);
    expect(pooled.bytesByRequestId.get("b1")).toBe(520);
    expect(pooled.invocationsFound).toBe(3);
    expect(pooled.runtimeExits).toBe(2);
    expect(pooled.unattributed).toEqual({ events: 2, bytes: 20 });

    const metrics = poolLambdaMetrics([
      {
        invocations: 100,
        errors: 1,
        throttles: 0,
        maxConcurrentExecutions: 3,
        durationMs: { avg: 10, p50: 9, p90: 12, p99: 20, max: 30 },
      },
      {
        invocations: 300,
        errors: 0,
        throttles: 2,
        maxConcurrentExecutions: 5,
        durationMs: { avg: 20, p50: 19, p90: 22, p99: 40, max: 50 },
      },
    ]);
    expect(metrics).toMatchObject({ invocations: 400, errors: 1, throttles: 2, maxConcurrentExecutions: 5 });
    expect(metrics.durationMs.avg).toBeCloseTo(17.5, 6);
  });
});
