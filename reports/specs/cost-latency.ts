/**
 * Chart 2: cost per 1M requests against client p99 latency, one point per completed setting labelled by
 * memory, the Pareto frontier as a dashed step line, each strategy's pick ringed and named, and the SLO's
 * p99 target as a vertical rule when set. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results-types.ts";
import { paretoFrontier } from "../pareto.ts";
import { meetsSlo, okSettings, picksBySetting } from "../settings.ts";
import { base, colorByArchitecture } from "./common.ts";

/** Above this many points, only the frontier and the picks are labelled. */
export const MAX_LABELLED_POINTS = 12;

export interface CostLatencyRow {
  id: string;
  architecture: string;
  memoryMb: number;
  memoryLabel: string;
  latencyMs: number;
  costUsd: number;
  slo: "meets SLO" | "misses SLO" | "no SLO";
  picks: string;
  onFrontier: boolean;
}

export function costLatencyRows(results: Results): CostLatencyRow[] {
  const picks = picksBySetting(results);
  const rows = okSettings(results).flatMap((s) => {
    if (!s.cost || !s.client) return [];
    const meets = meetsSlo(results, s);
    const slo: CostLatencyRow["slo"] = meets === undefined ? "no SLO" : meets ? "meets SLO" : "misses SLO";
    return [
      {
        id: s.id,
        architecture: s.architecture,
        memoryMb: s.memoryMb,
        memoryLabel: `${s.memoryMb} MB`,
        latencyMs: s.client.latency.p99Ms,
        costUsd: s.cost.totalPerMillionUsd,
        slo,
        picks: (picks.get(s.id) ?? []).join(", "),
        onFrontier: false,
      },
    ];
  });
  const frontier = new Set(paretoFrontier(rows).map((r) => r.id));
  return rows.map((r) => ({ ...r, onFrontier: frontier.has(r.id) }));
}

export function costLatencySpec(results: Results): TopLevelSpec {
  const rows = costLatencyRows(results);
  const frontier = paretoFrontier(rows);
  const picked = rows.filter((r) => r.picks !== "");
  const sloP99Ms = results.run.slo?.p99Ms;
  const x = {
    field: "latencyMs",
    type: "quantitative" as const,
    title: "client p99 latency (ms, log scale)",
    // log: a sweep spans an order of magnitude of latency, and the fast settings would huddle on a linear axis
    scale: { type: "log" as const, nice: false, padding: 24 },
    axis: { tickCount: 10 },
  };
  const y = {
    field: "costUsd",
    type: "quantitative" as const,
    title: "cost per 1M requests (USD)",
    scale: { zero: false, nice: true, padding: 16 },
    axis: { format: "$.3f" },
  };
  const hasSlo = rows.some((r) => r.slo !== "no SLO");
  // Past a dozen points the labels of the crowded ones overlap: label the frontier and the picks only.
  // A pick gets one label, memory and strategies together, so two labels never crowd the same ring.
  const labelled = (rows.length <= MAX_LABELLED_POINTS ? rows : rows.filter((r) => r.onFrontier)).filter(
    (r) => r.picks === "",
  );
  const pickLabels = picked.map((r) => ({ ...r, pickLabel: `${r.memoryLabel}: ${r.picks}` }));
  return {
    ...base("Cost versus client p99 latency with the Pareto frontier and each strategy's pick"),
    layer: [
      {
        data: { values: frontier },
        mark: {
          type: "line",
          interpolate: "step-after",
          strokeDash: [5, 3],
          color: "#777",
          strokeWidth: 1.5,
        },
        encoding: { x, y, order: { field: "latencyMs", type: "quantitative" } },
      },
      {
        data: { values: rows },
        mark: { type: "point", filled: true, size: 80, opacity: 0.9 },
        encoding: {
          x,
          y,
          color: colorByArchitecture(results),
          shape: hasSlo
            ? {
                field: "slo",
                type: "nominal",
                title: "SLO",
                scale: { domain: ["meets SLO", "misses SLO"], range: ["circle", "triangle-up"] },
              }
            : { value: "circle" },
          tooltip: [
            { field: "id", title: "setting" },
            { field: "latencyMs", title: "client p99 (ms)", format: ".1f" },
            { field: "costUsd", title: "cost per 1M (USD)", format: "$.4f" },
            { field: "onFrontier", title: "on the Pareto frontier" },
            { field: "slo", title: "SLO" },
            { field: "picks", title: "picked by" },
          ],
        },
      },
      {
        data: { values: labelled },
        mark: { type: "text", align: "left", dx: 7, dy: 9, fontSize: 10, color: "#444" },
        encoding: { x, y, text: { field: "memoryLabel" } },
      },
      {
        data: { values: picked },
        mark: { type: "point", size: 360, strokeWidth: 2, color: "#222", filled: false },
        encoding: { x, y },
      },
      {
        data: { values: pickLabels },
        mark: {
          type: "text",
          align: "left",
          dx: 11,
          dy: -11,
          fontSize: 11,
          fontWeight: "bold",
          color: "#222",
        },
        encoding: { x, y, text: { field: "pickLabel" } },
      },
      ...(sloP99Ms === undefined
        ? []
        : [
            {
              data: { values: [{ latencyMs: sloP99Ms, label: `SLO p99 ${sloP99Ms} ms` }] },
              layer: [
                {
                  mark: { type: "rule" as const, color: "#d62728", strokeDash: [4, 4], strokeWidth: 1.5 },
                  encoding: { x },
                },
                {
                  mark: {
                    type: "text" as const,
                    color: "#d62728",
                    align: "left" as const,
                    baseline: "top" as const,
                    dx: 4,
                    y: 4,
                    fontSize: 11,
                  },
                  encoding: { x, text: { field: "label" } },
                },
              ],
            },
          ]),
    ],
  };
}
