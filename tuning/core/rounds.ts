/**
 * Rounds in rotating order (pure): each setting is measured in several shorter rounds, the settings visited
 * in a rotated order each round (A B C, then B C A, then C A B), so drift of the machine or the account falls on
 * every setting alike; then the rounds of one setting are pooled into the figures of the setting. Every round
 * replays the same request sequence (common random numbers) against the same table state.
 *
 * Pooling: counts add up; client latencies come from the merged HDR histograms (never averaged percentiles,
 * loadtests/engines/k6/merge.ts); the measured invocations' REPORT and request log lines are concatenated (each
 * invocation is one sample of the bootstrap whichever round it ran in); CloudWatch's own counts add up, its
 * duration percentiles cannot be merged, so the pooled cross-check reads them from the REPORT lines.
 */

import { mergeSegmentResults } from "../../loadtests/engines/k6/merge.ts";
import type {
  LatencySummary,
  OperationName,
  RequestStats,
  RunResult,
  TimelinePoint,
} from "../../loadtests/run-result.ts";
import { poolPayloads } from "../../loadtests/run-result.ts";
import type { LambdaMetrics, LogFindings } from "../adapters/collect.ts";
import type { InvocationLogs } from "../adapters/collect-invocations.ts";
import type { ApiGatewayMeasurements } from "../results/results-types.ts";

/**
 * The order settings are visited in each round: round r starts at setting r (mod n) and keeps the
 * settings' order from there, so over n rounds every setting takes every position once.
 *
 * @example roundOrder(3, 3) // [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
 */
export function roundOrder(settings: number, rounds: number): number[][] {
  if (!(Number.isInteger(settings) && settings >= 0))
    throw new RangeError(`settings must be an integer ≥ 0, got ${settings}`);
  if (!(Number.isInteger(rounds) && rounds >= 1))
    throw new RangeError(`rounds must be an integer ≥ 1, got ${rounds}`);
  return Array.from({ length: rounds }, (_, r) =>
    Array.from({ length: settings }, (_, i) => (i + r) % Math.max(1, settings)),
  );
}

/** Timelines one after another: round k's seconds follow round k−1's (a setting's rounds are never concurrent). */
function concatTimelines(timelines: TimelinePoint[][]): TimelinePoint[] {
  const out: TimelinePoint[] = [];
  for (const timeline of timelines) {
    const offset = out.length;
    for (const point of timeline) out.push({ ...point, second: offset + point.second });
  }
  return out;
}

/**
 * One run result from the rounds of one setting: requests, statuses and errors add up, latencies from the
 * merged histograms, the Lambda request ids of every round, the achieved rate averaged over the rounds
 * (weighted by their scheduled length, all equal), the timelines one after another.
 */
export function poolRuns(runs: readonly RunResult[]): RunResult {
  const [first] = runs;
  if (!first) throw new RangeError("poolRuns: expected at least one round, got none");
  if (runs.length === 1) return first;
  const merged = mergeSegmentResults(runs.map((r) => ({ ...r, operations: {} })));
  return {
    ...merged,
    operations: poolOperations(runs),
    // Segments share one schedule (their rates add up); rounds each ran the whole schedule of a round.
    achievedRatePerSec: merged.achievedRatePerSec / runs.length,
    targetRatePerSec: first.targetRatePerSec,
    durationMs: runs.reduce((sum, r) => sum + r.durationMs, 0),
    timeline: concatTimelines(runs.map((r) => r.timeline)),
    ...(payloadOf(runs) ? { payload: payloadOf(runs) } : {}),
  };
}

/** The rounds' body sizes pooled (every round measured them), else none. */
function payloadOf(runs: readonly RunResult[]) {
  return poolPayloads(runs.map((r) => r.payload));
}

/**
 * Per-operation figures of the rounds: counts add up; latencies from the merged histograms when every round
 * has them (k6), else each percentile is the highest of the rounds' (an upper bound: the built-in engine keeps
 * no histogram per operation, and percentiles cannot be averaged).
 */
