/**
 * Chart 1, the power-tuning view: cost per 1M requests and client p95 latency against memory size, one
 * line per architecture, with the bootstrap intervals as error bars. Two panels, one per metric. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results-types.ts";
import { okSettings } from "../settings.ts";
import { ARCHITECTURE_COLOR, base } from "./common.ts";

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
    scale: { type: "log" as const, base: 2, nice: false, padding: 12 },
    axis: {
      values: sizes,
      format: "d",
      labelAngle: sizes.length > 8 ? -45 : 0,
      labelOverlap: true,
      grid: false,
    },
  };
}

function metricSpec(
  rows: MemoryRow[],
  description: string,
  metric: { field: string; low: string; high: string; title: string; format: string },
): TopLevelSpec {
  const x = memoryAxis(rows);
  const tooltip = [
    { field: "id", title: "setting" },
    { field: "memoryMb", title: "memory (MB)" },
    { field: "costPerMillionUsd", title: "cost per 1M (USD)", format: "$.4f" },
    { field: "p95Ms", title: "client p95 (ms)", format: ".1f" },
  ];
  return {
    ...base(description),
    data: { values: rows },
    layer: [
      {
        transform: [{ filter: `datum.${metric.low} != null && datum.${metric.high} != null` }],
        mark: { type: "errorbar", ticks: true },
        encoding: {
          x,
          y: { field: metric.low, type: "quantitative", title: metric.title, scale: { zero: false } },
          y2: { field: metric.high },
          color: ARCHITECTURE_COLOR,
        },
      },
      {
        mark: { type: "line", point: { filled: true, size: 60 } },
        encoding: {
          x,
          y: {
            field: metric.field,
            type: "quantitative",
            title: metric.title,
            axis: { format: metric.format },
          },
          color: ARCHITECTURE_COLOR,
          tooltip,
        },
      },
    ],
  };
}

/** Cost per 1M requests (USD) against memory size. */
export function costByMemorySpec(results: Results): TopLevelSpec {
  return metricSpec(memoryRows(results), "Cost per 1M requests against memory size, per architecture", {
    field: "costPerMillionUsd",
    low: "costLowUsd",
    high: "costHighUsd",
    title: "cost per 1M requests (USD)",
    format: "$.3f",
  });
}

/** Client-side p95 latency (ms) against memory size. */
export function p95ByMemorySpec(results: Results): TopLevelSpec {
  return metricSpec(memoryRows(results), "Client p95 latency against memory size, per architecture", {
    field: "p95Ms",
    low: "p95LowMs",
    high: "p95HighMs",
    title: "client p95 latency (ms)",
    format: ",.0f",
  });
}
