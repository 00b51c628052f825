/**
 * Chart 1, the power-tuning view: cost per 1M requests and client p95 latency against memory size in one
 * chart with two y axes (as aws-lambda-power-tuning draws it), one colour per architecture that ran, with the
 * bootstrap intervals as error bars. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results/results-types.ts";
import { okSettings } from "../settings.ts";
import { architectureColor, base } from "./common.ts";

export interface MemoryRow {
  id: string;
  architecture: string;
  memoryMb: number;
  costPerMillionUsd: number;
  costLowUsd: number | null;
  costHighUsd: number | null;
  p95Ms: number;
  p95LowMs: number | null;
  p95HighMs: number | null;
}

/** One row per completed setting that has both a cost and client latency. */
export function memoryRows(results: Results): MemoryRow[] {
  return okSettings(results).flatMap((s) =>
    s.cost && s.client
      ? [
          {
            id: s.id,
            architecture: s.architecture,
            memoryMb: s.memoryMb,
            costPerMillionUsd: s.cost.totalPerMillionUsd,
            costLowUsd: s.stats?.costPerMillionUsd?.low ?? null,
            costHighUsd: s.stats?.costPerMillionUsd?.high ?? null,
            p95Ms: s.client.latency.p95Ms,
            p95LowMs: s.stats?.p95Ms?.low ?? null,
            p95HighMs: s.stats?.p95Ms?.high ?? null,
          },
        ]
      : [],
  );
}

function memoryAxis(rows: MemoryRow[]) {
  const sizes = [...new Set(rows.map((r) => r.memoryMb))].sort((a, b) => a - b);
  return {
    field: "memoryMb",
    type: "quantitative" as const,
    title: "memory (MB, log scale)",
    scale: { type: "log" as const, base: 2, nice: false, padding: 16 },
    // every size that ran is labelled (a log axis would otherwise label only some); steep labels when crowded
    axis: {
      values: sizes,
      format: ",d",
      labelAngle: sizes.length > 8 ? -45 : 0,
      labelOverlap: false,
      labelFlush: false,
      grid: false,
    },
  };
}

const TOOLTIP = [
  { field: "id", title: "setting" },
  { field: "memoryMb", title: "memory (MB)" },
  { field: "costPerMillionUsd", title: "cost per 1M (USD)", format: "$.4f" },
  { field: "p95Ms", title: "client p95 (ms)", format: ".1f" },
];

/** One metric on its own y axis: the bootstrap interval, then the line with its points. */
function metricLayer(
  rows: MemoryRow[],
  metric: {
    field: string;
    low: string;
    high: string;
    title: string;
    format: string;
    orient: "left" | "right";
  },
  line: { strokeDash?: number[]; filled: boolean; shape: string },
  color: ReturnType<typeof architectureColor>,
) {
  const x = memoryAxis(rows);
  // zero-based: a 2 % difference in cost looks like 2 %, not like a cliff
  const y = {
    type: "quantitative" as const,
    title: metric.title,
    scale: { zero: true },
    axis: { format: metric.format, orient: metric.orient, grid: metric.orient === "left" },
  };
  return {
    layer: [
      {
        transform: [{ filter: `datum.${metric.low} != null && datum.${metric.high} != null` }],
        mark: { type: "errorbar" as const, ticks: true },
        encoding: { x, y: { ...y, field: metric.low }, y2: { field: metric.high }, color },
      },
      {
        mark: {
          type: "line" as const,
          ...(line.strokeDash ? { strokeDash: line.strokeDash } : {}),
          point: { filled: line.filled, size: 60, shape: line.shape },
        },
        encoding: { x, y: { ...y, field: metric.field }, color, tooltip: TOOLTIP },
      },
    ],
  };
}

/**
 * Chart 1, aws-lambda-power-tuning's single view: cost per 1M requests (solid line, left axis) and client p95
 * (dashed line, right axis) against memory, both axes from zero, every memory size labelled.
 */
export function powerTuningSpec(results: Results): TopLevelSpec {
  const rows = memoryRows(results);
  const color = architectureColor(rows.map((r) => r.architecture));
  return {
    ...base("Cost per 1M requests and client p95 latency against memory size, two axes"),
    data: { values: rows },
    layer: [
      metricLayer(
        rows,
        {
          field: "costPerMillionUsd",
          low: "costLowUsd",
          high: "costHighUsd",
          title: "cost per 1M requests (USD) ●——",
          format: "$.2f",
          orient: "left",
        },
        { filled: true, shape: "circle" },
        color,
      ),
      metricLayer(
        rows,
        {
          field: "p95Ms",
          low: "p95LowMs",
          high: "p95HighMs",
          title: "client p95 latency (ms) ◇– –",
          format: ",.0f",
          orient: "right",
        },
        { strokeDash: [6, 4], filled: false, shape: "diamond" },
        color,
      ),
    ],
    resolve: { scale: { y: "independent" } },
  } as TopLevelSpec;
}
