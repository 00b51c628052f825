/**
 * Records what came back: HDR latency histograms (µs) per operation and overall, counts by status, errors by
 * kind, and a per-second timeline keyed by each iteration's intended start second.
 */

import type { Histogram } from "hdr-histogram-js";
import * as hdr from "hdr-histogram-js";
import {
  type LatencySummary,
  OPERATIONS,
  type OperationName,
  type RequestStats,
  type TimelinePoint,
} from "../run-result.ts";
import type { ErrorKind } from "../workload.ts";

const newHistogram = (): Histogram =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });

class Bucket {
  readonly histogram = newHistogram();
  requests = 0;
  errorCount = 0;
  readonly statusCounts: Record<string, number> = {};
  readonly errors: Record<string, number> = {};

  record(latencyUs: number, status: number, error: ErrorKind | undefined): void {
    this.histogram.recordValue(Math.max(1, Math.round(latencyUs)));
    this.requests += 1;
    if (status > 0) this.statusCounts[String(status)] = (this.statusCounts[String(status)] ?? 0) + 1;
    if (error) {
      this.errorCount += 1;
      this.errors[error] = (this.errors[error] ?? 0) + 1;
    }
  }
}

function latencySummary(h: Histogram, count: number): LatencySummary {
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
  const stats: RequestStats = {
    requests: bucket.requests,
    latency: latencySummary(bucket.histogram, bucket.requests),
    statusCounts: { ...bucket.statusCounts },
    errors: { ...bucket.errors },
    errorCount: bucket.errorCount,
    errorRate: bucket.requests === 0 ? 0 : bucket.errorCount / bucket.requests,
  };
  if (withHistogram) stats.histogram = hdr.encodeIntoCompressedBase64(bucket.histogram);
  return stats;
}

export class Recorder {
  private readonly overall = new Bucket();
  private readonly byOperation = new Map<OperationName, Bucket>();
  private readonly seconds = new Map<number, { requests: number; errors: number; histogram: Histogram }>();

  /** Total recorded so far (for progress reports). */
  get requests(): number {
    return this.overall.requests;
  }
  get errors(): number {
    return this.overall.errorCount;
  }

  record(
    operation: OperationName | undefined,
    intendedStartMs: number,
    latencyMs: number,
    status: number,
    error: ErrorKind | undefined,
  ): void {
    const latencyUs = latencyMs * 1000;
    this.overall.record(latencyUs, status, error);
    // Requests outside the CRUD mix (the tuner's direct invocations) count only overall.
    if (operation !== undefined) {
      let bucket = this.byOperation.get(operation);
      if (!bucket) {
        bucket = new Bucket();
        this.byOperation.set(operation, bucket);
      }
      bucket.record(latencyUs, status, error);
    }
    const second = Math.floor(intendedStartMs / 1000);
    let point = this.seconds.get(second);
    if (!point) {
      point = { requests: 0, errors: 0, histogram: newHistogram() };
      this.seconds.set(second, point);
    }
    point.requests += 1;
    if (error) point.errors += 1;
    point.histogram.recordValue(Math.max(1, Math.round(latencyUs)));
  }

  overallStats(): RequestStats {
    return statsOf(this.overall, true);
  }

  operationStats(): Partial<Record<OperationName, RequestStats>> {
    const out: Partial<Record<OperationName, RequestStats>> = {};
    for (const op of OPERATIONS) {
      const bucket = this.byOperation.get(op);
      if (bucket) out[op] = statsOf(bucket, false);
    }
    return out;
  }

  /** One point per second from 0 to the last second with a request; empty seconds included as zeros. */
  timeline(): TimelinePoint[] {
    const last = Math.max(-1, ...this.seconds.keys());
    const points: TimelinePoint[] = [];
    for (let second = 0; second <= last; second++) {
      const point = this.seconds.get(second);
      if (!point) points.push({ second, requests: 0, errors: 0 });
      else
        points.push({
          second,
          requests: point.requests,
          errors: point.errors,
          p95Ms: point.histogram.getValueAtPercentile(95) / 1000,
        });
    }
    return points;
  }
}
