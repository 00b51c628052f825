/**
 * One run result from the run results of several k6 processes that each ran one execution segment of the same
 * test (locally, or k6-operator's runners): counts add up, achieved rates add up (each segment's is its own
 * share of the schedule), and latencies come from the MERGED HDR histograms (overall and per operation, as the
 * k6 adapter reads them from k6's JSON output), never from averaged percentiles. Timelines add up second by
 * second (each counted from its own process's first request); a second's p95 cannot be merged from p95s and
 * is left out. Lambda request ids are concatenated; body-size summaries pooled.
 */
import * as hdr from "hdr-histogram-js";
import { LoadtestError } from "../../errors.ts";
import { newLatencyHistogram } from "../../latency-histogram.ts";
import type { Thresholds } from "../../profiles.ts";
import { latencySummary } from "../../recorder.ts";
import {
  type OperationName,
  poolPayloads,
  type RequestStats,
  type RunResult,
  type ThresholdOutcome,
  type TimelinePoint,
} from "../../run-result.ts";
import { evaluateThresholds } from "../../thresholds.ts";

function addCounts(target: Record<string, number>, source: Record<string, number>): void {
  for (const [key, count] of Object.entries(source)) target[key] = (target[key] ?? 0) + count;
}

/** Sums the stats of one scope (overall or one operation); every part must carry its histogram. */
function mergeStats(parts: RequestStats[], scope: string): RequestStats {
  const histogram = newLatencyHistogram("run");
  const statusCounts: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let requests = 0;
  for (const part of parts) {
    if (part.requests > 0) {
      if (!part.histogram) {
        throw new LoadtestError(
          `cannot merge segment results: ${scope} of a segment has ${part.requests} requests but no histogram ` +
            "(the k6 adapter reads it from k6's --out json output; was it missing?)",
        );
      }
      histogram.add(hdr.decodeFromCompressedBase64(part.histogram));
    }
    requests += part.requests;
    addCounts(statusCounts, part.statusCounts);
    addCounts(errors, part.errors);
  }
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const merged: RequestStats = {
    requests,
    latency: latencySummary(histogram, requests),
    statusCounts,
    errors,
    errorCount,
    errorRate: requests === 0 ? 0 : errorCount / requests,
  };
  if (requests > 0) merged.histogram = hdr.encodeIntoCompressedBase64(histogram);
  return merged;
}

/** A result's threshold outcomes back to the profile's thresholds (the expressions thresholdExpressions makes). */
function thresholdsOf(outcomes: ThresholdOutcome[]): Thresholds {
  const out: Thresholds = { errorRateBelow: 1 };
  for (const { metric, expression } of outcomes) {
    const [lhs, limit] = expression.split("<") as [string, string];
    if (metric === "http_req_failed" && lhs === "rate") out.errorRateBelow = Number(limit);
    else if (lhs === "p(95)") out.p95MsBelow = Number(limit);
    else if (lhs === "p(99)") out.p99MsBelow = Number(limit);
  }
  return out;
}

function mergeTimelines(timelines: TimelinePoint[][]): TimelinePoint[] {
  const out: TimelinePoint[] = [];
  for (const timeline of timelines) {
    for (const point of timeline) {
      const at = out[point.second] ?? { second: point.second, requests: 0, errors: 0 };
      out[point.second] = at;
      at.requests += point.requests;
      at.errors += point.errors;
    }
  }
  return Array.from(out, (point, second) => point ?? { second, requests: 0, errors: 0 });
}

/**
 * Merges the results of the segments of one test (same profile and target).
 *
 * @example const merged = mergeSegmentResults(await Promise.all([1, 2].map((index) => engine.run({ ...run, executionSegment: { index, count: 2 } }))));
 */
export function mergeSegmentResults(parts: RunResult[]): RunResult {
  const first = parts[0];
  if (!first) throw new LoadtestError("cannot merge segment results: there are none");
  for (const part of parts) {
    if (part.profile !== first.profile || part.target !== first.target) {
      throw new LoadtestError(
        `cannot merge segment results of different tests: profile "${part.profile}" on ${part.target} vs ` +
          `"${first.profile}" on ${first.target}`,
      );
    }
  }
  const operations: Partial<Record<OperationName, RequestStats>> = {};
  const names = new Set(parts.flatMap((p) => Object.keys(p.operations))) as Set<OperationName>;
  for (const op of names) {
    const opParts = parts.map((p) => p.operations[op]).filter((s): s is RequestStats => s !== undefined);
    operations[op] = mergeStats(opParts, `operation ${op}`);
  }
  const startedAt = parts.map((p) => p.startedAt).sort()[0] as string;
  const endedAt = parts.map((p) => p.endedAt).sort()[parts.length - 1] as string;
  const overall = mergeStats(
    parts.map((p) => p.overall),
    "overall",
  );
  // The profile's thresholds, judged again on the merged figures (a segment's verdict covers only its share).
  const thresholds = evaluateThresholds(thresholdsOf(first.thresholds), overall);
  const merged: RunResult = {
    ...first,
    startedAt,
    endedAt,
    durationMs: Math.max(...parts.map((p) => p.durationMs)),
    achievedRatePerSec: parts.reduce((sum, p) => sum + p.achievedRatePerSec, 0),
    iterations: {
      started: parts.reduce((sum, p) => sum + p.iterations.started, 0),
      completed: parts.reduce((sum, p) => sum + p.iterations.completed, 0),
      dropped: parts.reduce((sum, p) => sum + p.iterations.dropped, 0),
    },
    overall,
    operations,
    timeline: mergeTimelines(parts.map((p) => p.timeline)),
    thresholds,
    thresholdsPassed: thresholds.every((t) => t.passed),
    aborted: parts.some((p) => p.aborted),
  };
  // Body sizes add up (undefined when a segment lacks them: a part of the exchanges is no summary of all).
  const payload = poolPayloads(parts.map((p) => p.payload));
  if (payload) merged.payload = payload;
  else delete merged.payload;
  if (parts.some((p) => p.lambdaRequestIds))
    merged.lambdaRequestIds = parts.flatMap((p) => p.lambdaRequestIds ?? []);
  if (parts.some((p) => p.responsesWithoutLambdaRequestId !== undefined)) {
    merged.responsesWithoutLambdaRequestId = parts.reduce(
      (sum, p) => sum + (p.responsesWithoutLambdaRequestId ?? 0),
      0,
    );
  }
  return merged;
}
