/**
 * Chart 6: throughput and errors over time, each setting's load window on one UTC time axis (from the
 * client timeline: second `s` of a window starts at window.startMs + s × 1000). Two panels. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results-types.ts";
import { okSettings } from "../settings.ts";
import { ARCHITECTURE_COLOR, base } from "./common.ts";

export interface TimelineRow {
  id: string;
  architecture: string;
  /** Start of the second, epoch ms. */
  timeMs: number;
  requests: number;
  errors: number;
  p95Ms: number | null;
}

export function timelineRows(results: Results): TimelineRow[] {
  return okSettings(results).flatMap((s) =>
    (s.client?.timeline ?? []).map((point) => ({
      id: s.id,
      architecture: s.architecture,
      timeMs: s.window.startMs + point.second * 1000,
      requests: point.requests,
      errors: point.errors,
      p95Ms: point.p95Ms ?? null,
    })),
  );
}

const X = {
  field: "timeMs",
  type: "temporal" as const,
  title: "time (UTC)",
  scale: { type: "utc" as const },
};
const TOOLTIP = [
  { field: "id", title: "setting" },
  {
    field: "timeMs",
    title: "second starting (UTC)",
    type: "temporal" as const,
    timeUnit: "utchoursminutesseconds" as const,
  },
  { field: "requests", title: "requests" },
  { field: "errors", title: "errors" },
  { field: "p95Ms", title: "p95 (ms)", format: ".1f" },
];

export function throughputSpec(results: Results): TopLevelSpec {
  const rows = timelineRows(results);
  const labels = okSettings(results).flatMap((s) =>
    s.client && s.client.timeline.length > 0
      ? [{ id: s.id, label: `${s.memoryMb}`, timeMs: (s.window.startMs + s.window.endMs) / 2 }]
      : [],
  );
  return {
    ...base("Requests per second during each setting's load window"),
    layer: [
      {
        data: { values: rows },
        mark: { type: "line", strokeWidth: 1.5, interpolate: "monotone" },
        encoding: {
          x: { ...X, axis: { format: "%H:%M:%S", labelAngle: 0 } },
          y: { field: "requests", type: "quantitative", title: "requests per second" },
          color: ARCHITECTURE_COLOR,
          detail: { field: "id" },
          tooltip: TOOLTIP,
        },
      },
      {
        data: { values: labels },
        mark: { type: "text", fontSize: 9, color: "#555", baseline: "top", y: 2 },
        encoding: { x: { ...X, axis: { format: "%H:%M:%S", labelAngle: 0 } }, text: { field: "label" } },
      },
    ],
  };
}

export function errorsOverTimeSpec(results: Results): TopLevelSpec {
  const rows = timelineRows(results);
  return {
    ...base("Errors per second during each setting's load window"),
    height: 140,
    data: { values: rows },
    mark: { type: "bar", width: 3, color: "#d62728" },
    encoding: {
      x: { ...X, axis: { format: "%H:%M:%S", labelAngle: 0 } },
      y: { field: "errors", type: "quantitative", title: "errors per second", axis: { tickMinStep: 1 } },
      tooltip: TOOLTIP,
    },
  };
}
