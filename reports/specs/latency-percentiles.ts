/**
 * Chart 3: latency percentiles per setting, client side (p50/p90/p95/p99/max from the load engine's
 * histogram) and Lambda side (CloudWatch Duration avg/p50/p90/p99/max, plus the mean billed duration),
 * with the bootstrap intervals as error bars (client p95, billed-duration mean). Log scale. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results, SettingResult } from "../../tuning/results/results-types.ts";
import { architectureCount, okSettings, settingLabel } from "../settings.ts";
import { base, settingLabelAngle } from "./common.ts";

export interface PercentileRow {
  id: string;
  /** The x axis label: "256 MB" (the architecture too when more than one ran), as the cards name settings. */
  label: string;
  statistic: string;
  valueMs: number;
}

export interface IntervalRow {
  id: string;
  label: string;
  statistic: string;
  lowMs: number;
  highMs: number;
  level: number;
}

interface Side {
  title: string;
  statistics: string[];
  values: (s: SettingResult) => Array<[string, number]> | undefined;
  interval: (s: SettingResult) => Omit<IntervalRow, "label"> | undefined;
}

const CLIENT: Side = {
  title: "client latency (ms, log scale)",
  statistics: ["p50", "p90", "p95", "p99", "max"],
  values: (s) =>
    s.client && [
      ["p50", s.client.latency.p50Ms],
      ["p90", s.client.latency.p90Ms],
      ["p95", s.client.latency.p95Ms],
      ["p99", s.client.latency.p99Ms],
      ["max", s.client.latency.maxMs],
    ],
  interval: (s) =>
    s.stats?.p95Ms && {
      id: s.id,
      statistic: "p95",
      lowMs: s.stats.p95Ms.low,
      highMs: s.stats.p95Ms.high,
      level: s.stats.p95Ms.level,
    },
};

const LAMBDA: Side = {
  title: "Lambda duration (ms, log scale)",
  statistics: ["avg", "p50", "p90", "p99", "max", "billed mean"],
  values: (s) =>
    s.lambda && [
      ["avg", s.lambda.durationMs.avg],
      ["p50", s.lambda.durationMs.p50],
      ["p90", s.lambda.durationMs.p90],
      ["p99", s.lambda.durationMs.p99],
      ["max", s.lambda.durationMs.max],
      ["billed mean", s.lambda.billedDurationMs.mean],
    ],
  interval: (s) => {
    const ci = s.stats?.billedDurationMeanMs;
    return ci && { id: s.id, statistic: "billed mean", lowMs: ci.low, highMs: ci.high, level: ci.level };
  },
};

/** One hue per statistic (Tableau 10, colour-blind distinguishable), and a shape each as a second cue. */
const STATISTIC_COLORS = ["#4c78a8", "#59a14f", "#f28e2b", "#e15759", "#76b7b2", "#b07aa1"];
const STATISTIC_SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down"];

/** Long rows (setting, statistic, value); values ≤ 0 are dropped, as a log scale cannot show them. */
export function percentileRows(results: Results, side: "client" | "lambda"): PercentileRow[] {
  const { values } = side === "client" ? CLIENT : LAMBDA;
  const archs = architectureCount(results);
  return okSettings(results).flatMap((s) =>
    (values(s) ?? [])
      .filter(([, v]) => v > 0)
      .map(([statistic, valueMs]) => ({ id: s.id, label: settingLabel(s, archs), statistic, valueMs })),
  );
}

export function intervalRows(results: Results, side: "client" | "lambda"): IntervalRow[] {
  const { interval } = side === "client" ? CLIENT : LAMBDA;
  const archs = architectureCount(results);
  return okSettings(results).flatMap((s) => {
    const row = interval(s);
    return row && row.lowMs > 0 ? [{ ...row, label: settingLabel(s, archs) }] : [];
  });
}

function percentileSpec(results: Results, side: "client" | "lambda", description: string): TopLevelSpec {
  const { title, statistics } = side === "client" ? CLIENT : LAMBDA;
  const rows = percentileRows(results, side);
  const archs = architectureCount(results);
  // Labelled as the cards name settings ("256 MB"), in the settings' order; ids stay in the tooltips.
  const order = okSettings(results)
    .filter((s) => rows.some((r) => r.id === s.id))
    .map((s) => settingLabel(s, archs));
  const x = {
    field: "label",
    type: "nominal" as const,
    title: "setting",
    sort: order,
    axis: { labelAngle: settingLabelAngle(order) },
  };
  const y = {
    type: "quantitative" as const,
    title,
    scale: { type: "log" as const, nice: false, padding: 10 },
    // a log axis labels 40, 50, 60, 70 ... a few px apart: hide the ones that would overprint their neighbours
    axis: { labelOverlap: "greedy" as const, labelSeparation: 4 },
  };
  return {
    ...base(description),
    layer: [
      {
        data: { values: rows },
        mark: { type: "rule", color: "#bbb", strokeWidth: 2 },
        encoding: {
          x,
          y: { ...y, aggregate: "min", field: "valueMs" },
          y2: { aggregate: "max", field: "valueMs" },
        },
      },
      {
        data: { values: intervalRows(results, side) },
        mark: { type: "errorbar", ticks: { size: 12 }, thickness: 2, color: "#222" },
        encoding: {
          x,
          y: { ...y, field: "lowMs" },
          y2: { field: "highMs" },
          tooltip: [
            { field: "id", title: "setting" },
            { field: "statistic", title: "interval of" },
            { field: "lowMs", title: "low (ms)", format: ".1f" },
            { field: "highMs", title: "high (ms)", format: ".1f" },
            { field: "level", title: "confidence", format: ".0%" },
          ],
        },
      },
      {
        data: { values: rows },
        mark: { type: "point", filled: true, size: 55, opacity: 0.9 },
        encoding: {
          x,
          y: { ...y, field: "valueMs" },
          // distinct hues and shapes: p90, p95 and p99 must be told apart at a glance (viridis shades could not)
          color: {
            field: "statistic",
            type: "nominal",
            title: "statistic",
            sort: statistics,
            scale: { domain: statistics, range: STATISTIC_COLORS.slice(0, statistics.length) },
          },
          shape: {
            field: "statistic",
            type: "nominal",
            sort: statistics,
            scale: { domain: statistics, range: STATISTIC_SHAPES.slice(0, statistics.length) },
          },
          tooltip: [
            { field: "id", title: "setting" },
            { field: "statistic", title: "statistic" },
            { field: "valueMs", title: "ms", format: ".1f" },
          ],
        },
      },
    ],
  };
}

export function clientPercentilesSpec(results: Results): TopLevelSpec {
  return percentileSpec(results, "client", "Client-side latency percentiles per setting");
}

export function lambdaPercentilesSpec(results: Results): TopLevelSpec {
  return percentileSpec(results, "lambda", "Lambda-side duration statistics per setting");
}
