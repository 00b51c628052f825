/**
 * Pure statistics of the CloudWatch emulation: which `Stat` strings are supported and how one period's raw
 * values turn into a data point.
 *
 * Supported: Sum, Average, Minimum, Maximum, SampleCount, and percentiles `pNN` / `pNN.N...` (0 < NN ≤ 100,
 * e.g. p50, p90, p99, p99.9). Percentile method: nearest rank over the raw values of the period, the value
 * at rank ceil(p/100 × n) of the ascending values (rank at least 1). CloudWatch's other extended statistics
 * (tm, wm, tc, ts, PR, IQM) are not emulated and are rejected.
 */

/** A parsed `Stat`. */
export type MetricStat =
  | { kind: "Sum" | "Average" | "Minimum" | "Maximum" | "SampleCount" }
  | { kind: "percentile"; percentile: number };

const SIMPLE_STATS = ["Sum", "Average", "Minimum", "Maximum", "SampleCount"] as const;
const PERCENTILE = /^p(\d{1,3}(?:\.\d+)?)$/;

/** Parses a CloudWatch `Stat` string; returns undefined when it is not supported here. */
export function parseStat(stat: string): MetricStat | undefined {
  const simple = SIMPLE_STATS.find((s) => s === stat);
  if (simple) return { kind: simple };
  const m = PERCENTILE.exec(stat);
  if (!m?.[1]) return undefined;
  const percentile = Number(m[1]);
  if (!(percentile > 0 && percentile <= 100)) return undefined;
  return { kind: "percentile", percentile };
}

/** Aggregates kept for a set of values; exact even when raw values were sampled. */
export interface Aggregate {
  sum: number;
  count: number;
  min: number;
  max: number;
}

/**
 * Computes one statistic for a period. `sortedValues` are the raw values (ascending) used for percentiles;
 * `aggregate` gives the exact Sum/SampleCount/Minimum/Maximum. Returns undefined for an empty period.
 */
export function computeStat(
  stat: MetricStat,
  aggregate: Aggregate,
  sortedValues: ArrayLike<number>,
): number | undefined {
  if (aggregate.count === 0) return undefined;
  switch (stat.kind) {
    case "Sum":
      return aggregate.sum;
    case "SampleCount":
      return aggregate.count;
    case "Average":
      return aggregate.sum / aggregate.count;
    case "Minimum":
      return aggregate.min;
    case "Maximum":
      return aggregate.max;
    case "percentile":
      return nearestRank(sortedValues, stat.percentile);
  }
}

/** Nearest-rank percentile of ascending values: the value at rank ceil(p/100 × n), at least rank 1. */
export function nearestRank(sortedValues: ArrayLike<number>, percentile: number): number | undefined {
  const n = sortedValues.length;
  if (n === 0) return undefined;
  const rank = Math.max(1, Math.ceil((percentile / 100) * n));
  return sortedValues[Math.min(rank, n) - 1];
}
