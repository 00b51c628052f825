/**
 * Baseline comparison: the deltas per setting between a previous results.json and the current one, and
 * the regressions beyond thresholds (CI gates on them). Pure.
 */
import type { Results, RunMetadata, SettingResult } from "../tuning/results-types.ts";
import { IncomparableBaselineError } from "./errors.ts";
import { formatMs, formatRate, formatUsd } from "./format.ts";
import { orderedSettings } from "./settings.ts";

export interface RegressionThresholds {
  /** Relative rise of the cost per 1M requests that is a regression, in percent. @default 10 */
  costPct: number;
  /** Relative rise of the client p95 latency that is a regression, in percent. @default 10 */
  p95Pct: number;
  /** Relative rise of the client p99 latency that is a regression, in percent (tails are noisier). @default 20 */
  p99Pct: number;
  /** Absolute rise of the client error rate that is a regression, in percentage points. @default 1 */
  errorRatePp: number;
}

export const DEFAULT_THRESHOLDS: RegressionThresholds = {
  costPct: 10,
  p95Pct: 10,
  p99Pct: 20,
  errorRatePp: 1,
};

export const COMPARED_METRICS = ["costPerMillionUsd", "p95Ms", "p99Ms", "errorRate"] as const;
export type ComparedMetric = (typeof COMPARED_METRICS)[number];

export interface MetricDelta {
  metric: ComparedMetric;
  previous: number | undefined;
  current: number | undefined;
  /** Relative change (0.12 = +12 %) for cost and latency; absolute change of the fraction for the error rate. */
  change: number | undefined;
  /** Whether the rise is more than noise, and on what grounds (intervals, sample size, a z-test). */
  significant: boolean;
  basis: string;
  /** A rise beyond the threshold that is also significant. */
  regression: boolean;
}

/** A percentile is judged only when at least this many requests lie beyond it in both runs. @default 10 */
export const MIN_TAIL_REQUESTS = 10;
/** One-sided z of the error-rate test (95 %). @default 1.645 */
export const ERROR_RATE_Z = 1.645;

export interface SettingComparison {
  id: string;
  /** "compared": in both runs and completed in both; otherwise why no deltas were computed. */
  status: "compared" | "new" | "missing" | "failed-now" | "failed-before" | "failed-both";
  deltas: MetricDelta[];
}

export interface Regression {
  settingId: string;
  metric: ComparedMetric | "status";
  message: string;
}

export interface Comparison {
  baselineRunId: string;
  thresholds: RegressionThresholds;
  settings: SettingComparison[];
  regressions: Regression[];
}

const METRICS: Record<
  ComparedMetric,
  {
    label: string;
    read: (s: SettingResult) => number | undefined;
    limit: (t: RegressionThresholds) => number;
  }
> = {
  costPerMillionUsd: {
    label: "cost per 1M",
    read: (s) => s.cost?.totalPerMillionUsd,
    limit: (t) => t.costPct,
  },
  p95Ms: { label: "client p95", read: (s) => s.client?.latency.p95Ms, limit: (t) => t.p95Pct },
  p99Ms: { label: "client p99", read: (s) => s.client?.latency.p99Ms, limit: (t) => t.p99Pct },
  errorRate: { label: "error rate", read: (s) => s.client?.errorRate, limit: (t) => t.errorRatePp },
};

type Interval = { low: number; high: number; level: number } | undefined;

function byIntervals(before: Interval, after: Interval): { significant: boolean; basis: string } | undefined {
  if (!before || !after) return undefined;
  const level = `${Math.round(after.level * 100)} %`;
  return after.low > before.high
    ? { significant: true, basis: `${level} intervals do not overlap` }
    : { significant: false, basis: `${level} intervals overlap: not significant` };
}

function byTail(quantile: number, before: SettingResult, after: SettingResult, name: string) {
  const fewest = Math.min(before.client?.requests ?? 0, after.client?.requests ?? 0);
  const beyond = fewest * (1 - quantile);
  return beyond >= MIN_TAIL_REQUESTS
    ? { significant: true, basis: `${Math.floor(beyond)} requests beyond ${name} in the smaller run` }
    : {
        significant: false,
        basis: `too few requests to judge ${name}: ${fewest} give ${beyond.toFixed(1)} beyond it (need ${MIN_TAIL_REQUESTS})`,
      };
}

/** One-sided two-proportion z-test on the error rates (pooled). */
function byErrorRateTest(before: SettingResult, after: SettingResult) {
  const n1 = before.client?.requests ?? 0;
  const n2 = after.client?.requests ?? 0;
  const p1 = before.client?.errorRate ?? 0;
  const p2 = after.client?.errorRate ?? 0;
  if (n1 === 0 || n2 === 0) return { significant: false, basis: "no requests to compare" };
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se === 0 ? (p2 > p1 ? Number.POSITIVE_INFINITY : 0) : (p2 - p1) / se;
  return z >= ERROR_RATE_Z
    ? { significant: true, basis: `z = ${Number.isFinite(z) ? z.toFixed(2) : "∞"} ≥ ${ERROR_RATE_Z}` }
    : { significant: false, basis: `z = ${z.toFixed(2)} < ${ERROR_RATE_Z}: not significant` };
}

