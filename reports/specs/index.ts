/**
 * The charts of the report, in reading order: each with an id (its container in the HTML), a title, a
 * caption that says where its figures come from, and its Vega-Lite spec. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results/results-types.ts";
import { coldStartRateSpec, coldStartRows, initDurationSpec } from "./cold-starts.ts";
import { costBreakdownSpec, costComponentRows } from "./cost-breakdown.ts";
import { costLatencyRows, costLatencySpec } from "./cost-latency.ts";
import { clientPercentilesSpec, lambdaPercentilesSpec, percentileRows } from "./latency-percentiles.ts";
import { memoryRows, powerTuningSpec } from "./power-tuning.ts";
import { errorsOverTimeSpec, p95OverTimeSpec, throughputSpec, timelineRows } from "./timeline.ts";

export interface Chart {
  /** HTML id of the chart's container, e.g. "chart-cost-by-memory". */
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** A group of charts shown side by side (one or two panels). */
export interface Figure {
  id: string;
  title: string;
  caption: string;
  charts: Chart[];
  /** Panels one above the other at full width (for time axes), instead of side by side. */
  stacked?: boolean;
  /** Why the figure is not drawn (no setting has the figures it needs), or undefined when it is. */
  emptyReason?: string;
}

function figure(id: string, title: string, caption: string, hasData: boolean, charts: Chart[]): Figure {
  return hasData
    ? { id, title, caption, charts }
    : {
        id,
        title,
        caption,
        charts: [],
        emptyReason: "no completed setting has the figures this chart needs",
      };
}

function stacked(f: Figure): Figure {
  return { ...f, stacked: true };
}

/** Every figure of the report, built from the results alone. */
export function buildFigures(results: Results): Figure[] {
  const hasMemory = memoryRows(results).length > 0;
  const hasColdStarts = coldStartRows(results).length > 0;
  const anyErrors = timelineRows(results).some((row) => row.errors > 0);
  const anyP95 = timelineRows(results).some((row) => row.p95Ms !== null);
  return [
    figure(
      "power-tuning",
      "1. Cost and p95 latency against memory size",
      "The power-tuning view in one chart: cost per 1M requests (from the cost model; solid line, left axis) and " +
        "client p95 latency (from the load engine's histogram; dashed line, right axis) per memory size, one colour " +
        "per architecture. Both axes start at zero, so a small difference looks small. Error bars: bootstrap " +
        "confidence intervals.",
      hasMemory,
      [
        {
          id: "chart-power-tuning",
          title: "Cost (solid, left) and client p95 (dashed, right) against memory",
          caption: "",
          spec: powerTuningSpec(results),
        },
      ],
    ),
    figure(
      "cost-latency",
      "2. Cost versus latency",
      "Each completed setting, labelled by memory (beyond 12 settings only the frontier and the picks are " +
        "labelled; hover for the others). The dashed staircase is the Pareto frontier (no other setting " +
        "is both cheaper and faster); rings mark each strategy's pick; the red rule is the SLO's p99 target.",
      costLatencyRows(results).length > 0,
      [
        {
          id: "chart-cost-latency",
          title: "Cost versus client p99",
          caption: "",
          spec: costLatencySpec(results),
        },
      ],
    ),
    figure(
      "latency-percentiles",
      "3. Latency percentiles per setting",
      "Client side: the load engine's HDR histogram (p50–max), error bar = bootstrap interval of p95. Lambda side: " +
        "CloudWatch Duration statistics and the mean billed duration from REPORT lines, error bar = its interval.",
      percentileRows(results, "client").length + percentileRows(results, "lambda").length > 0,
      [
        {
          id: "chart-client-percentiles",
          title: "Client side",
          caption: "",
          spec: clientPercentilesSpec(results),
        },
        {
          id: "chart-lambda-percentiles",
          title: "Lambda side",
          caption: "",
          spec: lambdaPercentilesSpec(results),
        },
      ],
    ),
    figure(
      "cold-starts",
      "4. Cold starts",
      "Cold-start rate = cold starts / invocations; the count is printed on each bar. Init Duration from the " +
        "cold-start REPORT lines (bar: mean, tick: max).",
      hasColdStarts,
      [
        {
          id: "chart-cold-start-rate",
          title: "Cold-start rate",
          caption: "",
          spec: coldStartRateSpec(results),
        },
        { id: "chart-init-duration", title: "Init duration", caption: "", spec: initDurationSpec(results) },
      ],
    ),
    figure(
      "cost-breakdown",
      "5. Cost breakdown per setting",
      "Cost per 1M requests by component, from the cost model; error bar = bootstrap interval of the total.",
      costComponentRows(results).length > 0,
      [
        {
          id: "chart-cost-breakdown",
          title: "Cost breakdown",
          caption: "",
          spec: costBreakdownSpec(results),
        },
      ],
    ),
    stacked(
      figure(
        "timeline",
        "6. Throughput, latency and errors over time",
        "Each setting's measured load window (client timeline, one point per second), side by side in the order " +
          "they ran, labelled by memory size; the idle time between windows is left out." +
          (anyErrors ? "" : " No request failed in any load window, so there is no errors panel."),
        timelineRows(results).length > 0,
        [
          {
            id: "chart-throughput",
            title: "Requests per second",
            caption: "",
            spec: throughputSpec(results),
          },
          ...(anyP95
            ? [
                {
                  id: "chart-p95-over-time",
                  title: "Client p95 latency per second",
                  caption: "",
                  spec: p95OverTimeSpec(results),
                },
              ]
            : []),
          // a flat zero line in an empty plot says nothing the caption does not
          ...(anyErrors
            ? [
                {
                  id: "chart-errors",
                  title: "Errors per second",
                  caption: "",
                  spec: errorsOverTimeSpec(results),
                },
              ]
            : []),
        ],
      ),
    ),
  ];
}
