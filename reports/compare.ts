/**
 * Baseline comparison: the deltas per setting between a previous results.json and the current one, and
 * the regressions beyond thresholds (CI gates on them). Pure.
 */
import type { Results, SettingResult } from "../tuning/results-types.ts";
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
  regression: boolean;
}

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

function delta(metric: ComparedMetric, before: SettingResult, after: SettingResult, t: RegressionThresholds) {
  const { read, limit } = METRICS[metric];
  const previous = read(before);
  const current = read(after);
  let change: number | undefined;
  if (previous !== undefined && current !== undefined) {
    if (metric === "errorRate") change = current - previous;
    else if (previous > 0) change = (current - previous) / previous;
  }
  // Compare in percent / percentage points, the unit the thresholds are given in.
  const regression = change !== undefined && change * 100 > limit(t) + 1e-9;
  return { metric, previous, current, change, regression } satisfies MetricDelta;
}

function describe(metric: ComparedMetric, d: MetricDelta, t: RegressionThresholds): string {
  const { label, limit } = METRICS[metric];
  const change = (d.change ?? 0) * 100;
  if (metric === "errorRate") {
    return `${label} rose by ${change.toFixed(2)} pp (${formatRate(d.previous)} → ${formatRate(d.current)}), over the +${limit(t)} pp threshold`;
  }
  const format = metric === "costPerMillionUsd" ? formatUsd : formatMs;
  return `${label} rose by ${change.toFixed(1)} % (${format(d.previous)} → ${format(d.current)}), over the +${limit(t)} % threshold`;
}

/**
 * Compare `current` with `baseline`, setting by setting (matched by id).
 * A regression is a metric that rose beyond its threshold, or a setting that completed in the baseline and
 * failed now. Settings only in one run are listed, not counted as regressions.
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
