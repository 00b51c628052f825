/**
 * The price table: every price the cost model uses, in one versioned piece of data, keyed by region and
 * architecture, with AWS's volume tiers and the source and date of each number. No price appears as a
 * literal anywhere else. A region is listed only with the prices that could be confirmed for it; a
 * service left out of a region makes the cost model fail with a clear error rather than guess.
 * Pure data and lookups: no I/O.
 */
import { TuningError } from "./errors.ts";
import type { Architecture } from "./results-types.ts";

/** One volume tier: applies to monthly quantity up to `upTo` (cumulative, in the price's own quantity). */
export interface PriceTier {
  /** Upper bound of the tier in monthly quantity (GB-seconds, requests or request units); null = no bound. */
  upTo: number | null;
  /** USD per `per` units of quantity. */
  usd: number;
}

export interface TieredPrice {
  /** What is counted: GB-seconds, requests or request units. */
  quantity: "GB-second" | "request" | "read request unit" | "write request unit" | "GB ingested";
  /** How many units `usd` buys: 1 for GB-seconds and GB, 1,000,000 for requests and request units. */
  per: 1 | 1_000_000;
  /** Tiers in increasing order of `upTo`; the last one may be bounded when higher tiers are not confirmed. */
  tiers: PriceTier[];
  /** Where the number was read. */
  source: string;
  /** When it was read or published (ISO date). */
  asOf: string;
  note?: string;
}

export interface RegionPrices {
  region: string;
  name: string;
  lambda: {
    /** Duration, per GB-second, by architecture (tiers on monthly GB-seconds per architecture and region). */
    gbSecond: Record<Architecture, TieredPrice>;
    requests: TieredPrice;
  };
  /** Absent where the prices could not be confirmed. */
  apiGateway?: { REST?: TieredPrice; HTTP?: TieredPrice };
  /** On-demand capacity mode. Absent where the prices could not be confirmed. */
  dynamodb?: { writeRequestUnits: TieredPrice; readRequestUnits: TieredPrice };
  /**
   * CloudWatch Logs ingestion of Lambda's logs (Standard log class, "vended logs", volume-tiered since
   * 1 May 2025), per GB of log event messages. Absent where the price could not be confirmed.
   */
  cloudwatchLogs?: { ingestion: TieredPrice };
}

export interface PriceTable {
  /** Changes whenever a price changes; recorded in results.json (run.priceTable.version). */
  version: string;
  /** Date the table was last checked against AWS's pages (ISO date). */
  date: string;
  currency: "USD";
  /** How Lambda bills the INIT phase. The cost model prices billed duration as the REPORT lines state it. */
  initBilling: { effectiveFrom: string; appliesTo: string; rule: string; source: string };
  /** Bytes in one GB of log ingestion (the cost model divides measured bytes by it). */
  bytesPerGb: number;
  /** What the failed conditional write rule is and where it comes from (DynamoDB bills a failed condition). */
  failedConditionalWrites: { rule: string; source: string };
  regions: Record<string, RegionPrices>;
}

const LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/";
const LAMBDA_TIERS = "https://aws.amazon.com/blogs/compute/introducing-tiered-pricing-for-aws-lambda/";
const LAMBDA_REGIONAL =
  "aws-lambda-power-tuning's regional price table (only af-south-1, ap-east-1, eu-south-1, me-south-1, me-central-1 differ from the base price) and " +
  LAMBDA_PRICING;
const APIGW_PRICING = "https://aws.amazon.com/api-gateway/pricing/";
const APIGW_WHITEPAPER =
  "https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html";
const DYNAMODB_PRICING = "https://aws.amazon.com/dynamodb/pricing/on-demand/";
const DYNAMODB_CUT =
  "https://aws.amazon.com/blogs/database/new-amazon-dynamodb-lowers-pricing-for-on-demand-throughput-and-global-tables/";
const OFFER_FILE = (service: string, region: string) =>
  `https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/${service}/current/${region}/index.json`;

const CHECKED = "2026-11-27";
const LOGS_PRICING =
  "https://aws.amazon.com/cloudwatch/pricing/ (Vended Logs, Lambda logs to CloudWatch Logs)";
const LOGS_TIERS =
  "https://www.duckbillgroup.com/?p=9080 (Lambda logs tiered from 1 May 2025; first tier $0.50/GB in us-east-1; 60 TB a month: $30,000 flat → $12,500 tiered, which these tiers reproduce)";

