/**
 * The price table: every price the cost model uses, in one versioned piece of data (the committed snapshot
 * tuning/core/prices/snapshot.json, or the user's `--price-table` file, same format), keyed by region and
 * architecture, with AWS's volume tiers and the source and date of each number. No price appears as a
 * literal anywhere else. A figure that could not be sourced is marked so in the file; the cost model then
 * fails with a clear error naming it rather than guess. Pure data and lookups: no I/O.
 */
import { TuningError } from "../errors.ts";
import { priceTableFromFile } from "./prices/price-file.ts";

export { PRICE_RULES } from "./prices/price-rules.ts";
export type { PriceTable, PriceTier, RegionPrices, TieredPrice } from "./prices/price-types.ts";

import type { PriceTable, RegionPrices, TieredPrice } from "./prices/price-types.ts";
import snapshot from "./prices/snapshot.json" with { type: "json" };

/** The committed price snapshot (tuning/core/prices/snapshot.json), its date and source per figure. */
const SNAPSHOT_PATH = "tuning/core/prices/snapshot.json";

/** The default price table: the committed snapshot. Its `version` changes whenever a number changes. */
export const DEFAULT_PRICE_TABLE: PriceTable = priceTableFromFile(snapshot, SNAPSHOT_PATH);

/** A region, service or tier the price table does not have. */
export class PriceTableError extends TuningError {
  override name = "PriceTableError";
}

/** The prices of a region, or a PriceTableError listing the regions the table knows. */
export function regionPrices(region: string, table: PriceTable = DEFAULT_PRICE_TABLE): RegionPrices {
  const prices = table.regions[region];
  if (!prices) {
    const known = Object.keys(table.regions).sort().join(", ");
    throw new PriceTableError(
      `unknown region "${region}" in price table ${table.version}: expected one of ${known}. ` +
        "Run against a listed region, or pass your own table with --price-table <file.json> (config: priceTable; docs/cost-model.md).",
    );
  }
  return prices;
}

/**
 * USD per single unit (one GB-second, one request, one request unit) at a monthly volume.
 * With no volume, the first tier's price. With a volume, the price of the tier that volume falls in
 * (the marginal price); a volume past the last confirmed tier is an error.
 */
export function unitPriceUsd(price: TieredPrice, monthlyQuantity?: number): number {
  const first = price.tiers[0];
  if (!first) throw new PriceTableError(`price for ${price.quantity} has no tiers (source ${price.source})`);
  if (monthlyQuantity === undefined) return first.usd / price.per;
  const tier = price.tiers.find((t) => t.upTo === null || monthlyQuantity <= t.upTo);
  if (!tier) {
    const last = price.tiers[price.tiers.length - 1];
    throw new PriceTableError(
      `no confirmed price for a monthly volume of ${monthlyQuantity} ${price.quantity}s: the table's tiers end at ` +
        `${last?.upTo} (${price.note ?? price.source}). Leave the monthly volume out to use the first tier.`,
    );
  }
  return tier.usd / price.per;
}

/**
 * What a monthly quantity costs in total, each part at its own tier (how AWS bills a month).
 * A quantity past the last confirmed tier is an error.
 */
export function monthlyCostUsd(price: TieredPrice, monthlyQuantity: number): number {
  let costUsd = 0;
  let lower = 0;
  for (const tier of price.tiers) {
    const upper = tier.upTo ?? Number.POSITIVE_INFINITY;
    const inTier = Math.max(0, Math.min(monthlyQuantity, upper) - lower);
    costUsd += (inTier * tier.usd) / price.per;
    if (monthlyQuantity <= upper) return costUsd;
    lower = upper;
  }
  throw new PriceTableError(
    `no confirmed price for a monthly volume of ${monthlyQuantity} ${price.quantity}s: the table's tiers end at ` +
      `${lower} (${price.note ?? price.source}).`,
  );
}

/**
 * Fail fast, before a sweep spends anything: throws a PriceTableError when the table cannot price a run in
 * `region` (unknown region, or no confirmed API Gateway / DynamoDB price there).
 */
export function checkPriceCoverage(
  region: string,
  needs: { apiType: "REST" | "HTTP" | null; dynamodb: boolean; cloudwatchLogs?: boolean },
  table: PriceTable = DEFAULT_PRICE_TABLE,
): void {
  const prices = regionPrices(region, table);
  const missing: string[] = [];
  if (!prices.lambda.requests) missing.push("Lambda requests");
  if (needs.apiType !== null && !prices.apiGateway?.[needs.apiType])
    missing.push(`API Gateway ${needs.apiType} API`);
  if (needs.dynamodb && !prices.dynamodb) missing.push("DynamoDB on-demand");
  if (needs.cloudwatchLogs && !prices.cloudwatchLogs) missing.push("CloudWatch Logs ingestion");
  if (missing.length > 0) {
    const why = missingReasons(prices, needs.apiType, needs.dynamodb, needs.cloudwatchLogs ?? false);
    const complete = Object.values(table.regions)
      .filter(
        (r) =>
          r.lambda.requests &&
          (needs.apiType === null || r.apiGateway?.[needs.apiType]) &&
          (!needs.dynamodb || r.dynamodb) &&
          (!needs.cloudwatchLogs || r.cloudwatchLogs),
      )
      .map((r) => r.region)
      .join(", ");
    throw new PriceTableError(
      `price table ${table.version} has no confirmed ${missing.join(" or ")} price for ${region}${why}: ` +
        `expected a region with every price this run needs (${complete || "none"}). ` +
        "Pass a table with this region's prices with --price-table <file.json> (config: priceTable; `npm run prices -- --refresh` builds one), or run in a listed region.",
    );
  }
}

/** " (unsourced: ...)" for the components a run needs that the file marks unsourced; "" when none is. */
function missingReasons(
  prices: RegionPrices,
  apiType: "REST" | "HTTP" | null,
  dynamodb: boolean,
  cloudwatchLogs: boolean,
): string {
  const paths = [
    "lambda.requests",
    ...(apiType ? [`apiGateway.${apiType}`] : []),
    ...(dynamodb ? ["dynamodb.writeRequestUnits", "dynamodb.readRequestUnits"] : []),
    ...(cloudwatchLogs ? ["cloudwatchLogs.ingestion"] : []),
  ];
  const reasons = paths.filter((p) => prices.unsourced[p] !== undefined);
  return reasons.length > 0 ? ` (${reasons.join(", ")} marked unsourced in the table)` : "";
}

/**
 * A price the cost model needs, or a PriceTableError naming the region, the component and why it is absent.
 * @example requirePrice(regionPrices("us-east-1"), "lambda.requests", table)
 */
export function requirePrice(
  prices: RegionPrices,
  path: string,
  price: TieredPrice | undefined,
  table: PriceTable,
): TieredPrice {
  if (price) return price;
  const why = prices.unsourced[path] ?? "not in the table";
  throw new PriceTableError(
    `no ${path} price for ${prices.region} in price table ${table.version} (${table.origin}): ${why}. ` +
      "Pass a table that has it with --price-table <file.json> (config: priceTable; docs/cost-model.md), or use a region whose prices are listed.",
  );
}
