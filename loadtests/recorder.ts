/**
 * Records what came back: HDR latency histograms (µs) per operation and overall, counts by status, errors by
 * kind, and a per-second timeline keyed by each iteration's intended start second. When the engine reports
 * starts (`recordStart`), also how late each iteration started (an HDR histogram of start lag) and how many
 * started in each second of actual start time (`sent` in the timeline).
 *
 * Per response, two histogram records: its operation's and its second's; per start, one more (start lag).
 * The overall figures are the merge of the operations' buckets (plus requests outside the CRUD mix),
 * computed when asked, not recorded twice.
 */

import type { Histogram } from "hdr-histogram-js";
import * as hdr from "hdr-histogram-js";
import { newLatencyHistogram } from "./latency-histogram.ts";
import {
  type LatencySummary,
  OPERATIONS,
  type OperationName,
  type RequestStats,
  type StartLagSummary,
  type TimelinePoint,
} from "./run-result.ts";
import type { ErrorKind } from "./workload/model.ts";

const newHistogram = (): Histogram => newLatencyHistogram("run");

class Bucket {
  readonly histogram = newHistogram();
  requests = 0;
  errorCount = 0;
  /** HTTP status → count (numbers as keys: no string per response). */
  readonly statusCounts = new Map<number, number>();
  readonly errors: Partial<Record<ErrorKind, number>> = {};

  record(latencyUs: number, status: number, error: ErrorKind | undefined): void {
    this.histogram.recordValue(latencyUs);
    this.requests += 1;
    if (status > 0) this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + 1);
    if (error) {
      this.errorCount += 1;
      this.errors[error] = (this.errors[error] ?? 0) + 1;
    }
  }

  /** Adds another bucket's requests into this one. */
  add(other: Bucket): void {
    this.histogram.add(other.histogram);
    this.requests += other.requests;
    this.errorCount += other.errorCount;
    for (const [status, count] of other.statusCounts)
      this.statusCounts.set(status, (this.statusCounts.get(status) ?? 0) + count);
    for (const [kind, count] of Object.entries(other.errors) as Array<[ErrorKind, number]>)
      this.errors[kind] = (this.errors[kind] ?? 0) + count;
  }
}

