/**
 * AWS Price List entries → the price file's components (pure). GetProducts returns each product as a JSON
 * string of `{ product: { productFamily, attributes: { regionCode, usagetype, ... }, sku }, serviceCode,
 * terms: { OnDemand: { <sku>.<offerTermCode>: { priceDimensions: { <rateCode>: { beginRange, endRange,
 * unit, pricePerUnit: { USD } } }, effectiveDate } } }, version, publicationDate }`.
 *
 * A component is found by its usage type without the region prefix ("APN1-Lambda-GB-Second" →
 * "Lambda-GB-Second"; us-east-1 has no prefix). Its tiers are the on-demand price dimensions ordered by
 * beginRange; a $0 dimension at the bottom (a free allowance) is left out: the free tier is an option of the
 * cost model, not a price.
 */

import { type ComponentPath, PRICE_COMPONENTS, type UnsourcedPrice } from "./price-file.ts";
import type { TieredPrice } from "./price-types.ts";

/** The services the refresh asks for, and which usage type (prefix removed) is which component. */
export const PRICE_LIST_SERVICES = {
  AWSLambda: {
    "Lambda-GB-Second": "lambda.x86_64",
    "Lambda-GB-Second-ARM": "lambda.arm64",
    Request: "lambda.requests",
  },
  AmazonApiGateway: {
    ApiGatewayRequest: "apiGateway.REST",
    ApiGatewayHttpRequest: "apiGateway.HTTP",
  },
  AmazonDynamoDB: {
    WriteRequestUnits: "dynamodb.writeRequestUnits",
    ReadRequestUnits: "dynamodb.readRequestUnits",
  },
  // Log ingestion (Standard log class), the usage type CloudWatch bills Lambda's log data under.
  AmazonCloudWatch: { "DataProcessing-Bytes": "cloudwatchLogs.ingestion" },
} as const satisfies Record<string, Record<string, ComponentPath>>;

export type PriceListService = keyof typeof PRICE_LIST_SERVICES;

/** One product of the Price List, as much of it as the refresh reads. */
export interface PriceListProduct {
  serviceCode: string;
  sku: string;
  regionCode: string | undefined;
  usageType: string;
  publicationDate: string | undefined;
  /** On-demand price dimensions. */
  dimensions: Array<{ beginRange: number; endRange: number | null; usd: number; unit: string }>;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses one PriceList entry (a JSON string); undefined when it is not a product with on-demand terms. */
export function parsePriceListEntry(entry: string): PriceListProduct | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(entry);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || !isRecord(doc["product"])) return undefined;
  const product = doc["product"];
  const attributes = isRecord(product["attributes"]) ? product["attributes"] : {};
  const usageType = attributes["usagetype"];
  if (typeof usageType !== "string") return undefined;
  const terms = isRecord(doc["terms"]) && isRecord(doc["terms"]["OnDemand"]) ? doc["terms"]["OnDemand"] : {};
  const dimensions: PriceListProduct["dimensions"] = [];
  for (const term of Object.values(terms)) {
    if (!isRecord(term) || !isRecord(term["priceDimensions"])) continue;
    for (const dim of Object.values(term["priceDimensions"])) {
      if (!isRecord(dim) || !isRecord(dim["pricePerUnit"])) continue;
      const usd = Number(dim["pricePerUnit"]["USD"]);
      const begin = Number(dim["beginRange"] ?? 0);
      const end = dim["endRange"] === undefined || dim["endRange"] === "Inf" ? null : Number(dim["endRange"]);
      if (!Number.isFinite(usd) || !Number.isFinite(begin) || (end !== null && !Number.isFinite(end)))
        continue;
      dimensions.push({ beginRange: begin, endRange: end, usd, unit: String(dim["unit"] ?? "") });
    }
  }
  return {
    serviceCode: String(doc["serviceCode"] ?? attributes["servicecode"] ?? ""),
    sku: String(product["sku"] ?? ""),
    regionCode: typeof attributes["regionCode"] === "string" ? attributes["regionCode"] : undefined,
    usageType,
    publicationDate: typeof doc["publicationDate"] === "string" ? doc["publicationDate"] : undefined,
    dimensions: dimensions.sort((a, b) => a.beginRange - b.beginRange),
  };
}

/** "APN1-Lambda-GB-Second" → "Lambda-GB-Second"; "Lambda-GB-Second" (us-east-1) stays. */
export function usageTypeWithoutRegion(usageType: string): string {
  const dash = usageType.indexOf("-");
  const prefix = usageType.slice(0, dash);
  // Region prefixes are upper-case letters and digits (USE2, APN1, EU, EUC1, CAN1, SAE1, ...); "IA-" is
  // DynamoDB's Standard-IA table class, not a region.
  return dash > 0 && /^[A-Z]{2,4}\d?$/.test(prefix) && prefix !== "IA"
    ? usageType.slice(dash + 1)
    : usageType;
}

/** The tiered price of one product, in the file's units (per 1M for requests and request units). */
export function tieredPriceOf(
  product: PriceListProduct,
  path: ComponentPath,
  asOf: string,
): TieredPrice | undefined {
  const spec = PRICE_COMPONENTS.find((c) => c.path === path);
  if (!spec) return undefined;
  let dims = product.dimensions;
  while (dims.length > 1 && dims[0]?.usd === 0) dims = dims.slice(1);
  if (dims.length === 0 || dims.some((d) => d.usd <= 0)) return undefined;
  return {
    quantity: spec.quantity,
    per: spec.per,
    // Rounded to 10 significant digits: the Price List's prices have 10 decimals; ×1e6 leaves binary noise.
    tiers: dims.map((d) => ({ upTo: d.endRange, usd: Number((d.usd * spec.per).toPrecision(10)) })),
    source:
      `AWS Price List Query API GetProducts (ServiceCode ${product.serviceCode}, regionCode ${product.regionCode}, ` +
      `usagetype ${product.usageType}, sku ${product.sku}, publication ${product.publicationDate ?? "unknown"})`,
    asOf,
  };
}

/**
 * The components of one region found in one service's products; every component of the service that no
 * product matched comes back unsourced, with what was asked and when.
 */
export function componentsOf(
  service: PriceListService,
  region: string,
  products: readonly PriceListProduct[],
  today: string,
): Partial<Record<ComponentPath, TieredPrice | UnsourcedPrice>> {
  const wanted: Record<string, ComponentPath> = PRICE_LIST_SERVICES[service];
  const out: Partial<Record<ComponentPath, TieredPrice | UnsourcedPrice>> = {};
  for (const product of products) {
    if (product.regionCode !== undefined && product.regionCode !== region) continue;
    const path = wanted[usageTypeWithoutRegion(product.usageType)];
    if (!path || (out[path] && !("unsourced" in (out[path] as object)))) continue;
    const asOf = product.publicationDate?.slice(0, 10) ?? today;
    const price = tieredPriceOf(product, path, asOf);
    if (price) out[path] = price;
  }
  for (const [usageType, path] of Object.entries(wanted)) {
    out[path] ??= {
      unsourced: `the Price List API returned no priced ${usageType} product of ${service} for ${region}`,
      asOf: today,
    };
  }
  return out;
}
