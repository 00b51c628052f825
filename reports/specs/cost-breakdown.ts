/**
 * Chart 5: cost per 1M requests per setting, stacked by component (Lambda compute, Lambda requests,
 * API Gateway, DynamoDB, failed conditional writes, CloudWatch Logs ingestion, INIT at the cold-start
 * rate), with the bootstrap interval of the total as an error bar. Pure.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Results } from "../../tuning/results-types.ts";
import { okSettings, settingOrder } from "../settings.ts";
import { base } from "./common.ts";

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
  component: (typeof COST_COMPONENTS)[number];
  /** Position in the stack, so compute sits at the bottom. */
  stackOrder: number;
  usdPerMillion: number;
  totalPerMillionUsd: number;
}

export function costComponentRows(results: Results): CostComponentRow[] {
  return okSettings(results).flatMap((s) => {
    const cost = s.cost;
    if (!cost) return [];
    const values = [
      cost.lambdaComputeUsd,
      cost.lambdaRequestsUsd,
      cost.apiGatewayUsd,
      cost.dynamodbUsd,
      cost.dynamodbFailedWritesUsd,
      cost.cloudwatchLogsUsd,
      cost.initUsd,
    ];
    return COST_COMPONENTS.map((component, stackOrder) => ({
      id: s.id,
      component,
      stackOrder,
      usdPerMillion: values[stackOrder] ?? 0,
      totalPerMillionUsd: cost.totalPerMillionUsd,
    }));
  });
}

export function costBreakdownSpec(results: Results): TopLevelSpec {
  const rows = costComponentRows(results);
  const order = settingOrder(results).filter((id) => rows.some((r) => r.id === id));
  const intervals = okSettings(results).flatMap((s) =>
    s.stats?.costPerMillionUsd && s.cost
      ? [{ id: s.id, lowUsd: s.stats.costPerMillionUsd.low, highUsd: s.stats.costPerMillionUsd.high }]
      : [],
  );
  const x = {
    field: "id",
    type: "nominal" as const,
    title: "setting",
    sort: order,
    axis: { labelAngle: order.length > 6 ? -45 : 0 },
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
