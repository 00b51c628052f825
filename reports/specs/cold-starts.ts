/**
 * Chart 4: cold starts per setting: the cold-start rate of the measured window (cold starts / invocations),
 * labelled with its count (the warm-up's cold starts in the tooltip), and the Init Duration of every cold start of the setting
 * (warm-up included; bar: mean, tick: max). Two panels. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results/results-types.ts";
import { coldStartRate, okSettings, settingOrder } from "../settings.ts";
import { base, colorByArchitecture } from "./common.ts";

export interface ColdStartRow {
  id: string;
  architecture: string;
  coldStarts: number;
  /** Cold starts the warm-up absorbed (a new version starts cold); not in the rate. */
  warmupColdStarts: number;
  /** Label of the bar: the measured cold starts only (the warm-up's are in the tooltip: long labels overprinted). */
  label: string;
  invocations: number;
  coldStartRate: number;
  initMeanMs: number | null;
  initMaxMs: number | null;
}

export function coldStartRows(results: Results): ColdStartRow[] {
  return okSettings(results).flatMap((s) => {
    const rate = coldStartRate(s);
    if (!s.lambda || rate === undefined) return [];
    return [
      {
        id: s.id,
        architecture: s.architecture,
        coldStarts: s.lambda.coldStarts,
        warmupColdStarts: s.lambda.warmup?.coldStarts ?? 0,
        label: String(s.lambda.coldStarts),
        invocations: s.lambda.invocations,
        coldStartRate: rate,
        initMeanMs: s.lambda.initDurationMs?.mean ?? null,
        initMaxMs: s.lambda.initDurationMs?.max ?? null,
      },
    ];
  });
}

function settingAxis(results: Results, rows: ColdStartRow[]) {
  const order = settingOrder(results).filter((id) => rows.some((r) => r.id === id));
  return {
    field: "id",
    type: "nominal" as const,
    title: "setting",
    sort: order,
    axis: { labelAngle: order.length > 6 ? -45 : 0 },
  };
}

const TOOLTIP = [
  { field: "id", title: "setting" },
  { field: "coldStarts", title: "cold starts (measured window)" },
  { field: "warmupColdStarts", title: "cold starts in the warm-up (not counted)" },
  { field: "invocations", title: "invocations" },
  { field: "coldStartRate", title: "cold-start rate", format: ".2%" },
  { field: "initMeanMs", title: "init mean (ms)", format: ".1f" },
  { field: "initMaxMs", title: "init max (ms)", format: ".1f" },
];

export function coldStartRateSpec(results: Results): TopLevelSpec {
  const rows = coldStartRows(results);
  const x = settingAxis(results, rows);
  return {
    ...base("Cold-start rate per setting (cold starts / invocations)"),
    data: { values: rows },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 2 },
        encoding: {
          x,
          y: {
            field: "coldStartRate",
            type: "quantitative",
            title: "cold-start rate",
            axis: { format: ".2~%" },
          },
          color: colorByArchitecture(results),
          tooltip: TOOLTIP,
        },
      },
      {
        mark: { type: "text", dy: -6, fontSize: 10, color: "#444" },
        encoding: { x, y: { field: "coldStartRate", type: "quantitative" }, text: { field: "label" } },
      },
    ],
  };
}

export function initDurationSpec(results: Results): TopLevelSpec {
  const rows = coldStartRows(results).filter((r) => r.initMeanMs !== null);
  const x = settingAxis(results, rows);
  return {
    ...base("Init Duration per setting from cold-start REPORT lines: bar = mean, tick = max"),
    data: { values: rows },
    layer: [
      {
        mark: { type: "bar", cornerRadiusEnd: 2, opacity: 0.85 },
        encoding: {
          x,
          y: { field: "initMeanMs", type: "quantitative", title: "init duration (ms): mean, max" },
          color: colorByArchitecture(results),
          tooltip: TOOLTIP,
        },
      },
      {
        mark: { type: "tick", color: "#222", thickness: 2 },
        encoding: { x, y: { field: "initMaxMs", type: "quantitative" }, tooltip: TOOLTIP },
      },
    ],
  };
}
