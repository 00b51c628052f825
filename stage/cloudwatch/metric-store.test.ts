/** Metric store: stat, period and percentile math on known data; dimension matching; bounded memory. */
import { describe, expect, it } from "vitest";
import type { MetricDatum } from "../contracts.ts";
import { InvalidParameterError } from "./errors.ts";
import { nearestRank, parseStat } from "./metric-stats.ts";
import { MetricStore } from "./metric-store.ts";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const dims = { FunctionName: "crud", Resource: "crud:bench" };

function datum(value: number, timestampMs: number, dimensions: Record<string, string> = dims): MetricDatum {
  return {
    namespace: "AWS/Lambda",
    metricName: "Duration",
    dimensions,
    value,
    unit: "Milliseconds",
    timestampMs,
  };
}

function query(
  store: MetricStore,
  stat: string,
  periodSeconds: number,
  extra: Partial<Parameters<MetricStore["query"]>[0]> = {},
) {
  return store.query({
    namespace: "AWS/Lambda",
    metricName: "Duration",
    dimensions: dims,
    stat,
    periodSeconds,
    startMs: T0,
    endMs: T0 + 60_000,
    ...extra,
  });
}

describe("statistics", () => {
  it("parses the supported Stat strings and rejects others", () => {
    expect(parseStat("p99")).toEqual({ kind: "percentile", percentile: 99 });
    expect(parseStat("p99.9")).toEqual({ kind: "percentile", percentile: 99.9 });
    expect(parseStat("Average")).toEqual({ kind: "Average" });
    for (const bad of ["p0", "p101", "P99", "tm99", "IQM", "avg", ""]) expect(parseStat(bad)).toBeUndefined();
  });

  it("takes the nearest rank: ceil(p/100 × n)", () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(nearestRank(sorted, 50)).toBe(50);
    expect(nearestRank(sorted, 99)).toBe(99);
    expect(nearestRank(sorted, 99.9)).toBe(100);
    expect(nearestRank(sorted, 0.1)).toBe(1);
    expect(nearestRank([15, 20, 35, 40, 50], 30)).toBe(20);
    expect(nearestRank([15, 20, 35, 40, 50], 40)).toBe(20);
    expect(nearestRank([15, 20, 35, 40, 50], 100)).toBe(50);
    expect(nearestRank([], 50)).toBeUndefined();
  });
});

