/**
 * The price table's types: one volume tier, a tiered price, a region's prices, the whole table. Kept apart
 * from price-table.ts so the price file's validation (price-file.ts) and rules (price-rules.ts), which
 * price-table.ts imports, depend on them without importing it back. Types only.
 */
import type { Architecture } from "../../results/results-types.ts";

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
    gbSecond: Partial<Record<Architecture, TieredPrice>>;
    /** Absent where the price could not be sourced. */
    requests?: TieredPrice;
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
  /** Why a component is absent, by its path in the file (e.g. "apiGateway.HTTP"): the file's `unsourced` text. */
  unsourced: Record<string, string>;
}

export interface PriceTable {
  /** Changes whenever a price changes; recorded in results.json (run.priceTable.version). */
  version: string;
  /** Where the table was read from: the snapshot's path or the user's file. */
  origin: string;
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
