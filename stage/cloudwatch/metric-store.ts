/**
 * The metric store of the CloudWatch emulation: stage parts `put` data points (MetricSink), the AWS endpoint
 * answers GetMetricData / ListMetrics from it.
 *
 * Storage: one series per metric (namespace, name, exact dimension set); per series, one bucket per second
 * holding the exact Sum / SampleCount / Minimum / Maximum and the raw values for percentiles. Memory is
 * bounded three ways (see DEFAULTS): a per-second cap on raw values (beyond it a uniform reservoir sample is
 * kept, so percentiles become estimates while the other stats stay exact), a retention window measured from
 * the newest data point, and a cap on the number of raw values stored overall (the oldest seconds go first).
 *
 * Query semantics follow CloudWatch: dimensions match exactly (a query for {FunctionName} does not see data put
 * with {FunctionName, Resource}); periods with no data are omitted; timestamps are period starts, newest first
 * unless `scanBy` is "TimestampAscending". Locally any whole number of seconds is a valid period and periods
 * are aligned to the query's StartTime; data points keep their millisecond timestamps, so a window
 * [StartTime, EndTime) cuts exactly (a warm-up that ends in the same second as the measured load starts does
 * not leak into it). A second that a period or window edge cuts through is split value by value.
 */
import type { MetricDatum, MetricSink } from "../contracts.ts";
import { InvalidParameterError } from "./errors.ts";
import { aggregatePeriods, type Bucket, type PeriodAccumulator, type PeriodTable } from "./metric-periods.ts";
import { computeStat, parseStat } from "./metric-stats.ts";

export const DEFAULTS = {
  /** Raw values kept per series and second; beyond it a reservoir sample. @default 1000 */
  maxRawValuesPerSecond: 1000,
  /** Data older than this, measured from the newest data point stored, is dropped. @default 3 hours */
  retentionMs: 3 * 60 * 60 * 1000,
  /** Raw values stored overall; past it the oldest seconds are dropped. @default 2,000,000 (~16 MB) */
  maxStoredValues: 2_000_000,
  /** Distinct series (metric + dimension set); data for further series is dropped and counted. @default 10,000 */
  maxSeries: 10_000,
} as const;

export type MetricStoreOptions = { [K in keyof typeof DEFAULTS]?: number };

interface Series {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  unit: string;
  seconds: Map<number, Bucket>;
  /** The last query's periods; dropped on any change to the series (so it never outlives its data). */
  table?: PeriodTable;
}

/** One query of a metric's statistic over a time range. */
export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  /** e.g. "Sum", "Average", "p99", "p99.9". */
  stat: string;
  periodSeconds: number;
  startMs: number;
  endMs: number;
  /** Only data put with this unit; any unit when absent. */
  unit?: string;
  /** @default "TimestampDescending" */
  scanBy?: "TimestampDescending" | "TimestampAscending";
}

export interface MetricQueryResult {
  /** Period start times, epoch ms. */
  timestampsMs: number[];
  values: number[];
}

/** A metric as ListMetrics returns it. */
export interface MetricIdentity {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

export class MetricStore implements MetricSink {
  readonly options: { [K in keyof typeof DEFAULTS]: number };
  private readonly series = new Map<string, Series>();
  private storedValues = 0;
  private newestSecond = Number.NEGATIVE_INFINITY;
  private lastPruneSecond = Number.NEGATIVE_INFINITY;
  private rngState = 0x9e3779b9;
  /**
   * Series keys of frozen dimension sets, by set, namespace and metric name: the stage's own publishers (the
   * Lambda emulator, the API front) put ~25 data points per request with a few sets built once, and building
   * the key anew each time was 2-3 % of the stage process's CPU per GET. Only frozen sets are cached: a set
   * that can change after a put must be keyed by its contents each time.
   */
  private readonly frozenKeys = new WeakMap<object, Map<string, Map<string, string>>>();
  /** Data points dropped because the series cap was reached (a sign the caller puts unbounded dimensions). */
  droppedDatapoints = 0;

  constructor(options: MetricStoreOptions = {}) {
    const merged = { ...DEFAULTS, ...stripUndefined(options) };
    // At least one raw value per second: the edge split divides by the number kept.
    this.options = {
      ...merged,
      maxRawValuesPerSecond: Math.max(1, Math.floor(merged.maxRawValuesPerSecond)),
    };
  }