function poolOperations(runs: readonly RunResult[]): RunResult["operations"] {
  const out: RunResult["operations"] = {};
  const names = new Set(runs.flatMap((r) => Object.keys(r.operations))) as Set<OperationName>;
  for (const name of names) {
    const parts = runs.map((r) => r.operations[name]).filter((p): p is RequestStats => p !== undefined);
    if (parts.every((p) => p.requests === 0 || p.histogram)) {
      const merged = mergeSegmentResults(
        runs.map((r) => ({ ...r, operations: {}, overall: r.operations[name] ?? emptyStats() })),
      );
      out[name] = merged.overall;
      continue;
    }
    const requests = parts.reduce((sum, p) => sum + p.requests, 0);
    const statusCounts: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const p of parts) {
      for (const [k, v] of Object.entries(p.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
      for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
    }
    const errorCount = parts.reduce((sum, p) => sum + p.errorCount, 0);
    const highest = (pick: (l: LatencySummary) => number) => Math.max(...parts.map((p) => pick(p.latency)));
    out[name] = {
      requests,
      latency: {
        count: parts.reduce((sum, p) => sum + p.latency.count, 0),
        minMs: Math.min(...parts.map((p) => p.latency.minMs)),
        meanMs:
          requests === 0 ? 0 : parts.reduce((sum, p) => sum + p.latency.meanMs * p.requests, 0) / requests,
        p50Ms: highest((l) => l.p50Ms),
        p90Ms: highest((l) => l.p90Ms),
        p95Ms: highest((l) => l.p95Ms),
        p99Ms: highest((l) => l.p99Ms),
        p999Ms: highest((l) => l.p999Ms),
        maxMs: highest((l) => l.maxMs),
      },
      statusCounts,
      errors,
      errorCount,
      errorRate: requests === 0 ? 0 : errorCount / requests,
    };
  }
  return out;
}

function emptyStats(): RequestStats {
  return {
    requests: 0,
    latency: { count: 0, minMs: 0, meanMs: 0, p50Ms: 0, p90Ms: 0, p95Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 },
    statusCounts: {},
    errors: {},
    errorCount: 0,
    errorRate: 0,
  };
}

function isInvocationLogs(logs: LogFindings | InvocationLogs): logs is InvocationLogs {
  return "bytesByRequestId" in logs;
}

/** The log findings of every round, concatenated; with exact attribution, the bytes per request id too. */
export function poolLogs<T extends LogFindings | InvocationLogs>(rounds: readonly T[]): T {
  const [first] = rounds;
  if (!first) throw new RangeError("poolLogs: expected at least one round, got none");
  if (rounds.length === 1) return first;
  const findings: LogFindings = {
    reports: rounds.flatMap((r) => r.reports),
    requests: rounds.flatMap((r) => r.requests),
    timeouts: rounds.reduce((sum, r) => sum + r.timeouts, 0),
    outOfMemory: rounds.reduce((sum, r) => sum + r.outOfMemory, 0),
    runtimeExits: rounds.reduce((sum, r) => sum + r.runtimeExits, 0),
  };
  if (!rounds.every(isInvocationLogs)) return findings as T;
  const invocationRounds = rounds as readonly InvocationLogs[];
  const bytesByRequestId = new Map<string, number>();
  for (const r of invocationRounds)
    for (const [id, bytes] of r.bytesByRequestId) bytesByRequestId.set(id, bytes);
  const pooled: InvocationLogs = {
    ...findings,
    logBytes: invocationRounds.reduce((sum, r) => sum + r.logBytes, 0),
    bytesByRequestId,
    invocationsFound: invocationRounds.reduce((sum, r) => sum + r.invocationsFound, 0),
    // CloudWatch's cross-check bounds add up over the rounds, as their metric counts do.
    window: {
      measuredReports: invocationRounds.reduce((sum, r) => sum + r.window.measuredReports, 0),
      allReports: invocationRounds.reduce((sum, r) => sum + r.window.allReports, 0),
    },
    unattributed: {
      events: invocationRounds.reduce((sum, r) => sum + r.unattributed.events, 0),
      bytes: invocationRounds.reduce((sum, r) => sum + r.unattributed.bytes, 0),
    },
  };
  return pooled as T;
}

/**
 * CloudWatch's AWS/Lambda figures of every round: counts add up, the peak concurrency is the highest; duration
 * statistics are left to the caller (percentiles do not merge: the sweep reads them from the REPORT lines).
 */
export function poolLambdaMetrics(rounds: readonly LambdaMetrics[]): LambdaMetrics {
  const [first] = rounds;
  if (!first) throw new RangeError("poolLambdaMetrics: expected at least one round, got none");
  if (rounds.length === 1) return first;
  const invocations = rounds.reduce((sum, r) => sum + r.invocations, 0);
  return {
    invocations,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    throttles: rounds.reduce((sum, r) => sum + r.throttles, 0),
    maxConcurrentExecutions: Math.max(...rounds.map((r) => r.maxConcurrentExecutions)),
    durationMs: {
      avg:
        invocations === 0
          ? 0
          : rounds.reduce((sum, r) => sum + r.durationMs.avg * r.invocations, 0) / invocations,
      p50: Math.max(...rounds.map((r) => r.durationMs.p50)),
      p90: Math.max(...rounds.map((r) => r.durationMs.p90)),
      p99: Math.max(...rounds.map((r) => r.durationMs.p99)),
      max: Math.max(...rounds.map((r) => r.durationMs.max)),
    },
  };
}

/** AWS/ApiGateway figures of every round: counts add up, averages weighted by count; percentiles only of one round. */
export function poolApiGateway(
  rounds: readonly ApiGatewayMeasurements[],
): ApiGatewayMeasurements | undefined {
  const [first] = rounds;
  if (!first) return undefined;
  if (rounds.length === 1) return first;
  const count = rounds.reduce((sum, r) => sum + r.count, 0);
  const weighted = (value: (r: ApiGatewayMeasurements) => number) =>
    count === 0 ? 0 : rounds.reduce((sum, r) => sum + value(r) * r.count, 0) / count;
  return {
    count,
    errors4xx: rounds.reduce((sum, r) => sum + r.errors4xx, 0),
    errors5xx: rounds.reduce((sum, r) => sum + r.errors5xx, 0),
    latencyMs: { avg: weighted((r) => r.latencyMs.avg) },
    integrationLatencyMs: { avg: weighted((r) => r.integrationLatencyMs.avg) },
  };
}