/** The latency summary of an HDR histogram of microseconds (ms in the result). */
export function latencySummary(h: Histogram, count: number): LatencySummary {
  const ms = (us: number) => us / 1000;
  if (count === 0)
    return { count, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 };
  return {
    count,
    minMs: ms(h.minNonZeroValue),
    meanMs: ms(h.mean),
    p50Ms: ms(h.getValueAtPercentile(50)),
    p90Ms: ms(h.getValueAtPercentile(90)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    p999Ms: ms(h.getValueAtPercentile(99.9)),
    maxMs: ms(h.maxValue),
  };
}

function statsOf(bucket: Bucket, withHistogram: boolean): RequestStats {
  const statusCounts: Record<string, number> = {};
  for (const status of [...bucket.statusCounts.keys()].sort((a, b) => a - b))
    statusCounts[String(status)] = bucket.statusCounts.get(status) as number;
  const stats: RequestStats = {
    requests: bucket.requests,
    latency: latencySummary(bucket.histogram, bucket.requests),
    statusCounts,
    errors: { ...bucket.errors },
    errorCount: bucket.errorCount,
    errorRate: bucket.requests === 0 ? 0 : bucket.errorCount / bucket.requests,
  };
  if (withHistogram) stats.histogram = hdr.encodeIntoCompressedBase64(bucket.histogram);
  return stats;
}

interface SecondPoint {
  requests: number;
  errors: number;
  histogram: Histogram;
}

export class Recorder {
  /** One bucket per operation, in OPERATIONS order, created on first use. */
  private readonly byOperation = new Map<OperationName, Bucket>();
  /** Requests outside the CRUD mix (the tuner's direct invocations): they count only overall. */
  private unassigned: Bucket | undefined;
  /** Indexed by second of intended start; holes are seconds without a request. */
  private readonly seconds: Array<SecondPoint | undefined> = [];
  private recorded = 0;
  private errorTotal = 0;
  /** Start lag (µs) of every started iteration; created on the first `recordStart`. */
  private startLag: Histogram | undefined;
  /** Iterations started, indexed by second of actual start; holes are seconds without a start. */
  private readonly sentPerSecond: Array<number | undefined> = [];

  /** Total recorded so far (for progress reports). */
  get requests(): number {
    return this.recorded;
  }
  get errors(): number {
    return this.errorTotal;
  }

  record(
    operation: OperationName | undefined,
    intendedStartMs: number,
    latencyMs: number,
    status: number,
    error: ErrorKind | undefined,
  ): void {
    // Microseconds, at least 1 (the histograms' lowest discernible value).
    const latencyUs = Math.max(1, Math.round(latencyMs * 1000));
    let bucket = operation === undefined ? this.unassigned : this.byOperation.get(operation);
    if (!bucket) {
      bucket = new Bucket();
      if (operation === undefined) this.unassigned = bucket;
      else this.byOperation.set(operation, bucket);
    }
    bucket.record(latencyUs, status, error);
    this.recorded += 1;
    const second = Math.max(0, Math.floor(intendedStartMs / 1000));
    let point = this.seconds[second];
    if (!point) {
      point = { requests: 0, errors: 0, histogram: newLatencyHistogram("second") };
      this.seconds[second] = point;
    }
    point.requests += 1;
    if (error) {
      point.errors += 1;
      this.errorTotal += 1;
    }
    point.histogram.recordValue(latencyUs);
  }

  /**
   * One iteration started at `startedMs` (ms from the run's start) though it was due at `dueMs`: its start
   * lag and its second of actual start.
   */
  recordStart(dueMs: number, startedMs: number): void {
    this.startLag ??= newHistogram();
    this.startLag.recordValue(Math.max(0, Math.round((startedMs - dueMs) * 1000)));
    const second = Math.max(0, Math.floor(startedMs / 1000));
    this.sentPerSecond[second] = (this.sentPerSecond[second] ?? 0) + 1;
  }

  /** Start lag of the iterations recorded with `recordStart`; undefined when none were. */
  startLagSummary(): StartLagSummary | undefined {
    const h = this.startLag;
    if (!h) return undefined;
    const ms = (us: number) => us / 1000;
    return {
      count: h.totalCount,
      p50Ms: ms(h.getValueAtPercentile(50)),
      p99Ms: ms(h.getValueAtPercentile(99)),
      maxMs: ms(h.maxValue),
    };
  }

  /** Every request: the merge of the operations' buckets and the unassigned one. */
  overallStats(): RequestStats {
    const overall = new Bucket();
    for (const op of OPERATIONS) {
      const bucket = this.byOperation.get(op);
      if (bucket) overall.add(bucket);
    }
    if (this.unassigned) overall.add(this.unassigned);
    return statsOf(overall, true);
  }

  operationStats(): Partial<Record<OperationName, RequestStats>> {
    const out: Partial<Record<OperationName, RequestStats>> = {};
    for (const op of OPERATIONS) {
      const bucket = this.byOperation.get(op);
      if (bucket) out[op] = statsOf(bucket, false);
    }
    return out;
  }

  /**
   * One point per second from 0 to the last second with a request or a start; empty seconds included as
   * zeros. `sent` is there when starts were recorded.
   */
  timeline(): TimelinePoint[] {
    const points: TimelinePoint[] = [];
    const withSent = this.startLag !== undefined;
    const length = Math.max(this.seconds.length, this.sentPerSecond.length);
    for (let second = 0; second < length; second++) {
      const point = this.seconds[second];
      const out: TimelinePoint = point
        ? {
            second,
            requests: point.requests,
            errors: point.errors,
            p95Ms: point.histogram.getValueAtPercentile(95) / 1000,
          }
        : { second, requests: 0, errors: 0 };
      if (withSent) out.sent = this.sentPerSecond[second] ?? 0;
      points.push(out);
    }
    return points;
  }
}