  /** MetricSink: stores one data point. Values that are not finite numbers are ignored, as CloudWatch rejects them. */
  put(datum: MetricDatum): void {
    if (!Number.isFinite(datum.value) || !Number.isFinite(datum.timestampMs)) return;
    const key = this.keyOf(datum.namespace, datum.metricName, datum.dimensions);
    let series = this.series.get(key);
    if (!series) {
      if (this.series.size >= this.options.maxSeries) {
        this.droppedDatapoints++;
        return;
      }
      series = {
        namespace: datum.namespace,
        metricName: datum.metricName,
        dimensions: { ...datum.dimensions },
        unit: datum.unit,
        seconds: new Map(),
      };
      this.series.set(key, series);
    }
    series.unit = datum.unit;
    series.table = undefined;
    const second = Math.floor(datum.timestampMs / 1000);
    let bucket = series.seconds.get(second);
    if (!bucket) {
      bucket = { sum: 0, count: 0, min: datum.value, max: datum.value, values: [], offsetsMs: [] };
      series.seconds.set(second, bucket);
    }
    this.addToBucket(bucket, datum.value, datum.timestampMs - second * 1000);
    if (second > this.newestSecond) this.newestSecond = second;
    if (this.newestSecond - this.lastPruneSecond >= 60 || this.storedValues > this.options.maxStoredValues) {
      this.prune();
    }
  }

  private keyOf(namespace: string, metricName: string, dimensions: Record<string, string>): string {
    if (!Object.isFrozen(dimensions)) return seriesKey(namespace, metricName, dimensions);
    let byNamespace = this.frozenKeys.get(dimensions);
    if (!byNamespace) {
      byNamespace = new Map();
      this.frozenKeys.set(dimensions, byNamespace);
    }
    let byName = byNamespace.get(namespace);
    if (!byName) {
      byName = new Map();
      byNamespace.set(namespace, byName);
    }
    let key = byName.get(metricName);
    if (key === undefined) {
      key = seriesKey(namespace, metricName, dimensions);
      byName.set(metricName, key);
    }
    return key;
  }

  /** Number of raw values held (for tests and the perf report). */
  get storedValueCount(): number {
    return this.storedValues;
  }

  /** One statistic per period over [startMs, endMs); throws InvalidParameterError for an invalid query. */
  query(q: MetricQuery): MetricQueryResult {
    const stat = parseStat(q.stat);
    if (!stat) {
      throw new InvalidParameterError(
        "InvalidParameterValueException",
        `unsupported Stat "${q.stat}": expected Sum, Average, Minimum, Maximum, SampleCount or a percentile pNN / pNN.N (e.g. p99, p99.9)`,
      );
    }
    if (!Number.isInteger(q.periodSeconds) || q.periodSeconds < 1) {
      throw new InvalidParameterError(
        "InvalidParameterValueException",
        `invalid Period ${q.periodSeconds}: expected a whole number of seconds ≥ 1`,
      );
    }
    if (!(q.endMs > q.startMs)) {
      throw new InvalidParameterError(
        "InvalidParameterValueException",
        `invalid time range: StartTime (${new Date(q.startMs).toISOString()}) must be before EndTime (${new Date(q.endMs).toISOString()})`,
      );
    }
    const series = this.series.get(seriesKey(q.namespace, q.metricName, q.dimensions));
    if (!series || (q.unit !== undefined && q.unit !== series.unit)) return { timestampsMs: [], values: [] };
    const periods = this.periodTable(series, q.startMs, q.endMs, q.periodSeconds * 1000);
    const indexes = [...periods.keys()].sort((a, b) => a - b);
    if ((q.scanBy ?? "TimestampDescending") === "TimestampDescending") indexes.reverse();
    const timestampsMs: number[] = [];
    const values: number[] = [];
    for (const index of indexes) {
      const acc = periods.get(index);
      if (!acc || acc.count === 0) continue;
      if (stat.kind === "percentile" && !acc.sorted) acc.sorted = Float64Array.from(acc.values).sort();
      const value = computeStat(stat, acc, acc.sorted ?? []);
      if (value === undefined) continue;
      timestampsMs.push(q.startMs + index * q.periodSeconds * 1000);
      values.push(value);
    }
    return { timestampsMs, values };
  }

