import { describe, expect, it } from "vitest";
import {
  BOOTSTRAP_DEFAULTS,
  bootstrapInterval,
  bootstrapMeanInterval,
  bootstrapPercentileInterval,
  distinguishable,
  expandCounts,
  mapInterval,
  mean,
  percentile,
  seededRandom,
  trimmedMean,
} from "./statistics.ts";

describe("mean, trimmed mean, percentile", () => {
  it("computes the mean and refuses an empty sample", () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(() => mean([])).toThrow("expected at least one sample, got none");
  });

  it("drops floor(n × fraction) samples from each end, like power-tuning's discardTopBottom", () => {
    // Worked example: 10 billed durations with one cold start (662 ms) and one fast outlier (2 ms).
    // discardTopBottom 0.1 drops floor(10 × 0.1) = 1 from each end: mean of the 8 middle values.
    const billedMs = [13, 12, 662, 14, 13, 2, 12, 15, 13, 14];
    expect(trimmedMean(billedMs, 0)).toBe(mean(billedMs));
    expect(trimmedMean(billedMs, 0.1)).toBe((12 + 12 + 13 + 13 + 13 + 14 + 14 + 15) / 8);
    // 0.2 drops 2 from each end: [12, 13, 13, 13, 14, 14]
    expect(trimmedMean(billedMs, 0.2)).toBe((12 + 13 + 13 + 13 + 14 + 14) / 6);
    // 0.5 would drop everything: the median's sample(s) are kept.
    expect(trimmedMean([1, 2, 3], 0.5)).toBe(2);
    expect(trimmedMean([1, 2, 3, 10], 0.5)).toBe(2.5);
    expect(() => trimmedMean(billedMs, 0.6)).toThrow(
      "discardTopBottom must be a fraction from 0 to 0.5, got 0.6",
    );
  });

  it("uses nearest rank: the value at rank ceil(p/100 × n)", () => {
    const values = [15, 20, 35, 40, 50]; // the textbook nearest-rank example
    expect(percentile(values, 5)).toBe(15);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 40)).toBe(20);
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile([3, 1, 2], 0)).toBe(1);
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(hundred, 95)).toBe(95);
    expect(percentile(hundred, 99)).toBe(99);
  });
});

describe("bootstrap", () => {
  const sample = Array.from({ length: 400 }, (_, i) => 10 + (i % 20)); // mean 19.5, values 10..29

  it("is reproducible with a seed and covers the sample mean", () => {
    const a = bootstrapMeanInterval(sample);
    const b = bootstrapMeanInterval(sample);
    expect(a).toEqual(b);
    expect(a.level).toBe(BOOTSTRAP_DEFAULTS.level);
    expect(a.low).toBeLessThan(19.5);
    expect(a.high).toBeGreaterThan(19.5);
    // Standard error ≈ 5.77 / √400 ≈ 0.29: the 95 % interval is about ±0.57 wide, not ±5.
    expect(a.high - a.low).toBeGreaterThan(0.5);
    expect(a.high - a.low).toBeLessThan(1.8);
    expect(bootstrapMeanInterval(sample, { seed: 7 })).not.toEqual(a);
  });

  it("narrows with a lower level and gives a point for a constant sample", () => {
    const wide = bootstrapMeanInterval(sample, { level: 0.99 });
    const narrow = bootstrapMeanInterval(sample, { level: 0.5 });
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
    expect(bootstrapPercentileInterval([7, 7, 7, 7], 95)).toEqual({ low: 7, high: 7, level: 0.95 });
    expect(() => bootstrapMeanInterval([])).toThrow("expected at least one sample");
    expect(() => bootstrapMeanInterval(sample, { resamples: 0 })).toThrow("positive integer");
    expect(() => bootstrapMeanInterval(sample, { level: 1 })).toThrow("between 0 and 1");
  });

  it("bounds a p95 interval by the sample's own values", () => {
    const ci = bootstrapPercentileInterval(sample, 95);
    expect(ci.low).toBeGreaterThanOrEqual(27);
    expect(ci.high).toBeLessThanOrEqual(29);
  });

  it("fast mean and percentile intervals equal the generic bootstrap on the same draws", () => {
    // Same seed, same index draws: the mean interval is the generic one exactly; on already sorted samples
    // the count-based percentile reads the same resample, so it is exact too.
    const sorted = [...sample].sort((a, b) => a - b);
    expect(bootstrapMeanInterval(sample, { seed: 9 })).toEqual(bootstrapInterval(sample, mean, { seed: 9 }));
    expect(bootstrapPercentileInterval(sorted, 95, { seed: 9 })).toEqual(
      bootstrapInterval(sorted, (s) => percentile(s, 95), { seed: 9 }),
    );
    expect(bootstrapPercentileInterval(sorted, 50, { seed: 4, level: 0.9 })).toEqual(
      bootstrapInterval(sorted, (s) => percentile(s, 50), { seed: 4, level: 0.9 }),
    );
  });

  it("seededRandom is deterministic and in [0, 1)", () => {
    const r1 = seededRandom(1);
    const r2 = seededRandom(1);
    const draws = Array.from({ length: 1000 }, () => r1());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => r2()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
  });
});

describe("distinguishable, mapInterval, expandCounts", () => {
  it("calls overlapping intervals not distinguishable", () => {
    expect(distinguishable({ low: 1, high: 2, level: 0.95 }, { low: 3, high: 4, level: 0.95 })).toBe(true);
    expect(distinguishable({ low: 3, high: 4, level: 0.95 }, { low: 1, high: 2, level: 0.95 })).toBe(true);
    expect(distinguishable({ low: 1, high: 3, level: 0.95 }, { low: 2, high: 4, level: 0.95 })).toBe(false);
    expect(distinguishable({ low: 1, high: 2, level: 0.95 }, { low: 2, high: 4, level: 0.95 })).toBe(false);
  });

  it("tells two clearly different settings apart and two alike ones not", () => {
    const fast = Array.from({ length: 200 }, (_, i) => 10 + (i % 5));
    const slow = Array.from({ length: 200 }, (_, i) => 20 + (i % 5));
    const fastAgain = Array.from({ length: 200 }, (_, i) => 10 + ((i + 2) % 5));
    expect(distinguishable(bootstrapMeanInterval(fast), bootstrapMeanInterval(slow))).toBe(true);
    expect(distinguishable(bootstrapMeanInterval(fast), bootstrapMeanInterval(fastAgain, { seed: 3 }))).toBe(
      false,
    );
  });

  it("maps an interval through an increasing function and expands histogram counts", () => {
    expect(mapInterval({ low: 10, high: 20, level: 0.9 }, (ms) => ms * 2 + 1)).toEqual({
      low: 21,
      high: 41,
      level: 0.9,
    });
    expect(
      expandCounts([
        { value: 5, count: 2 },
        { value: 9, count: 1 },
        { value: 1, count: 0 },
      ]),
    ).toEqual([5, 5, 9]);
  });
});
