/**
 * Chart 5: cost per 1M requests per setting, stacked by component (Lambda compute, Lambda requests,
 * API Gateway, DynamoDB, failed conditional writes, CloudWatch Logs ingestion, INIT at the cold-start
 * rate), with the bootstrap interval of the total as an error bar. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results/results-types.ts";
import { architectureCount, okSettings, settingLabel } from "../settings.ts";
import { base, settingLabelAngle } from "./common.ts";

export const COST_COMPONENTS = [
  "Lambda compute",
  "Lambda requests",
  "API Gateway",
  "DynamoDB",
  "DynamoDB failed writes",
  "CloudWatch Logs",
  "INIT (cold starts)",
] as const;

export interface CostComponentRow {
  id: string;
  /** The x axis label: "256 MB" (the architecture too when more than one ran), as the cards name settings. */
  label: string;
  component: (typeof COST_COMPONENTS)[number];
  /** Position in the stack, so compute sits at the bottom. */
  stackOrder: number;
  usdPerMillion: number;
  totalPerMillionUsd: number;
}

export function costComponentRows(results: Results): CostComponentRow[] {
  const archs = architectureCount(results);
  return okSettings(results).flatMap((s) => {
    const cost = s.cost;
    if (!cost) return [];
    const values = [
      cost.lambdaComputePerMillionUsd,
      cost.lambdaRequestsPerMillionUsd,
      cost.apiGatewayPerMillionUsd,
      cost.dynamodbPerMillionUsd,
      cost.dynamodbFailedWritesPerMillionUsd,
      cost.cloudwatchLogsPerMillionUsd,
      cost.initPerMillionUsd,
    ];
    return COST_COMPONENTS.map((component, stackOrder) => ({
      id: s.id,
      label: settingLabel(s, archs),
      component,
      stackOrder,
      usdPerMillion: values[stackOrder] ?? 0,
      totalPerMillionUsd: cost.totalPerMillionUsd,
    }));
  });
}

export function costBreakdownSpec(results: Results): TopLevelSpec {
  const rows = costComponentRows(results);
  const archs = architectureCount(results);
  // Labelled as the cards name settings ("256 MB"), in the settings' order; ids stay in the tooltips.
  const order = okSettings(results)
    .filter((s) => rows.some((r) => r.id === s.id))
    .map((s) => settingLabel(s, archs));
  const intervals = okSettings(results).flatMap((s) =>
    s.stats?.costPerMillionUsd && s.cost
      ? [
          {
            id: s.id,
            label: settingLabel(s, archs),
            lowUsd: s.stats.costPerMillionUsd.low,
            highUsd: s.stats.costPerMillionUsd.high,
          },
        ]
      : [],
  );
  const x = {
    field: "label",
    type: "nominal" as const,
    title: "setting",
    sort: order,
    axis: { labelAngle: settingLabelAngle(order) },
  };
  return {
    ...base("Cost per 1M requests per setting, by component"),
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar" },
        encoding: {
          x,
          y: {
            field: "usdPerMillion",
            type: "quantitative",
            stack: "zero",
            title: "cost per 1M requests (USD)",
            axis: { format: "$.2f" },
          },
          color: {
            field: "component",
            type: "nominal",
            title: "component",
            sort: [...COST_COMPONENTS],
            scale: {
              domain: [...COST_COMPONENTS],
              range: ["#4c78a8", "#9ecae9", "#f58518", "#54a24b", "#88d27a", "#b279a2", "#e45756"],
            },
          },
          order: { field: "stackOrder", type: "quantitative" },
          tooltip: [
            { field: "id", title: "setting" },
            { field: "component", title: "component" },
            { field: "usdPerMillion", title: "USD per 1M", format: "$.4f" },
            { field: "totalPerMillionUsd", title: "total USD per 1M", format: "$.4f" },
          ],
        },
      },
      {
        data: { values: intervals },
        mark: { type: "errorbar", ticks: { size: 10 }, color: "#222" },
        encoding: {
          x,
          y: { field: "lowUsd", type: "quantitative", title: "cost per 1M requests (USD)" },
          y2: { field: "highUsd" },
        },
      },
    ],
  };
}
