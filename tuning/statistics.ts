/**
 * Statistics of the sweep (pure): mean, trimmed mean, nearest-rank percentiles and seeded bootstrap
 * confidence intervals over plain arrays of samples. Client latency percentiles come from the load engine's
 * HDR histograms; these functions serve the per-invocation figures (billed duration from REPORT lines) and
 * the intervals that tell whether two settings differ at all.
 */
import type { ConfidenceInterval } from "./results-types.ts";

/** Defaults of the bootstrap. */
export const BOOTSTRAP_DEFAULTS = {
  /** @default 1000 resamples: enough for stable 95 % percentile intervals, cheap for a few thousand samples. */
  resamples: 1000,
  /** @default 0.95 */
  level: 0.95,
  /** @default 42: a fixed seed, so the same samples always give the same interval. */
  seed: 42,
} as const;

export interface BootstrapOptions {
  resamples?: number;
  level?: number;
  seed?: number;
}

function requireSamples(values: readonly number[], what: string): void {
  if (values.length === 0) throw new RangeError(`${what}: expected at least one sample, got none`);
}

/** Arithmetic mean. Throws on an empty array. */
export function mean(values: readonly number[]): number {
  requireSamples(values, "mean");
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Mean after dropping the lowest and highest `discardTopBottom` fraction of the samples (each side), like
 * aws-lambda-power-tuning's discardTopBottom: floor(n × fraction) samples go from each end. At least one
 * sample (the median's) is always kept.
 */
export function trimmedMean(values: readonly number[], discardTopBottom: number): number {
  requireSamples(values, "trimmedMean");
  if (!(discardTopBottom >= 0 && discardTopBottom <= 0.5)) {
    throw new RangeError(`discardTopBottom must be a fraction from 0 to 0.5, got ${discardTopBottom}`);
  }
  const sorted = [...values].sort((a, b) => a - b);
  let drop = Math.floor(sorted.length * discardTopBottom);
  if (sorted.length - 2 * drop < 1) drop = Math.floor((sorted.length - 1) / 2);
  return mean(sorted.slice(drop, sorted.length - drop));
}

/** Nearest-rank percentile of sorted ascending samples: the value at rank ceil(p/100 × n). */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  requireSamples(sorted, "percentile");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Nearest-rank percentile (p from 0 to 100) of unsorted samples. */
export function percentile(values: readonly number[], p: number): number {
  return percentileOfSorted(
    [...values].sort((a, b) => a - b),
    p,
  );
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same sequence, in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Percentile bootstrap confidence interval of `statistic` over `values`: resample with replacement
 * `resamples` times (seeded), compute the statistic of each resample, take the (1−level)/2 and (1+level)/2
 * nearest-rank percentiles of those.
 */
export function bootstrapInterval(
  values: readonly number[],
  statistic: (resample: number[]) => number,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  requireSamples(values, "bootstrap");
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const level = options.level ?? BOOTSTRAP_DEFAULTS.level;
  if (!(Number.isInteger(resamples) && resamples >= 1)) {
    throw new RangeError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1))
    throw new RangeError(`confidence level must be between 0 and 1, got ${level}`);
  const random = seededRandom(options.seed ?? BOOTSTRAP_DEFAULTS.seed);
  const n = values.length;
  const estimates: number[] = new Array(resamples);
  const sample: number[] = new Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(random() * n)] as number;
    estimates[r] = statistic(sample);
  }
  estimates.sort((a, b) => a - b);
  const tail = ((1 - level) / 2) * 100;
  return { low: percentileOfSorted(estimates, tail), high: percentileOfSorted(estimates, 100 - tail), level };
}

/** Bootstrap interval of the mean (e.g. of billed durations from REPORT lines). */
export function bootstrapMeanInterval(
  values: readonly number[],
  options?: BootstrapOptions,
): ConfidenceInterval {
  return bootstrapInterval(values, mean, options);
}

/** Bootstrap interval of a nearest-rank percentile (e.g. p95 of latencies). */
export function bootstrapPercentileInterval(
  values: readonly number[],
  p: number,
  options?: BootstrapOptions,
): ConfidenceInterval {
  return bootstrapInterval(values, (sample) => percentile(sample, p), options);
}

/**
 * Map an interval through a non-decreasing function, e.g. mean billed duration → cost per 1M requests
 * (the cost model is linear and increasing in billed duration, so the interval maps end to end).
 */
export function mapInterval(interval: ConfidenceInterval, fn: (value: number) => number): ConfidenceInterval {
  return { low: fn(interval.low), high: fn(interval.high), level: interval.level };
}

/**
 * Whether two settings differ on a metric: their intervals do not overlap. Overlapping intervals mean the
 * measurements cannot tell them apart, and a recommendation should say so.
 */
export function distinguishable(a: ConfidenceInterval, b: ConfidenceInterval): boolean {
  return a.high < b.low || b.high < a.low;
}

/** Expand histogram buckets ({ value, count }) into samples, for the bootstrap. */
export function expandCounts(buckets: ReadonlyArray<{ value: number; count: number }>): number[] {
  const samples: number[] = [];
  for (const { value, count } of buckets) {
    for (let i = 0; i < count; i++) samples.push(value);
  }
  return samples;
}
