/**
 * Chart 2: cost per 1M requests against client p99 latency, one point per completed setting labelled by
 * memory, the Pareto frontier as a dashed step line, each strategy's pick ringed and named, and the SLO's
 * p99 target as a vertical rule when set. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results/results-types.ts";
import { paretoFrontier } from "../pareto.ts";
import { meetsSlo, okSettings, picksBySetting } from "../settings.ts";
import { base, CHART_HEIGHT_PX, colorByArchitecture } from "./common.ts";

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

/**
 * The plot width labels are laid out for: about the narrowest the report draws chart 2 at (a 1,024 px window).
 * Wider plots spread the points further apart, so labels that do not collide here do not collide there either.
 */
const LAYOUT_WIDTH_PX = 760;

interface LabelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The step of a "nice" axis over `span` with about five ticks (1, 2 or 5 × a power of ten), as vega rounds. */
function niceStep(span: number): number {
  if (!(span > 0)) return 1;
  const raw = span / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

/**
 * Which points get a label, so that no two labels overprint (issue 19: the labels around the picks collided).
 * The picks' labels always show; then each other candidate's label shows unless its box, estimated at
 * LAYOUT_WIDTH_PX with the chart's scales (log latency, "nice" cost), would overlap one already placed. The
 * others are in the tooltip. Pure: positions are estimated from the data, not measured (the browser test
 * measures them).
 */
export function costLatencyLabels(results: Results): { memory: CostLatencyRow[]; picks: CostLatencyRow[] } {
  const rows = costLatencyRows(results);
  const picks = rows.filter((r) => r.picks !== "");
  const candidates = (rows.length <= MAX_LABELLED_POINTS ? rows : rows.filter((r) => r.onFrontier)).filter(
    (r) => r.picks === "",
  );
  if (rows.length === 0) return { memory: [], picks };
  const latencies = rows.map((r) => Math.log(r.latencyMs));
  const [minX, maxX] = [Math.min(...latencies), Math.max(...latencies)];
  const costs = rows.map((r) => r.costUsd);
  const step = niceStep(Math.max(...costs) - Math.min(...costs));
  const [minY, maxY] = [
    Math.floor(Math.min(...costs) / step) * step,
    Math.ceil(Math.max(...costs) / step) * step,
  ];
  const px = (r: CostLatencyRow) =>
    24 + (maxX > minX ? ((Math.log(r.latencyMs) - minX) / (maxX - minX)) * (LAYOUT_WIDTH_PX - 48) : 0);
  const py = (r: CostLatencyRow) =>
    16 + (maxY > minY ? ((maxY - r.costUsd) / (maxY - minY)) * (CHART_HEIGHT_PX - 32) : 0);
  // the text marks below: memory labels at dx 7, dy 9 (10 px), pick labels at dx 11, dy -11 (11 px bold)
  const memoryBox = (r: CostLatencyRow): LabelBox => ({
    x: px(r) + 7,
    y: py(r) + 9 - 7,
    w: r.memoryLabel.length * 6,
    h: 13,
  });
  const pickBox = (r: CostLatencyRow): LabelBox => ({
    x: px(r) + 11,
    y: py(r) - 11 - 8,
    w: `${r.memoryLabel}: ${r.picks}`.length * 7,
    h: 14,
  });
  const pointBox = (r: CostLatencyRow): LabelBox => ({ x: px(r) - 10, y: py(r) - 10, w: 20, h: 20 });
  const collides = (a: LabelBox, b: LabelBox) =>
    a.x < b.x + b.w + 2 && b.x < a.x + a.w + 2 && a.y < b.y + b.h + 2 && b.y < a.y + a.h + 2;
  const placed: LabelBox[] = [...picks.map(pickBox), ...picks.map(pointBox)];
  const memory: CostLatencyRow[] = [];
  for (const r of candidates) {
    const box = memoryBox(r);
    if (placed.some((other) => collides(box, other))) continue;
    placed.push(box);
    memory.push(r);
  }
  return { memory, picks };
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
    // Zoomed on purpose (the settings' costs differ by a few %, and from zero the points would sit on one line
    // and their labels on each other); the title says so, and chart 1 shows the same costs from zero.
    title: "cost per 1M (USD), not from $0",
    scale: { zero: false, nice: true, padding: 16 },
    axis: { format: "$.3f" },
  };
  const hasSlo = rows.some((r) => r.slo !== "no SLO");
  // Past a dozen points label the frontier and the picks only; a pick gets one label, memory and strategies
  // together, so two labels never crowd the same ring; a label that would overprint another is left out.
  const labelled = costLatencyLabels(results).memory;
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
