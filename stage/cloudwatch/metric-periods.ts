/**
 * Pure aggregation of a series' one-second buckets into the periods of a window [startMs, endMs), periods
 * aligned to startMs. A second that a period or window edge cuts through is split value by value, using each
 * raw value's millisecond offset (values weighted by count / kept values when the second was sampled).
 */
import type { Aggregate } from "./metric-stats.ts";

export interface Bucket extends Aggregate {
  values: number[];
  /** Millisecond within the second of each raw value (parallel to `values`). */
  offsetsMs: number[];
}

/** A period being computed: aggregates plus the raw values for percentiles (sorted once, when first asked). */
export interface PeriodAccumulator extends Aggregate {
  values: number[];
  sorted?: Float64Array;
}

/**
 * The periods of one window of a series, kept until the series changes: the several statistics of one
 * GetMetricData call (Average, p50, p90, p99 ...) then share one pass and one sort.
 */
export interface PeriodTable {
  key: string;
  periods: Map<number, PeriodAccumulator>;
}

export function aggregatePeriods(
  seconds: ReadonlyMap<number, Bucket>,
  startMs: number,
  endMs: number,
  periodMs: number,
): Map<number, PeriodAccumulator> {
  const periods = new Map<number, PeriodAccumulator>();
  const periodOf = (index: number): PeriodAccumulator => {
    let acc = periods.get(index);
    if (!acc) {
      acc = { sum: 0, count: 0, min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY, values: [] };
      periods.set(index, acc);
    }
    return acc;
  };
  for (const [second, bucket] of seconds) {
    const firstMs = second * 1000;
    const lastMs = firstMs + 999;
    if (lastMs < startMs || firstMs >= endMs) continue;
    const index = Math.floor((firstMs - startMs) / periodMs);
    const whole = firstMs >= startMs && lastMs < endMs && index === Math.floor((lastMs - startMs) / periodMs);
    if (whole) {
      const acc = periodOf(index);
      mergeInto(acc, bucket);
      for (const v of bucket.values) acc.values.push(v);
      continue;
    }
    // An edge cuts this second: place each raw value by its own timestamp (weighted when sampled).
    const weight = bucket.count / bucket.values.length;
    bucket.values.forEach((v, i) => {
      const t = firstMs + (bucket.offsetsMs[i] ?? 0);
      if (t < startMs || t >= endMs) return;
      const acc = periodOf(Math.floor((t - startMs) / periodMs));
      mergeInto(acc, { sum: v * weight, count: weight, min: v, max: v });
      acc.values.push(v);
    });
  }
  return periods;
}

function mergeInto(acc: Aggregate, add: Aggregate): void {
  acc.sum += add.sum;
  acc.count += add.count;
  if (add.min < acc.min) acc.min = add.min;
  if (add.max > acc.max) acc.max = add.max;
}
