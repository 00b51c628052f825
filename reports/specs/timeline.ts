/**
 * Chart 6: throughput and errors per second over each setting's load window (the client timeline). The
 * windows are laid side by side on one axis of load seconds, in the order they ran, with the idle time
 * between them left out; each window is labelled by its memory size. Panels: requests, client p95 (when the
 * engine recorded it per second) and errors (when any request failed). Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results, SettingResult } from "../../tuning/results/results-types.ts";
import { okSettings } from "../settings.ts";
import { base, colorByArchitecture } from "./common.ts";

/** Seconds left empty between two windows on the load axis. */
const GAP_SECONDS = 3;

export interface TimelineRow {
  id: string;
  architecture: string;
  /** Position on the load axis: the window's offset plus the second within the window. */
  loadSecond: number;
  /** Second within the setting's window (as in the timeline). */
  second: number;
  /** Start of that second, epoch ms: window.startMs + second × 1000. */
  timeMs: number;
  requests: number;
  errors: number;
  p95Ms: number | null;
}

export interface WindowLabel {
  id: string;
  label: string;
  startSecond: number;
  midSecond: number;
}

/**
 * The points a setting's charts show: its timeline without trailing seconds that only hold late starts
 * (`sent` > 0, no request due in them). The charts plot requests by intended start second; such a second
 * would draw a drop to zero after the window.
 */
export function chartedPoints(setting: SettingResult): NonNullable<SettingResult["client"]>["timeline"] {
  const timeline = setting.client?.timeline ?? [];
  let end = timeline.length;
  while (end > 0 && timeline[end - 1]?.requests === 0 && (timeline[end - 1]?.sent ?? 0) > 0) end -= 1;
  return timeline.slice(0, end);
}

function windows(results: Results): Array<{ setting: SettingResult; offset: number; length: number }> {
  const ran = okSettings(results)
    .filter((s) => chartedPoints(s).length > 0)
    .sort((a, b) => a.window.startMs - b.window.startMs || a.id.localeCompare(b.id));
  let offset = 0;
  return ran.map((setting) => {
    const length = Math.max(...chartedPoints(setting).map((p) => p.second)) + 1;
    const placed = { setting, offset, length };
    offset += length + GAP_SECONDS;
    return placed;
  });
}

export function timelineRows(results: Results): TimelineRow[] {
  return windows(results).flatMap(({ setting, offset }) =>
    chartedPoints(setting).map((point) => ({
      id: setting.id,
      architecture: setting.architecture,
      loadSecond: offset + point.second,
      second: point.second,
      timeMs: setting.window.startMs + point.second * 1000,
      requests: point.requests,
      errors: point.errors,
      p95Ms: point.p95Ms ?? null,
    })),
  );
}

export function windowLabels(results: Results): WindowLabel[] {
  return windows(results).map(({ setting, offset, length }) => ({
    id: setting.id,
    label: `${setting.memoryMb}`,
    startSecond: offset,
    midSecond: offset + length / 2,
  }));
}

const X = {
  field: "loadSecond",
  type: "quantitative" as const,
  title: "load seconds (windows side by side, in run order)",
  axis: { grid: false },
  scale: { nice: false },
};
const TOOLTIP = [
  { field: "id", title: "setting" },
  { field: "second", title: "second of the window" },
  {
    field: "timeMs",
    title: "time (UTC)",
    type: "temporal" as const,
    timeUnit: "utchoursminutesseconds" as const,
  },
  { field: "requests", title: "requests" },
  { field: "errors", title: "errors" },
  { field: "p95Ms", title: "p95 (ms)", format: ".1f" },
];

/** Window boundaries (rules) and memory labels, shared by both panels. */
function windowLayers(results: Results, withLabels: boolean) {
  const labels = windowLabels(results);
  return [
    {
      data: { values: labels.slice(1) },
      mark: { type: "rule" as const, color: "#ddd", strokeDash: [2, 2] },
      encoding: { x: { ...X, field: "startSecond" } },
    },
    ...(withLabels
      ? [
          {
            data: { values: labels },
            mark: { type: "text" as const, fontSize: 10, color: "#555", baseline: "top" as const, y: -12 },
            encoding: { x: { ...X, field: "midSecond" }, text: { field: "label" } },
          },
        ]
      : []),
  ];
}

export function throughputSpec(results: Results): TopLevelSpec {
  return {
    ...base("Requests per second during each setting's load window"),
    layer: [
      ...windowLayers(results, true),
      {
        data: { values: timelineRows(results) },
        mark: { type: "line", strokeWidth: 1.5, point: { size: 10 } },
        encoding: {
          x: X,
          y: { field: "requests", type: "quantitative", title: "requests per second" },
          color: colorByArchitecture(results),
          detail: { field: "id" },
          tooltip: TOOLTIP,
        },
      },
    ],
  };
}

/** Client p95 latency in each second of every window: how latency moved during the load, not only its summary. */
export function p95OverTimeSpec(results: Results): TopLevelSpec {
  return {
    ...base("Client p95 latency in each second of each setting's load window"),
    height: 180,
    layer: [
      ...windowLayers(results, false),
      {
        data: { values: timelineRows(results).filter((row) => row.p95Ms !== null) },
        mark: { type: "line", strokeWidth: 1.5, point: { size: 10 } },
        encoding: {
          x: X,
          y: { field: "p95Ms", type: "quantitative", title: "client p95 (ms)", scale: { zero: true } },
          color: colorByArchitecture(results),
          detail: { field: "id" },
          tooltip: TOOLTIP,
        },
      },
    ],
  };
}

export function errorsOverTimeSpec(results: Results): TopLevelSpec {
  return {
    ...base("Errors per second during each setting's load window"),
    height: 130,
    layer: [
      ...windowLayers(results, false),
      {
        data: { values: timelineRows(results) },
        mark: { type: "bar", width: 2, color: "#d62728" },
        encoding: {
          x: X,
          y: {
            field: "errors",
            type: "quantitative",
            title: "errors per second",
            axis: { tickMinStep: 1, format: "d" },
          },
          tooltip: TOOLTIP,
        },
      },
    ],
  };
}
