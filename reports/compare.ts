/**
 * Baseline comparison: the deltas per setting between a previous results.json and the current one, and
 * the regressions beyond thresholds (CI gates on them). Pure.
 */
import type {
  Results,
  RunLoad,
  RunMetadata,
  SettingResult,
  WorkloadInput,
  WorkloadInputs,
} from "../tuning/results/results-types.ts";
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
  /** Set when a run does not record its load: what was not compared, in words (the report shows it). */
  loadNotCompared?: string;
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

/**
 * What makes two runs comparable: the stage, the mode, the profile, the engine (API mode; absent when not yet
 * known, e.g. --engine auto before the run) and the load (absent in files written before it was recorded).
 */
export type ComparableRun = Pick<RunMetadata, "profile" | "mode" | "load" | "inputs"> & {
  stage: { name: string };
  engine?: { name: string };
  sequence?: { seed: number; requests?: number };
};

/** The fix every refusal names. */
export const COMPARABLE_FIX =
  "run the baseline with the same stage and flags (--mode, --quick, --profile, --rate, --duration, --warmup, --seed, --engine, --workload, --k6-script, --collection, --environment, --template; direct mode: --payload, --invocations, --parallel, --only-cold-starts)";

/** The workload's files, what each is called in a refusal, and its flag. */
const INPUT_KINDS = [
  ["workload", "workload file", "--workload"],
  ["k6Script", "k6 script", "--k6-script"],
  ["collection", "collection", "--collection"],
  ["environment", "Postman environment", "--environment"],
  ["template", "template", "--template"],
] as const satisfies ReadonlyArray<readonly [keyof WorkloadInputs, string, string]>;

function inputText(label: string, input: WorkloadInput | undefined): string {
  if (!input) return `no ${label}`;
  return `${input.bundled ? "the bundled " : ""}${label} ${input.name} (${input.digest})`;
}

/**
 * Each workload file that differs between the runs (another file, other contents, or one run without it),
 * naming both and the flag. Only when both runs record their files (see inputsNotCompared).
 */
function inputReasons(baseline: WorkloadInputs, current: WorkloadInputs): string[] {
  const reasons: string[] = [];
  for (const [key, label, flag] of INPUT_KINDS) {
    const before = baseline[key];
    const now = current[key];
    if (before?.digest === now?.digest) continue;
    const sameName = before && now && before.name === now.name;
    reasons.push(
      sameName
        ? `baseline ran ${inputText(label, before)}, this run ${now.name} with other contents (${now.digest}) (${flag})`
        : `baseline ran ${inputText(label, before)}, this run ${inputText(label, now)} (${flag})`,
    );
  }
  return reasons;
}

const QUICK = " (--quick)";

function quickOf(run: ComparableRun): string {
  return run.load?.quick ? QUICK : "";
}

type ApiLoad = Extract<RunLoad, { mode: "api" }>;
type DirectLoad = Extract<RunLoad, { mode: "direct" }>;

function apiLoadText(load: ApiLoad): string {
  return `${load.ratePerSec} req/s for ${load.durationS} s after a ${load.warmupS} s warm-up${load.quick ? QUICK : ""}`;
}

function apiLoadReasons(baseline: ApiLoad, current: ApiLoad): string[] {
  if (
    baseline.ratePerSec !== current.ratePerSec ||
    baseline.durationS !== current.durationS ||
    baseline.warmupS !== current.warmupS
  )
    return [`baseline ran ${apiLoadText(baseline)}, this run ${apiLoadText(current)}`];
  return [];
}

function directLoadReasons(baseline: DirectLoad, current: DirectLoad): string[] {
  const reasons: string[] = [];
  if (baseline.invocations !== current.invocations || baseline.parallelism !== current.parallelism)
    reasons.push(
      `baseline ran ${baseline.invocations} invocations ${baseline.parallelism} at a time, this run ${current.invocations} ${current.parallelism} at a time (--invocations, --parallel)`,
    );
  if (baseline.onlyColdStarts !== current.onlyColdStarts)
    reasons.push(
      `baseline ran with onlyColdStarts ${baseline.onlyColdStarts}, this run ${current.onlyColdStarts} (--only-cold-starts)`,
    );
  if (baseline.payloadsDigest !== current.payloadsDigest)
    reasons.push(
      `baseline sent other payloads (${baseline.payloadsDigest}) than this run (${current.payloadsDigest}) (--payload)`,
    );
  return reasons;
}

/** Measured requests planned per setting: the load's, else the sequence's (files before the load was recorded). */
function plannedRequests(run: ComparableRun): number | undefined {
  return run.load?.mode === "api" ? run.load.requests : run.sequence?.requests;
}