/** Lambda logs ingested into CloudWatch Logs (Standard), us-east-1: $0.50/GB, tiered since 1 May 2025. */
const US_EAST_1_LOGS: TieredPrice = {
  quantity: "GB ingested",
  per: 1,
  tiers: [
    { upTo: 10_000, usd: 0.5 },
    { upTo: 30_000, usd: 0.25 },
    { upTo: 50_000, usd: 0.1 },
    { upTo: null, usd: 0.05 },
  ],
  source: `${LOGS_PRICING}; tiers: ${LOGS_TIERS}`,
  asOf: CHECKED,
  note: "tiers in GB per month: first 10 TB, next 20 TB, next 20 TB, over 50 TB (1 TB = 1,000 GB as in the cited arithmetic)",
};

function lambdaPrices(source: string, asOf: string): RegionPrices["lambda"] {
  return {
    gbSecond: {
      x86_64: {
        quantity: "GB-second",
        per: 1,
        tiers: [
          { upTo: 6e9, usd: 0.0000166667 },
          { upTo: 15e9, usd: 0.000015 },
          { upTo: null, usd: 0.0000133334 },
        ],
        source: `${source}; tiers: ${LAMBDA_TIERS}`,
        asOf,
      },
      arm64: {
        quantity: "GB-second",
        per: 1,
        tiers: [
          { upTo: 7.5e9, usd: 0.0000133334 },
          { upTo: 18.75e9, usd: 0.0000120001 },
          { upTo: null, usd: 0.0000106667 },
        ],
        source: `${source}; tiers: ${LAMBDA_TIERS}`,
        asOf,
      },
    },
    requests: { quantity: "request", per: 1_000_000, tiers: [{ upTo: null, usd: 0.2 }], source, asOf },
  };
}

const US_REST: TieredPrice = {
  quantity: "request",
  per: 1_000_000,
  tiers: [
    { upTo: 333e6, usd: 3.5 },
    { upTo: 1e9, usd: 2.8 },
    { upTo: 20e9, usd: 2.38 },
    { upTo: null, usd: 1.51 },
  ],
  source: `${APIGW_PRICING} (REST example: "US East (N. Virginia, Ohio), US West (Oregon)"); tiers: ${APIGW_WHITEPAPER}`,
  asOf: CHECKED,
};

const US_EAST_1_DYNAMODB: NonNullable<RegionPrices["dynamodb"]> = {
  writeRequestUnits: {
    quantity: "write request unit",
    per: 1_000_000,
    tiers: [{ upTo: null, usd: 0.625 }],
    source: `${DYNAMODB_PRICING}; 50% cut effective 1 Nov 2024: ${DYNAMODB_CUT}`,
    asOf: CHECKED,
  },
  readRequestUnits: {
    quantity: "read request unit",
    per: 1_000_000,
    tiers: [{ upTo: null, usd: 0.125 }],
    source: `${DYNAMODB_PRICING}; 50% cut effective 1 Nov 2024: ${DYNAMODB_CUT}`,
    asOf: CHECKED,
  },
};

