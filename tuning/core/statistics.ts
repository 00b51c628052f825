/**
 * Statistics of the sweep (pure): mean, trimmed mean, nearest-rank percentiles and seeded bootstrap
 * confidence intervals over plain arrays of samples. Client latency percentiles come from the load engine's
 * HDR histograms; these functions serve the per-invocation figures (billed duration from REPORT lines) and
 * the intervals that tell whether two settings differ at all.
 */
import { createRandom } from "../../loadtests/random.ts";
import type { ConfidenceInterval } from "../results/results-types.ts";

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

/** The project's seeded PRNG (loadtests/random.ts, mulberry32) as a function: same seed, same sequence in [0, 1). */
export function seededRandom(seed: number): () => number {
  const random = createRandom(seed);
  return () => random.next();
}

interface BootstrapPlan {
  resamples: number;
  level: number;
  random: () => number;
}

function bootstrapPlan(options: BootstrapOptions): BootstrapPlan {
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const level = options.level ?? BOOTSTRAP_DEFAULTS.level;
  if (!(Number.isInteger(resamples) && resamples >= 1)) {
    throw new RangeError(`bootstrap resamples must be a positive integer, got ${resamples}`);
  }
  if (!(level > 0 && level < 1))
    throw new RangeError(`confidence level must be between 0 and 1, got ${level}`);
  return { resamples, level, random: seededRandom(options.seed ?? BOOTSTRAP_DEFAULTS.seed) };
}

/** Run `estimate` once per resample; the interval is the (1−level)/2 and (1+level)/2 nearest-rank percentiles. */
function intervalOf(plan: BootstrapPlan, estimate: (random: () => number) => number): ConfidenceInterval {
  const estimates = new Float64Array(plan.resamples);
  for (let r = 0; r < plan.resamples; r++) estimates[r] = estimate(plan.random);
  estimates.sort();
  const tail = ((1 - plan.level) / 2) * 100;
  const sorted = Array.from(estimates);
  return {
    low: percentileOfSorted(sorted, tail),
    high: percentileOfSorted(sorted, 100 - tail),
    level: plan.level,
  };
}

/**
 * Percentile bootstrap confidence interval of any `statistic` over `values`: resample with replacement
 * `resamples` times (seeded), compute the statistic of each resample, take the (1−level)/2 and (1+level)/2
 * nearest-rank percentiles of those. The mean and percentile versions below compute the same kind of
 * interval without building each resample, which matters for tens of thousands of samples.
 */
export function bootstrapInterval(
  values: readonly number[],
  statistic: (resample: number[]) => number,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  requireSamples(values, "bootstrap");
  const n = values.length;
  const sample: number[] = new Array(n);
  return intervalOf(bootstrapPlan(options), (random) => {
    for (let i = 0; i < n; i++) sample[i] = values[Math.floor(random() * n)] as number;
    return statistic(sample);
  });
}

/** Bootstrap interval of the mean (e.g. of billed durations from REPORT lines). O(n) per resample. */
export function bootstrapMeanInterval(
  values: readonly number[],
  options: BootstrapOptions = {},
): ConfidenceInterval {
  requireSamples(values, "bootstrap");
  const n = values.length;
  return intervalOf(bootstrapPlan(options), (random) => {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)] as number;
    return sum / n;
  });
}

/**
 * Stratified bootstrap of a statistic of several groups' means: each resample draws every group with
 * replacement on its own (each keeps its size) and `statistic` combines the resampled means. E.g. a
 * setting's cost per 1M requests = mean warm cost per invocation + rate × k × mean billed INIT per cold start,
 * with the INIT samples (deliberate cold starts) and, when the rate is measured, each invocation's cold/warm
 * flag resampled beside the invocations. An empty group's mean is 0. O(total samples) per resample.
 */
export function bootstrapGroupMeansInterval(
  groups: ReadonlyArray<readonly number[]>,
  statistic: (means: readonly number[]) => number,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  if (groups.every((g) => g.length === 0)) requireSamples([], "bootstrap");
  const means = new Array<number>(groups.length).fill(0);
  return intervalOf(bootstrapPlan(options), (random) => {
    for (let g = 0; g < groups.length; g++) {
      const values = groups[g] as readonly number[];
      const n = values.length;
      let sum = 0;
      for (let i = 0; i < n; i++) sum += values[Math.floor(random() * n)] as number;
      means[g] = n === 0 ? 0 : sum / n;
    }
    return statistic(means);
  });
}

/**
 * Bootstrap interval of a nearest-rank percentile (e.g. p95 of latencies). Each resample is drawn as counts
 * over the sorted samples and the percentile read by walking the counts: O(n) per resample, no sort.
 */
export function bootstrapPercentileInterval(
  values: readonly number[],
  p: number,
  options: BootstrapOptions = {},
): ConfidenceInterval {
  requireSamples(values, "bootstrap");
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be from 0 to 100, got ${p}`);
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  const counts = new Uint32Array(n);
  return intervalOf(bootstrapPlan(options), (random) => {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const index = Math.floor(random() * n);
      counts[index] = (counts[index] as number) + 1;
    }
    let cumulative = 0;
    for (let j = 0; j < n; j++) {
      cumulative += counts[j] as number;
      if (cumulative >= rank) return sorted[j] as number;
    }
    return sorted[n - 1] as number;
  });
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