/**
 * Why two runs cannot be compared, each reason naming the field and both values, or undefined when they can:
 * another stage, mode, profile, engine, load (rate, duration, warm-up; direct: invocations, payloads), seed or
 * request sequence. A smoke run against a baseline-profile run measures a different load: its "regressions"
 * are the profile's. What a baseline does not record is not compared (see loadNotCompared).
 *
 * @example incomparableReason(current.run, baseline.run) // "baseline ran 50 req/s for 6 s after a 1 s warm-up, this run 20 req/s for 4 s after a 1 s warm-up (--quick)"
 */
export function incomparableReason(current: ComparableRun, baseline: ComparableRun): string | undefined {
  const reasons: string[] = [];
  if (baseline.stage.name !== current.stage.name)
    reasons.push(`baseline ran on the ${baseline.stage.name} stage, this run on ${current.stage.name}`);
  if (baseline.mode !== current.mode)
    reasons.push(`baseline ran in ${baseline.mode} mode, this run in ${current.mode} mode (--mode)`);
  if (baseline.profile !== current.profile)
    reasons.push(
      `baseline ran profile ${baseline.profile}${quickOf(baseline)}, this run ${current.profile}${quickOf(current) || " (--profile)"}`,
    );
  if (baseline.mode === "api" && current.mode === "api") {
    if (baseline.engine && current.engine && baseline.engine.name !== current.engine.name)
      reasons.push(
        `baseline ran the ${baseline.engine.name} engine, this run ${current.engine.name} (--engine)`,
      );
    const loadReasons =
      baseline.load?.mode === "api" && current.load?.mode === "api"
        ? apiLoadReasons(baseline.load, current.load)
        : [];
    reasons.push(...loadReasons);
    const before = plannedRequests(baseline);
    const now = plannedRequests(current);
    // Only when the load looks the same: then another count means another request schedule.
    if (loadReasons.length === 0 && before !== undefined && now !== undefined && before !== now)
      reasons.push(`baseline planned ${before} requests per setting, this run ${now}`);
    if (baseline.sequence && current.sequence && baseline.sequence.seed !== current.sequence.seed)
      reasons.push(
        `baseline ran seed ${baseline.sequence.seed}, this run seed ${current.sequence.seed} (--seed)`,
      );
    if (baseline.inputs && current.inputs) reasons.push(...inputReasons(baseline.inputs, current.inputs));
  }
  if (baseline.load?.mode === "direct" && current.load?.mode === "direct")
    reasons.push(...directLoadReasons(baseline.load, current.load));
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}

/**
 * What could not be compared because a run does not record its load (a version-2 file written before
 * `run.load`), or undefined when both record it.
 */
export function loadNotCompared(current: ComparableRun, baseline: ComparableRun): string | undefined {
  const missing = [...(baseline.load ? [] : ["the baseline"]), ...(current.load ? [] : ["this run"])];
  if (missing.length === 0) return inputsNotCompared(current, baseline);
  return `the load (rate, duration, warm-up${current.mode === "direct" ? ", invocations, payloads" : ""}) could not be compared: ${missing.join(" and ")} does not record it (results.json written before run.load); profile, mode, stage${current.mode === "api" ? ", engine, seed and request count" : ""} were compared`;
}

/**
 * What could not be compared because a run does not record the files that defined its workload (API mode, a
 * file written before `run.inputs`): the workload file, k6 script, collection and template may have differed.
 */
export function inputsNotCompared(current: ComparableRun, baseline: ComparableRun): string | undefined {
  if (current.mode !== "api" || baseline.mode !== "api") return undefined;
  const missing = [...(baseline.inputs ? [] : ["the baseline"]), ...(current.inputs ? [] : ["this run"])];
  if (missing.length === 0) return undefined;
  return `the workload's files (workload file or k6 script, collection, template) could not be compared: ${missing.join(" and ")} does not record them (results.json written before run.inputs); a baseline measured with other files is a different workload`;
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
 * Runs of another stage, mode, profile, engine or load are refused (IncomparableBaselineError, see
 * incomparableReason).
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
      `baseline ${baseline.run.id} is not comparable with run ${current.run.id}: ${reason}: ${COMPARABLE_FIX}`,
    );
  const note = loadNotCompared(current.run, baseline.run);
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
  return {
    baselineRunId: baseline.run.id,
    thresholds: t,
    settings,
    regressions,
    ...(note ? { loadNotCompared: note } : {}),
  };
}
