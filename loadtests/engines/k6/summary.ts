/**
 * k6's end-of-test summary data (what `handleSummary(data)` receives) → RunResult. Pure (no npm imports): the
 * k6 scenario's handleSummary calls it inside k6, and the k6 adapter calls it in Node on the saved summary.
 *
 * The documented shape: `data.metrics[name] = { type, contains, values, thresholds? }`, where `values` holds
 * the trend stats named in summaryTrendStats (avg, min, med, max, "p(90)", ...), counters {count, rate},
 * rates {rate, passes, fails}, and `thresholds[expression] = { ok }`; `data.state.testRunDurationMs`.
 * Submetrics appear as `http_req_duration{op:read}` when a threshold names them.
 */

import {
  type LatencySummary,
  OPERATIONS,
  type OperationName,
  type RequestStats,
  RUN_RESULT_SCHEMA_VERSION,
  type RunResult,
  type ThresholdOutcome,
} from "../../run-result.ts";
import { ERROR_KINDS } from "../../workload/model.ts";
import { BEYOND_SEQUENCE_COUNTER, errorCounterName, statusCounterName, TRACKED_STATUSES } from "./options.ts";

export interface K6Metric {
  type: "counter" | "gauge" | "rate" | "trend";
  contains?: "default" | "time" | "data";
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6SummaryData {
  metrics: Record<string, K6Metric>;
  state?: { testRunDurationMs?: number; isStdOutTTY?: boolean; isStdErrTTY?: boolean };
  options?: { summaryTrendStats?: string[] };
  root_group?: unknown;
}

export interface K6SummaryMeta {
  profile: string;
  target: string;
  targetRatePerSec: number;
  /** The profile's scheduled length (sum of its stages), the denominator of achievedRatePerSec. */
  scheduledDurationMs: number;
  /** The workload seed the run used (-e SEED). */
  seed?: number;
  /** `k6 version` output, e.g. "v1.4.2". @default "unknown" */
  k6Version?: string;
  /** When the run started (ISO); @default endedAt − testRunDurationMs */
  startedAt?: string;
  /** When the run ended (ISO); @default now */
  endedAt?: string;
  aborted?: boolean;
}

const metricValue = (data: K6SummaryData, metric: string, key: string): number =>
  data.metrics[metric]?.values[key] ?? 0;

function latencyOf(metric: K6Metric | undefined, count: number): LatencySummary {
  const v = metric?.values ?? {};
  const get = (key: string) => v[key] ?? 0;
  return {
    count,
    minMs: get("min"),
    meanMs: get("avg"),
    p50Ms: get("med"),
    p90Ms: get("p(90)"),
    p95Ms: get("p(95)"),
    p99Ms: get("p(99)"),
    p999Ms: get("p(99.9)"),
    maxMs: get("max"),
  };
}

function operationStats(data: K6SummaryData, op: OperationName): RequestStats {
  const requests = metricValue(data, `http_reqs{op:${op}}`, "count");
  const statusCounts: Record<string, number> = {};
  for (const status of [...TRACKED_STATUSES, "other" as const]) {
    const count = metricValue(data, statusCounterName(op, status), "count");
    if (count > 0) statusCounts[String(status)] = count;
  }
  const errors: Record<string, number> = {};
  for (const kind of ERROR_KINDS) {
    const count = metricValue(data, errorCounterName(op, kind), "count");
    if (count > 0) errors[kind] = count;
  }
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  return {
    requests,
    latency: latencyOf(data.metrics[`http_req_duration{op:${op}}`], requests),
    statusCounts,
    errors,
    errorCount,
    errorRate: requests === 0 ? 0 : errorCount / requests,
  };
}

function sumInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [key, count] of Object.entries(source)) target[key] = (target[key] ?? 0) + count;
}

/** Threshold outcomes of the profile's metrics (the always-true submetric helpers are left out). */
function thresholdOutcomes(data: K6SummaryData): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const metric of ["http_req_failed", "http_req_duration"]) {
    const m = data.metrics[metric];
    for (const [expression, { ok }] of Object.entries(m?.thresholds ?? {})) {
      const lhs = expression.split(/[<>=!]/)[0]?.trim() ?? "";
      outcomes.push({ metric, expression, actual: m?.values[lhs] ?? Number.NaN, passed: ok });
    }
  }
  return outcomes;
}

/**
 * The achieved rate of a k6 run: completed iterations ÷ the profile's scheduled seconds (÷ the seconds it ran
 * when aborted early). Not k6's `iterations.rate`, which divides by the whole run including the graceful stop.
 */
export function k6AchievedRatePerSec(
  completedIterations: number,
  scheduledDurationMs: number,
  testRunDurationMs: number,
  aborted: boolean,
): number {
  const windowMs =
    aborted && testRunDurationMs > 0 ? Math.min(scheduledDurationMs, testRunDurationMs) : scheduledDurationMs;
  return windowMs > 0 ? completedIterations / (windowMs / 1000) : 0;
}

/**
 * Maps k6 summary data to a RunResult. k6's summary has no per-second series and no HDR histogram: here
 * `timeline` is empty and `histogram` absent; the k6 adapter fills both from k6's JSON output
 * (timeline.ts). k6 times each request from its send.
 */
export function mapK6Summary(data: K6SummaryData, meta: K6SummaryMeta): RunResult {
  if (!data || typeof data !== "object" || typeof data.metrics !== "object" || data.metrics === null) {
    throw new Error("not k6 summary data: expected an object with a `metrics` object (handleSummary's data)");
  }
  const operations: Partial<Record<OperationName, RequestStats>> = {};
  const statusCounts: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const op of OPERATIONS) {
    const stats = operationStats(data, op);
    if (stats.requests === 0) continue;
    operations[op] = stats;
    sumInto(statusCounts, stats.statusCounts);
    sumInto(errors, stats.errors);
  }
  const requests = metricValue(data, "http_reqs", "count");
  const errorCount = Object.values(errors).reduce((a, b) => a + b, 0);
  const durationMs = data.state?.testRunDurationMs ?? 0;
  const endedAt = meta.endedAt ?? new Date().toISOString();
  const startedAt = meta.startedAt ?? new Date(Date.parse(endedAt) - durationMs).toISOString();
  const thresholds = thresholdOutcomes(data);
  // Iterations past the end of a request sequence sent nothing: not counted.
  const completed =
    metricValue(data, "iterations", "count") - metricValue(data, BEYOND_SEQUENCE_COUNTER, "count");
  const result: RunResult = {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    engine: { name: "k6", version: meta.k6Version ?? "unknown" },
    profile: meta.profile,
    target: meta.target,
    startedAt,
    endedAt,
    durationMs,
    targetRatePerSec: meta.targetRatePerSec,
    achievedRatePerSec: k6AchievedRatePerSec(
      completed,
      meta.scheduledDurationMs,
      durationMs,
      meta.aborted ?? false,
    ),
    iterations: { started: completed, completed, dropped: metricValue(data, "dropped_iterations", "count") },
    overall: {
      requests,
      latency: latencyOf(data.metrics["http_req_duration"], requests),
      statusCounts,
      errors,
      errorCount,
      errorRate: requests === 0 ? 0 : errorCount / requests,
    },
    operations,
    timeline: [],
    thresholds,
    thresholdsPassed: thresholds.every((t) => t.passed),
    aborted: meta.aborted ?? false,
  };
  if (meta.seed !== undefined) result.seed = meta.seed;
  return result;
}
