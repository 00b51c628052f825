/** The prices of one region as text, for `npm run prices` (render first: a string, printed by the script). */

import { formatNumber } from "../../../reports/format.ts";
import { type PriceTable, regionPrices, type TieredPrice } from "../price-table.ts";
import { PRICE_COMPONENTS } from "./price-file.ts";

const LABELS: Record<string, string> = {
  "lambda.x86_64": "Lambda x86_64, per GB-second",
  "lambda.arm64": "Lambda arm64, per GB-second",
  "lambda.requests": "Lambda requests, per 1M",
  "apiGateway.REST": "API Gateway REST API, per 1M calls",
  "apiGateway.HTTP": "API Gateway HTTP API, per 1M calls",
  "dynamodb.writeRequestUnits": "DynamoDB on-demand WRU, per 1M",
  "dynamodb.readRequestUnits": "DynamoDB on-demand RRU, per 1M",
  "cloudwatchLogs.ingestion": "CloudWatch Logs ingestion, per GB",
};

const count = (n: number) => formatNumber(n, 0);

function tiers(price: TieredPrice): string {
  return price.tiers
    .map((t, i) => {
      const from = i === 0 ? 0 : (price.tiers[i - 1]?.upTo ?? 0);
      const range = t.upTo === null ? (i === 0 ? "" : ` over ${count(from)}`) : ` up to ${count(t.upTo)}`;
      return `$${t.usd}${range}`;
    })
    .join(" / ");
}

function priceAt(table: PriceTable, region: string, path: string): TieredPrice | undefined {
  const p = regionPrices(region, table);
  const [group, part] = path.split(".") as [string, string];
  if (group === "lambda")
    return part === "requests" ? p.lambda.requests : p.lambda.gbSecond[part as "x86_64" | "arm64"];
  if (group === "apiGateway") return p.apiGateway?.[part as "REST" | "HTTP"];
  if (group === "dynamodb") return p.dynamodb?.[part as "writeRequestUnits" | "readRequestUnits"];
  return p.cloudwatchLogs?.ingestion;
}

/** @example renderRegionPrices(DEFAULT_PRICE_TABLE, "us-east-1") */
export function renderRegionPrices(table: PriceTable, region: string): string {
  const p = regionPrices(region, table);
  const lines = [
    `prices for ${region} (${p.name}) · table ${table.version} (${table.origin}, ${table.date}) · USD`,
  ];
  for (const { path } of PRICE_COMPONENTS) {
    const price = priceAt(table, region, path);
    const label = (LABELS[path] ?? path).padEnd(36);
    if (price) {
      lines.push(`  ${label}${tiers(price)}`);
      lines.push(
        `  ${"".padEnd(36)}source: ${price.source}; as of ${price.asOf}${price.note ? `; ${price.note}` : ""}`,
      );
    } else lines.push(`  ${label}— ${p.unsourced[path] ?? "not in this table"}`);
  }
  return lines.join("\n");
}