/** Whether a rise of `metric` is more than noise: bootstrap intervals where the results have them. */
function significanceOf(metric: ComparedMetric, before: SettingResult, after: SettingResult) {
  switch (metric) {
    case "costPerMillionUsd":
      return (
        byIntervals(before.stats?.costPerMillionUsd, after.stats?.costPerMillionUsd) ?? {
          significant: true,
          basis: "no interval: the threshold alone decides",
        }
      );
    case "p95Ms":
      return byIntervals(before.stats?.p95Ms, after.stats?.p95Ms) ?? byTail(0.95, before, after, "p95");
    case "p99Ms":
      return byTail(0.99, before, after, "p99");
    case "errorRate":
      return byErrorRateTest(before, after);
  }
}

function delta(metric: ComparedMetric, before: SettingResult, after: SettingResult, t: RegressionThresholds) {
  const { read, limit } = METRICS[metric];
  const previous = read(before);
  const current = read(after);
  let change: number | undefined;
  if (previous !== undefined && current !== undefined) {
    if (metric === "errorRate") change = current - previous;
    else if (previous > 0) change = (current - previous) / previous;
  }
  const { significant, basis } = significanceOf(metric, before, after);
  // Compare in percent / percentage points, the unit the thresholds are given in; and only what is significant.
  const beyond = change !== undefined && change * 100 > limit(t) + 1e-9;
  return {
    metric,
    previous,
    current,
    change,
    significant,
    basis,
    regression: beyond && significant,
  } satisfies MetricDelta;
}

/** What makes two runs comparable. */
export type ComparableRun = Pick<RunMetadata, "profile" | "mode"> & { stage: { name: string } };

/**
 * Why two runs cannot be compared (another stage, mode or load profile), or undefined when they can.
 * A smoke run against a baseline-profile run measures a different load: its "regressions" are the profile's.
 */
export function incomparableReason(current: ComparableRun, baseline: ComparableRun): string | undefined {
  const reasons: string[] = [];
  if (baseline.profile !== current.profile)
    reasons.push(`profile ${baseline.profile} there, ${current.profile} here`);
  if (baseline.mode !== current.mode) reasons.push(`mode ${baseline.mode} there, ${current.mode} here`);
  if (baseline.stage.name !== current.stage.name)
    reasons.push(`stage ${baseline.stage.name} there, ${current.stage.name} here`);
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

function describe(metric: ComparedMetric, d: MetricDelta, t: RegressionThresholds): string {
  const { label, limit } = METRICS[metric];
  const change = (d.change ?? 0) * 100;
  if (metric === "errorRate") {
    return `${label} rose by ${change.toFixed(2)} pp (${formatRate(d.previous)} → ${formatRate(d.current)}), over the +${limit(t)} pp threshold; ${d.basis}`;
  }
  const format = metric === "costPerMillionUsd" ? formatUsd : formatMs;
  return `${label} rose by ${change.toFixed(1)} % (${format(d.previous)} → ${format(d.current)}), over the +${limit(t)} % threshold; ${d.basis}`;
}

/**
 * Compare `current` with `baseline`, setting by setting (matched by id).
 * A regression is a metric that rose beyond its threshold and significantly (bootstrap intervals that do
 * not overlap; for p99, enough requests beyond it; for the error rate, a one-sided z-test), or a setting that
 * completed in the baseline and failed now. Settings only in one run are listed, not counted as regressions.
 * Runs of another stage, mode or profile are refused (IncomparableBaselineError).
 *
 * @example compareResults(current, previous, { ...DEFAULT_THRESHOLDS, p95Pct: 5 }).regressions
 */
export function compareResults(
  current: Results,
  baseline: Results,
  thresholds: Partial<RegressionThresholds> = {},
): Comparison {
  const t: RegressionThresholds = {
    costPct: thresholds.costPct ?? DEFAULT_THRESHOLDS.costPct,
    p95Pct: thresholds.p95Pct ?? DEFAULT_THRESHOLDS.p95Pct,
    p99Pct: thresholds.p99Pct ?? DEFAULT_THRESHOLDS.p99Pct,
    errorRatePp: thresholds.errorRatePp ?? DEFAULT_THRESHOLDS.errorRatePp,
  };
  const reason = incomparableReason(current.run, baseline.run);
  if (reason)
    throw new IncomparableBaselineError(
      `baseline ${baseline.run.id} is not comparable with run ${current.run.id} (${reason}): compare runs of the same stage, mode and profile`,
    );
  const before = new Map(baseline.settings.map((s) => [s.id, s]));
  const regressions: Regression[] = [];
  const settings: SettingComparison[] = orderedSettings(current).map((after) => {
    const prev = before.get(after.id);
    if (!prev) return { id: after.id, status: "new", deltas: [] };
    if (after.status === "failed" && prev.status === "ok") {
      const why = after.failures.map((f) => `${f.kind}: ${f.message}`).join("; ") || "no failure recorded";
      regressions.push({
        settingId: after.id,
        metric: "status",
        message: `completed in the baseline, failed now (${why})`,
      });
      return { id: after.id, status: "failed-now", deltas: [] };
    }
    if (after.status === "failed") return { id: after.id, status: "failed-both", deltas: [] };
    if (prev.status === "failed") return { id: after.id, status: "failed-before", deltas: [] };
    const deltas = COMPARED_METRICS.map((metric) => delta(metric, prev, after, t));
    for (const d of deltas) {
      if (d.regression)
        regressions.push({ settingId: after.id, metric: d.metric, message: describe(d.metric, d, t) });
    }
    return { id: after.id, status: "compared", deltas };
  });
  const currentIds = new Set(current.settings.map((s) => s.id));
  for (const prev of orderedSettings(baseline)) {
    if (!currentIds.has(prev.id)) settings.push({ id: prev.id, status: "missing", deltas: [] });
  }
  return { baselineRunId: baseline.run.id, thresholds: t, settings, regressions };
}