/** The default price table. Bump `version` whenever a number changes. */
export const DEFAULT_PRICE_TABLE: PriceTable = {
  version: "2026-12-06.1",
  date: CHECKED,
  currency: "USD",
  initBilling: {
    effectiveFrom: "2025-08-01",
    appliesTo: "on-demand functions packaged as ZIP archives with managed runtimes",
    rule:
      "the INIT phase is billed like invocation duration: Billed Duration of a cold start = ceil(Duration + Init Duration). " +
      "Before 1 Aug 2025 INIT of these functions was not billed. The cost model prices Billed Duration as the REPORT line states it.",
    source: "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/",
  },
  // AWS's pricing pages say "GB" without defining it; binary GB is assumed (docs/cost-model.md).
  bytesPerGb: 1024 ** 3,
  failedConditionalWrites: {
    rule:
      "a conditional write whose condition is false still consumes write units: the larger of the existing and the new item's size, at least 1 WRU. " +
      "The service cannot read the units of a failed write (the exception carries none), so the tuner adds 1 WRU per failed conditional write (a lower bound).",
    source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html",
  },
  regions: {
    "us-east-1": {
      region: "us-east-1",
      name: "US East (N. Virginia)",
      lambda: lambdaPrices(LAMBDA_PRICING, CHECKED),
      apiGateway: {
        REST: US_REST,
        HTTP: {
          quantity: "request",
          per: 1_000_000,
          tiers: [
            { upTo: 300e6, usd: 1.0 },
            { upTo: null, usd: 0.9 },
          ],
          source: `${APIGW_PRICING}; ${APIGW_WHITEPAPER} ("API calls (us-east-1)")`,
          asOf: CHECKED,
        },
      },
      dynamodb: US_EAST_1_DYNAMODB,
      cloudwatchLogs: { ingestion: US_EAST_1_LOGS },
    },
    "us-west-2": {
      region: "us-west-2",
      name: "US West (Oregon)",
      lambda: lambdaPrices(LAMBDA_REGIONAL, CHECKED),
      apiGateway: {
        REST: US_REST,
        HTTP: {
          quantity: "request",
          per: 1_000_000,
          // Only the first tier is confirmed for us-west-2; volumes beyond it are refused, not guessed.
          tiers: [{ upTo: 300e6, usd: 1.0 }],
          source: `${APIGW_PRICING} (us-west-2 usage type USW2-ApiGatewayHttpRequest at $1.00 per million)`,
          asOf: CHECKED,
          note: "higher tiers not confirmed for us-west-2",
        },
      },
      dynamodb: {
        writeRequestUnits: {
          ...US_EAST_1_DYNAMODB.writeRequestUnits,
          note: "same as us-east-1 (USW2-WriteRequestUnits)",
        },
        readRequestUnits: {
          ...US_EAST_1_DYNAMODB.readRequestUnits,
          note: "same as us-east-1 (USW2-ReadRequestUnits)",
        },
      },
      cloudwatchLogs: {
        ingestion: {
          ...US_EAST_1_LOGS,
          // Only the first tier is confirmed for us-west-2; volumes beyond it are refused, not guessed.
          tiers: [{ upTo: 10_000, usd: 0.5 }],
          note: "first tier as us-east-1 (the pricing page lists US regions at $0.50/GB); higher tiers not confirmed",
        },
      },
    },
    "eu-west-1": {
      region: "eu-west-1",
      name: "Europe (Ireland)",
      lambda: lambdaPrices(OFFER_FILE("AWSLambda", "eu-west-1"), "2026-10-01"),
      apiGateway: {
        REST: {
          quantity: "request",
          per: 1_000_000,
          tiers: [
            { upTo: 333e6, usd: 3.5 },
            { upTo: 1e9, usd: 3.19 },
            { upTo: 20e9, usd: 2.71 },
            { upTo: null, usd: 1.72 },
          ],
          source: OFFER_FILE("AmazonApiGateway", "eu-west-1"),
          asOf: "2026-09-21",
        },
        HTTP: {
          quantity: "request",
          per: 1_000_000,
          tiers: [
            { upTo: 300e6, usd: 1.11 },
            { upTo: null, usd: 1.0 },
          ],
          source: OFFER_FILE("AmazonApiGateway", "eu-west-1"),
          asOf: "2026-09-21",
        },
      },
      // DynamoDB on-demand prices for eu-west-1 could not be confirmed: left out rather than guessed.
      cloudwatchLogs: {
        ingestion: {
          quantity: "GB ingested",
          per: 1,
          tiers: [{ upTo: 10_000, usd: 0.57 }],
          source: `${LOGS_PRICING}; eu-west-1 Standard class $0.57 per GB as quoted in https://dev.to/matheusdasmerces/optimizing-amazon-cloudwatch-costs-for-high-traffic-lambda-functions-with-advanced-logging-controls-5406`,
          asOf: CHECKED,
          note: "first tier only; higher tiers not confirmed for eu-west-1",
        },
      },
    },
    "eu-central-1": {
      region: "eu-central-1",
      name: "Europe (Frankfurt)",
      lambda: lambdaPrices(LAMBDA_REGIONAL, CHECKED),
      // API Gateway, DynamoDB and CloudWatch Logs prices for eu-central-1 could not be confirmed: left out.
    },
  },
};

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
        "Run against a listed region, or pass a price table that has this region's prices.",
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
  if (needs.apiType !== null && !prices.apiGateway?.[needs.apiType])
    missing.push(`API Gateway ${needs.apiType} API`);
  if (needs.dynamodb && !prices.dynamodb) missing.push("DynamoDB on-demand");
  if (needs.cloudwatchLogs && !prices.cloudwatchLogs) missing.push("CloudWatch Logs ingestion");
  if (missing.length > 0) {
    const complete = Object.values(table.regions)
      .filter(
        (r) =>
          (needs.apiType === null || r.apiGateway?.[needs.apiType]) &&
          (!needs.dynamodb || r.dynamodb) &&
          (!needs.cloudwatchLogs || r.cloudwatchLogs),
      )
      .map((r) => r.region)
      .join(", ");
    throw new PriceTableError(
      `price table ${table.version} has no confirmed ${missing.join(" or ")} price for ${region}: ` +
        `expected a region with every price this run needs (${complete || "none"}). ` +
        "Add the region's prices with their source to tuning/price-table.ts (docs/cost-model.md), or run in a listed region.",
    );
  }
}
