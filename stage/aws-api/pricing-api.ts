/**
 * The AWS Price List Query API over AWS JSON 1.1 (`X-Amz-Target: AWSPriceListService.GetProducts`), served from
 * a catalog of price list entries (JSON strings of the real `{ product, serviceCode, terms, version,
 * publicationDate }` shape) given to the endpoint. GetProducts: ServiceCode, TERM_MATCH filters on
 * `ServiceCode` or any product attribute, FormatVersion aws_v1, MaxResults 1–100, NextToken pagination.
 * So `npm run prices -- --refresh` runs through the real @aws-sdk/client-pricing against the local stage.
 */
import { AwsWireError } from "./errors.ts";
import type { WireResponse } from "./http-io.ts";
import {
  type Body,
  objectAt,
  optionalArray,
  optionalNumber,
  optionalString,
  requiredString,
} from "./wire-values.ts";

const BAD = "InvalidParameterException";
const MAX_RESULTS = 100;

/** One catalog entry: the JSON string GetProducts returns, and the attributes it is filtered on. */
interface CatalogEntry {
  text: string;
  serviceCode: string;
  attributes: Record<string, string>;
}

/** The products the local Price List serves. */
export class PriceListCatalog {
  private readonly entries: CatalogEntry[];

  /** @param priceList entries as GetProducts returns them (JSON strings) */
  constructor(priceList: readonly string[]) {
    this.entries = priceList.map((text, i) => {
      const doc = JSON.parse(text) as {
        serviceCode?: unknown;
        product?: { attributes?: Record<string, unknown> };
      };
      const attributes: Record<string, string> = {};
      for (const [k, v] of Object.entries(doc.product?.attributes ?? {}))
        if (typeof v === "string") attributes[k] = v;
      if (typeof doc.serviceCode !== "string")
        throw new Error(`price list entry ${i} has no serviceCode: expected the Price List's product JSON`);
      return { text, serviceCode: doc.serviceCode, attributes };
    });
  }

  /** Entries of a service matching every TERM_MATCH filter, in catalog order. */
  find(serviceCode: string, filters: ReadonlyArray<{ field: string; value: string }>): string[] {
    return this.entries
      .filter((e) => e.serviceCode === serviceCode)
      .filter((e) =>
        filters.every((f) =>
          f.field.toLowerCase() === "servicecode"
            ? e.serviceCode === f.value
            : e.attributes[f.field] === f.value,
        ),
      )
      .map((e) => e.text);
  }
}

function filtersOf(body: Body): Array<{ field: string; value: string }> {
  return (optionalArray(body, "Filters", BAD) ?? []).map((raw, i) => {
    const f = objectAt(raw, `Filters[${i}]`, BAD);
    const type = requiredString(f, "Type", BAD);
    if (type !== "TERM_MATCH")
      throw new AwsWireError(BAD, 400, `Filters[${i}].Type must be TERM_MATCH, got ${JSON.stringify(type)}`);
    return { field: requiredString(f, "Field", BAD), value: requiredString(f, "Value", BAD) };
  });
}

function getProducts(body: Body, catalog: PriceListCatalog): Body {
  const serviceCode = requiredString(body, "ServiceCode", BAD);
  const format = optionalString(body, "FormatVersion", BAD) ?? "aws_v1";
  if (format !== "aws_v1")
    throw new AwsWireError(BAD, 400, `FormatVersion must be aws_v1, got ${JSON.stringify(format)}`);
  const maxResults = optionalNumber(body, "MaxResults", BAD) ?? MAX_RESULTS;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS)
    throw new AwsWireError(
      BAD,
      400,
      `MaxResults must be an integer from 1 to ${MAX_RESULTS}, got ${maxResults}`,
    );
  const token = optionalString(body, "NextToken", BAD);
  const start =
    token === undefined ? 0 : Number.parseInt(Buffer.from(token, "base64url").toString("utf8"), 10);
  if (!Number.isInteger(start) || start < 0)
    throw new AwsWireError(
      "InvalidNextTokenException",
      400,
      `NextToken ${JSON.stringify(token)} is not one this API returned`,
    );
  const matches = catalog.find(serviceCode, filtersOf(body));
  const page = matches.slice(start, start + maxResults);
  const next =
    start + maxResults < matches.length
      ? Buffer.from(String(start + maxResults)).toString("base64url")
      : undefined;
  return { FormatVersion: "aws_v1", PriceList: page, ...(next ? { NextToken: next } : {}) };
}

/** Runs one Price List operation; unknown names answer UnknownOperationException. */
export function handlePricing(
  operation: string,
  body: Body,
  catalog: PriceListCatalog | undefined,
): WireResponse {
  if (operation !== "GetProducts")
    throw new AwsWireError(
      "UnknownOperationException",
      400,
      `Price List operation "${operation}" is not emulated by the local stage: supported is GetProducts`,
    );
  if (!catalog)
    throw new AwsWireError(
      "NotFoundException",
      404,
      "this local endpoint was started without a price list catalog",
    );
  return {
    statusCode: 200,
    headers: { "content-type": "application/x-amz-json-1.1" },
    body: getProducts(body, catalog),
  };
}