  /** Aggregates a series' seconds into the periods of [startMs, endMs), or reuses the table of the last query. */
  private periodTable(
    series: Series,
    startMs: number,
    endMs: number,
    periodMs: number,
  ): Map<number, PeriodAccumulator> {
    const key = `${startMs}|${endMs}|${periodMs}`;
    if (series.table?.key === key) return series.table.periods;
    const periods = aggregatePeriods(series.seconds, startMs, endMs, periodMs);
    series.table = { key, periods };
    return periods;
  }

  /** ListMetrics: metrics whose dimensions include every filter (a filter without value matches any value). */
  listMetrics(filter: {
    namespace?: string;
    metricName?: string;
    dimensions?: { name: string; value?: string }[];
  }): MetricIdentity[] {
    const found: MetricIdentity[] = [];
    for (const s of this.series.values()) {
      if (filter.namespace !== undefined && s.namespace !== filter.namespace) continue;
      if (filter.metricName !== undefined && s.metricName !== filter.metricName) continue;
      const ok = (filter.dimensions ?? []).every((d) =>
        d.value === undefined ? d.name in s.dimensions : s.dimensions[d.name] === d.value,
      );
      if (ok)
        found.push({ namespace: s.namespace, metricName: s.metricName, dimensions: { ...s.dimensions } });
    }
    return found;
  }

  private addToBucket(bucket: Bucket, value: number, offsetMs: number): void {
    bucket.sum += value;
    bucket.count++;
    if (value < bucket.min) bucket.min = value;
    if (value > bucket.max) bucket.max = value;
    if (bucket.values.length < this.options.maxRawValuesPerSecond) {
      bucket.values.push(value);
      bucket.offsetsMs.push(offsetMs);
      this.storedValues++;
      return;
    }
    // Reservoir sampling (Algorithm R): every value seen has the same chance to be among those kept.
    const slot = Math.floor(this.random() * bucket.count);
    if (slot < bucket.values.length) {
      bucket.values[slot] = value;
      bucket.offsetsMs[slot] = offsetMs;
    }
  }

  private prune(): void {
    this.lastPruneSecond = this.newestSecond;
    let horizon = this.newestSecond - Math.floor(this.options.retentionMs / 1000);
    this.dropOlderThan(horizon);
    // Over the global cap: move the horizon forward in steps of a tenth of the retained span.
    while (this.storedValues > this.options.maxStoredValues) {
      const oldest = this.oldestSecond();
      if (oldest === undefined || oldest >= this.newestSecond) break;
      horizon = Math.max(horizon, oldest) + Math.max(1, Math.ceil((this.newestSecond - oldest) / 10));
      this.dropOlderThan(horizon);
    }
  }

  private dropOlderThan(horizonSecond: number): void {
    for (const s of this.series.values()) {
      for (const [second, bucket] of s.seconds) {
        if (second < horizonSecond) {
          this.storedValues -= bucket.values.length;
          s.seconds.delete(second);
          s.table = undefined;
        }
      }
    }
  }

  private oldestSecond(): number | undefined {
    let oldest: number | undefined;
    for (const s of this.series.values()) {
      for (const second of s.seconds.keys()) if (oldest === undefined || second < oldest) oldest = second;
    }
    return oldest;
  }

  /** xorshift32: deterministic, so a run's sampling is reproducible. */
  private random(): number {
    let x = this.rngState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.rngState = x >>> 0;
    return this.rngState / 0x1_0000_0000;
  }
}

/**
 * The identity of a series: namespace, name and the dimension set in name order, joined with the control
 * characters U+0001 and U+0002 (only names or values that contain them could collide; metric names never do).
 * It runs on every put (a profile of the endpoint benchmark showed JSON.stringify here at 5 % of CPU).
 */
function seriesKey(namespace: string, metricName: string, dimensions: Record<string, string>): string {
  const names = Object.keys(dimensions);
  if (names.length > 1) names.sort();
  let key = `${namespace}\u0001${metricName}`;
  for (const name of names) key += `\u0001${name}\u0002${dimensions[name]}`;
  return key;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