describe("MetricStore.query", () => {
  // 1..100 ms, one value every 100 ms from T0 (10 s of data), shuffled to prove order does not matter.
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  const store = new MetricStore();
  for (const v of [...values].reverse()) store.put(datum(v, T0 + (100 - v) * 100));

  it("computes every stat over one period", () => {
    const stats = ["Sum", "Average", "Minimum", "Maximum", "SampleCount", "p50", "p90", "p99", "p99.9"];
    const got = Object.fromEntries(stats.map((s) => [s, query(store, s, 60).values[0]]));
    expect(got).toEqual({
      Sum: 5050,
      Average: 50.5,
      Minimum: 1,
      Maximum: 100,
      SampleCount: 100,
      p50: 50,
      p90: 90,
      p99: 99,
      "p99.9": 100,
    });
    expect(query(store, "Sum", 60).timestampsMs).toEqual([T0]);
  });

  it("splits into periods aligned to StartTime, newest first unless ScanBy ascending", () => {
    // value v is at T0 + (100 - v) × 100 ms: seconds 0..9 hold values 100..91, 90..81, ... 10..1.
    const desc = query(store, "Sum", 5);
    expect(desc.timestampsMs).toEqual([T0 + 5000, T0]);
    const firstHalf = values.filter((v) => v > 50).reduce((a, b) => a + b, 0);
    expect(desc.values).toEqual([5050 - firstHalf, firstHalf]);
    const asc = query(store, "Maximum", 1, { scanBy: "TimestampAscending" });
    expect(asc.timestampsMs).toHaveLength(10);
    expect(asc.values).toEqual([100, 90, 80, 70, 60, 50, 40, 30, 20, 10]);
  });

  it("cuts the window at the millisecond, even inside a second", () => {
    const s = new MetricStore();
    s.put(datum(1, T0 + 200)); // before the window, same second
    s.put(datum(2, T0 + 700));
    s.put(datum(4, T0 + 1_500));
    s.put(datum(8, T0 + 2_100)); // at or after the end
    const got = query(s, "Sum", 60, { startMs: T0 + 500, endMs: T0 + 2_100 });
    expect(got.values).toEqual([6]);
    expect(got.timestampsMs).toEqual([T0 + 500]);
    expect(query(s, "SampleCount", 1, { startMs: T0 + 500, endMs: T0 + 2_100 }).values).toEqual([1, 1]);
  });

  it("shares one pass between the stats of a window, and sees data put after it", () => {
    const s = new MetricStore();
    for (const v of [3, 1, 2]) s.put(datum(v, T0 + v));
    expect(query(s, "p50", 60).values).toEqual([2]);
    expect(query(s, "Maximum", 60).values).toEqual([3]);
    s.put(datum(10, T0 + 500));
    s.put(datum(11, T0 + 600));
    expect(query(s, "p50", 60).values).toEqual([3]);
    expect(query(s, "Maximum", 60).values).toEqual([11]);
  });

  it("matches dimensions exactly, as CloudWatch does", () => {
    const s = new MetricStore();
    s.put(datum(10, T0, { FunctionName: "crud" }));
    s.put(datum(20, T0, { Resource: "crud:bench", FunctionName: "crud" }));
    s.put(datum(30, T0, { ...dims, ExecutedVersion: "3" }));
    expect(query(s, "Sum", 60).values).toEqual([20]);
    expect(query(s, "Sum", 60, { dimensions: { FunctionName: "crud" } }).values).toEqual([10]);
    expect(query(s, "Sum", 60, { dimensions: {} }).values).toEqual([]);
    expect(query(s, "Sum", 60, { unit: "Count" }).values).toEqual([]);
    expect(s.listMetrics({ dimensions: [{ name: "Resource" }] })).toHaveLength(2);
  });

  it("puts a frozen dimension set, its copy and a mutated plain set each in the series of their contents", () => {
    const s = new MetricStore();
    const frozen = Object.freeze({ Resource: "crud:bench", FunctionName: "crud" });
    const plain: Record<string, string> = { FunctionName: "crud" };
    s.put(datum(1, T0, frozen));
    s.put(datum(2, T0, frozen));
    s.put({ ...datum(4, T0, frozen), metricName: "Invocations" });
    s.put(datum(8, T0, { ...dims }));
    s.put(datum(16, T0, plain));
    plain["Resource"] = "crud:bench";
    s.put(datum(32, T0, plain));
    plain["Resource"] = "crud:other";
    s.put(datum(64, T0, plain));
    expect(query(s, "Sum", 60).values).toEqual([1 + 2 + 8 + 32]);
    expect(query(s, "Sum", 60, { metricName: "Invocations" }).values).toEqual([4]);
    expect(query(s, "Sum", 60, { dimensions: { FunctionName: "crud" } }).values).toEqual([16]);
    expect(
      query(s, "Sum", 60, { dimensions: { FunctionName: "crud", Resource: "crud:other" } }).values,
    ).toEqual([64]);
  });

  it("omits periods without data and rejects invalid queries with a clear message", () => {
    expect(query(store, "Sum", 60, { startMs: T0 - 120_000, endMs: T0 - 60_000 }).values).toEqual([]);
    expect(() => query(store, "tm99", 60)).toThrow(InvalidParameterError);
    expect(() => query(store, "tm99", 60)).toThrow(/unsupported Stat "tm99": expected Sum, Average/);
    expect(() => query(store, "Sum", 0)).toThrow(/invalid Period 0/);
    expect(() => query(store, "Sum", 60, { endMs: T0 })).toThrow(/must be before EndTime/);
  });

  it("keeps exact aggregates past the raw-value cap and samples the rest", () => {
    const s = new MetricStore({ maxRawValuesPerSecond: 100 });
    for (let i = 1; i <= 10_000; i++) s.put(datum(i, T0 + (i % 1000)));
    expect(s.storedValueCount).toBe(100);
    expect(query(s, "SampleCount", 60).values).toEqual([10_000]);
    expect(query(s, "Sum", 60).values).toEqual([50_005_000]);
    expect(query(s, "Maximum", 60).values).toEqual([10_000]);
    const p50 = query(s, "p50", 60).values[0] ?? 0;
    expect(p50).toBeGreaterThan(3_000);
    expect(p50).toBeLessThan(7_000);
  });

  it("drops data past the retention window and past the global cap", () => {
    const s = new MetricStore({ retentionMs: 60_000, maxStoredValues: 1_000 });
    for (let second = 0; second < 600; second++) {
      for (let k = 0; k < 5; k++) s.put(datum(1, T0 + second * 1000 + k));
    }
    expect(s.storedValueCount).toBeLessThanOrEqual(1_000);
    const recent = query(s, "SampleCount", 600, { startMs: T0, endMs: T0 + 600_000 }).values[0] ?? 0;
    expect(recent).toBeLessThanOrEqual(61 * 5 + 300);
    expect(query(s, "SampleCount", 10, { startMs: T0 + 590_000, endMs: T0 + 600_000 }).values).toEqual([50]);
    expect(query(s, "SampleCount", 60, { startMs: T0, endMs: T0 + 60_000 }).values).toEqual([]);
    const capped = new MetricStore({ maxSeries: 1 });
    capped.put(datum(1, T0));
    capped.put(datum(1, T0, { FunctionName: "other" }));
    expect(capped.droppedDatapoints).toBe(1);
  });
});
