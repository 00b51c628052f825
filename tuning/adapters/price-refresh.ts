/**
 * `npm run prices -- --refresh`: rebuilds the price file from AWS's Price List Query API through the real
 * `@aws-sdk/client-pricing` client: for each region and service (AWSLambda, AmazonApiGateway, AmazonDynamoDB,
 * AmazonCloudWatch), GetProducts filtered by ServiceCode and regionCode, every page, then the components
 * picked by usage type (price-list.ts). The Price List API is served from us-east-1 (and ap-south-1).
 */
import { GetProductsCommand, PricingClient } from "@aws-sdk/client-pricing";
import type { ComponentPath, PriceFile, PriceFileRegion } from "../core/prices/price-file.ts";
import {
  componentsOf,
  PRICE_LIST_SERVICES,
  type PriceListProduct,
  type PriceListService,
  parsePriceListEntry,
} from "../core/prices/price-list.ts";
import { TuningError } from "../errors.ts";

/** The refresh could not run: no credentials, the endpoint unreachable, the API refused. One line. */
export class PriceRefreshError extends TuningError {
  override name = "PriceRefreshError";
}

export const REFRESH_DEFAULTS = {
  /** The Price List Query API's home region. @default "us-east-1" */
  pricingRegion: "us-east-1",
  /** GetProducts page size (the API's maximum). @default 100 */
  pageSize: 100,
  /** Pages read per region and service at most (a bound on a runaway pagination). @default 50 */
  maxPages: 50,
} as const;

export interface RefreshOptions {
  client: PricingClient;
  /** Region codes with their names (the snapshot's list, or the ones asked for). */
  regions: Record<string, string>;
  /** ISO date of the refresh. */
  today: string;
  /** Version of the new file. @default `${today}.refresh` */
  version?: string;
  /** Called after each region and service, for progress lines. */
  onProgress?: (region: string, service: PriceListService, products: number) => void;
}

/** A PricingClient for the refresh: the SDK's default credential chain; `endpoint` for a local Price List. */
export function pricingClient(
  options: { endpoint?: string; credentials?: { accessKeyId: string; secretAccessKey: string } } = {},
): PricingClient {
  return new PricingClient({
    region: REFRESH_DEFAULTS.pricingRegion,
    maxAttempts: 3,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
}

/** Every product of one service in one region, all pages. */
async function productsOf(
  client: PricingClient,
  service: PriceListService,
  region: string,
): Promise<PriceListProduct[]> {
  const products: PriceListProduct[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < REFRESH_DEFAULTS.maxPages; page++) {
    const out = await client.send(
      new GetProductsCommand({
        ServiceCode: service,
        Filters: [{ Type: "TERM_MATCH", Field: "regionCode", Value: region }],
        FormatVersion: "aws_v1",
        MaxResults: REFRESH_DEFAULTS.pageSize,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const entry of out.PriceList ?? []) {
      const product = parsePriceListEntry(entry);
      if (product) products.push(product);
    }
    nextToken = out.NextToken;
    if (!nextToken) return products;
  }
  return products;
}

/** Turns the SDK's errors into one line that says what to do. */
export function refreshErrorLine(error: unknown, endpoint: string | undefined): string {
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const name = e?.name ?? "";
  if (name === "CredentialsProviderError" || /Could not load credentials/i.test(e?.message ?? ""))
    return (
      "the price refresh needs AWS credentials (the Price List API is signed): set AWS_PROFILE (after `aws sso login --profile <name>` " +
      "for SSO) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; any identity allowed pricing:GetProducts works. Without credentials, use the committed snapshot."
    );
  const code = e?.code ?? e?.cause?.code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT" || name === "TimeoutError")
    return `the Price List endpoint ${endpoint ?? `api.pricing.${REFRESH_DEFAULTS.pricingRegion}.amazonaws.com`} did not answer (${code ?? name}): check the network or --endpoint-url`;
  if (
    name === "AccessDeniedException" ||
    name === "UnrecognizedClientException" ||
    name === "InvalidSignatureException"
  )
    return `the Price List API refused the credentials (${name}: ${e?.message ?? ""}): use an identity allowed pricing:GetProducts`;
  return `the price refresh failed: ${name ? `${name}: ` : ""}${e?.message ?? String(error)}`;
}

/**
 * Builds a new price file from the Price List API. A component no product matched is marked unsourced with
 * what was asked, so the file says what is missing instead of guessing.
 */
export async function refreshPrices(options: RefreshOptions): Promise<PriceFile> {
  const regions: Record<string, PriceFileRegion> = {};
  for (const [region, name] of Object.entries(options.regions)) {
    const entry: Record<string, Record<string, unknown>> = {};
    for (const service of Object.keys(PRICE_LIST_SERVICES) as PriceListService[]) {
      const products = await productsOf(options.client, service, region);
      options.onProgress?.(region, service, products.length);
      const components = componentsOf(service, region, products, options.today);
      for (const [path, price] of Object.entries(components) as [ComponentPath, unknown][]) {
        const [group, part] = path.split(".") as [string, string];
        entry[group] = { ...entry[group], [part]: price };
      }
    }
    regions[region] = { name, ...(entry as Omit<PriceFileRegion, "name">) };
  }
  return {
    version: options.version ?? `${options.today}.refresh`,
    date: options.today,
    currency: "USD",
    unsourced:
      "a component marked unsourced had no priced product in the Price List API's answer for its region on the refresh date",
    builtBy: "npm run prices -- --refresh (AWS Price List Query API, GetProducts per region and service)",
    regionList: { source: "the regions of the previous snapshot (or --regions)", asOf: options.today },
    regions,
  };
}
