/**
 * The price file format, shared by the committed snapshot (tuning/core/prices/snapshot.json), the refresh command's
 * output and a user's own table (`--price-table file.json`, config `priceTable`): validated here into a
 * PriceTable, every error one line naming the field, what was expected and what was got. Pure: no I/O.
 *
 * Each component of a region is either a tiered price or `{ "unsourced": "<why>", "asOf": "<date>" }`: a
 * figure that could not be sourced is said to be so, never guessed. A user's file may leave components out.
 */
import { TuningError } from "../../errors.ts";
import { PRICE_RULES } from "./price-rules.ts";
import type { PriceTable, PriceTier, RegionPrices, TieredPrice } from "./price-types.ts";

/** A price file is invalid; the message names the file and the field. */
export class PriceFileError extends TuningError {
  override name = "PriceFileError";
}

type Quantity = TieredPrice["quantity"];

/** Every component of a region: where it sits, what it counts, per how many units its price is. */
export const PRICE_COMPONENTS = [
  { path: "lambda.x86_64", quantity: "GB-second", per: 1 },
  { path: "lambda.arm64", quantity: "GB-second", per: 1 },
  { path: "lambda.requests", quantity: "request", per: 1_000_000 },
  { path: "apiGateway.REST", quantity: "request", per: 1_000_000 },
  { path: "apiGateway.HTTP", quantity: "request", per: 1_000_000 },
  { path: "dynamodb.writeRequestUnits", quantity: "write request unit", per: 1_000_000 },
  { path: "dynamodb.readRequestUnits", quantity: "read request unit", per: 1_000_000 },
  { path: "cloudwatchLogs.ingestion", quantity: "GB ingested", per: 1 },
] as const satisfies ReadonlyArray<{ path: string; quantity: Quantity; per: 1 | 1_000_000 }>;

export type ComponentPath = (typeof PRICE_COMPONENTS)[number]["path"];

/** A component whose figure could not be sourced. */
export interface UnsourcedPrice {
  unsourced: string;
  asOf: string;
}

/** A region in the file: its name and its components by service. */
export interface PriceFileRegion {
  name: string;
  lambda?: {
    x86_64?: TieredPrice | UnsourcedPrice;
    arm64?: TieredPrice | UnsourcedPrice;
    requests?: TieredPrice | UnsourcedPrice;
  };
  apiGateway?: { REST?: TieredPrice | UnsourcedPrice; HTTP?: TieredPrice | UnsourcedPrice };
  dynamodb?: {
    writeRequestUnits?: TieredPrice | UnsourcedPrice;
    readRequestUnits?: TieredPrice | UnsourcedPrice;
  };
  cloudwatchLogs?: { ingestion?: TieredPrice | UnsourcedPrice };
}

/** The file as written: the snapshot, the refresh command's output, or a user's table. */
export interface PriceFile {
  $schema?: string;
  version: string;
  date: string;
  currency: "USD";
  unsourced?: string;
  builtBy?: string;
  regionList?: { source: string; asOf: string };
  regions: Record<string, PriceFileRegion>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d$/;
const SERVICES = {
  lambda: ["x86_64", "arm64", "requests"],
  apiGateway: ["REST", "HTTP"],
  dynamodb: ["writeRequestUnits", "readRequestUnits"],
  cloudwatchLogs: ["ingestion"],
} as const;
const TOP_KEYS = new Set([
  "$schema",
  "version",
  "date",
  "currency",
  "unsourced",
  "builtBy",
  "regionList",
  "regions",
]);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: unknown) => (v === undefined ? "nothing" : JSON.stringify(v));

class Reader {
  constructor(private readonly origin: string) {}

  fail(at: string, expected: string, got: unknown): never {
    throw new PriceFileError(`price table ${this.origin}: ${at} must be ${expected}; got ${show(got)}`);
  }

  record(value: unknown, at: string): Record<string, unknown> {
    if (!isRecord(value)) this.fail(at, "an object", value);
    return value;
  }

  text(value: unknown, at: string): string {
    if (typeof value !== "string" || value.trim() === "") this.fail(at, "a non-empty string", value);
    return value;
  }

  date(value: unknown, at: string): string {
    if (typeof value !== "string" || !ISO_DATE.test(value) || Number.isNaN(Date.parse(value)))
      this.fail(at, 'an ISO date "YYYY-MM-DD"', value);
    return value;
  }

  onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>, at: string): void {
    for (const key of Object.keys(value)) {
      if (!allowed.has(key))
        throw new PriceFileError(
          `price table ${this.origin}: unknown field ${at}.${key}: expected one of ${[...allowed].join(", ")}`,
        );
    }
  }

  price(value: unknown, at: string, quantity: Quantity, per: number): TieredPrice | UnsourcedPrice {
    const v = this.record(value, at);
    if ("unsourced" in v) {
      this.onlyKeys(v, new Set(["unsourced", "asOf"]), at);
      return {
        unsourced: this.text(v["unsourced"], `${at}.unsourced`),
        asOf: this.date(v["asOf"], `${at}.asOf`),
      };
    }
    this.onlyKeys(v, new Set(["quantity", "per", "tiers", "source", "asOf", "note"]), at);
    if (v["quantity"] !== quantity) this.fail(`${at}.quantity`, JSON.stringify(quantity), v["quantity"]);
    if (v["per"] !== per) this.fail(`${at}.per`, String(per), v["per"]);
    const tiers = v["tiers"];
    if (!Array.isArray(tiers) || tiers.length === 0)
      this.fail(`${at}.tiers`, "a non-empty array of { upTo, usd }", tiers);
    let previous = 0;
    const read: PriceTier[] = tiers.map((tier: unknown, i: number) => {
      const t = this.record(tier, `${at}.tiers[${i}]`);
      this.onlyKeys(t, new Set(["upTo", "usd"]), `${at}.tiers[${i}]`);
      const usd = t["usd"];
      if (typeof usd !== "number" || !Number.isFinite(usd) || usd <= 0)
        this.fail(`${at}.tiers[${i}].usd`, "a price in USD > 0", usd);
      const upTo = t["upTo"];
      const last = i === tiers.length - 1;
      if (upTo === null) {
        if (!last)
          this.fail(`${at}.tiers[${i}].upTo`, "a number (only the last tier may be unbounded, null)", upTo);
      } else if (typeof upTo !== "number" || !Number.isFinite(upTo) || upTo <= previous) {
        this.fail(
          `${at}.tiers[${i}].upTo`,
          `a monthly quantity greater than the tier before (${previous}), or null for the last tier`,
          upTo,
        );
      } else previous = upTo;
      return { upTo: upTo as number | null, usd };
    });
    return {
      quantity,
      per: per as 1 | 1_000_000,
      tiers: read,
      source: this.text(v["source"], `${at}.source`),
      asOf: this.date(v["asOf"], `${at}.asOf`),
      ...(v["note"] === undefined ? {} : { note: this.text(v["note"], `${at}.note`) }),
    };
  }
}

const isUnsourced = (p: TieredPrice | UnsourcedPrice): p is UnsourcedPrice => "unsourced" in p;

/**
 * Validates a parsed price file and returns the cost model's PriceTable (the billing rules added).
 *
 * @param origin where the data came from, for error messages (a path)
 * @example priceTableFromFile(JSON.parse(text), "my-prices.json").regions["eu-west-1"]
 */
export function priceTableFromFile(data: unknown, origin: string): PriceTable {
  const r = new Reader(origin);
  const file = r.record(data, "the file");
  r.onlyKeys(file, TOP_KEYS, "the file");
  const version = r.text(file["version"], "version");
  const date = r.date(file["date"], "date");
  if (file["currency"] !== "USD") r.fail("currency", '"USD"', file["currency"]);
  const regionsIn = r.record(file["regions"], "regions");
  if (Object.keys(regionsIn).length === 0) r.fail("regions", "an object with at least one region", regionsIn);
  const regions: Record<string, RegionPrices> = {};
  for (const [code, value] of Object.entries(regionsIn)) {
    const at = `regions["${code}"]`;
    if (!REGION_CODE.test(code)) r.fail(at, 'keyed by a region code such as "eu-west-1"', code);
    const region = r.record(value, at);
    r.onlyKeys(region, new Set(["name", ...Object.keys(SERVICES)]), at);
    const prices: RegionPrices = {
      region: code,
      name: r.text(region["name"], `${at}.name`),
      lambda: { gbSecond: {} },
      unsourced: {},
    };
    for (const [service, parts] of Object.entries(SERVICES)) {
      if (region[service] === undefined) continue;
      const block = r.record(region[service], `${at}.${service}`);
      r.onlyKeys(block, new Set(parts), `${at}.${service}`);
      for (const part of parts) {
        if (block[part] === undefined) continue;
        const path = `${service}.${part}` as ComponentPath;
        const spec = PRICE_COMPONENTS.find((c) => c.path === path);
        if (!spec) continue;
        const price = r.price(block[part], `${at}.${path}`, spec.quantity, spec.per);
        if (isUnsourced(price)) prices.unsourced[path] = `unsourced as of ${price.asOf}: ${price.unsourced}`;
        else place(prices, path, price);
      }
    }
    regions[code] = prices;
  }
  return { version, origin, date, currency: "USD", ...PRICE_RULES, regions };
}

function place(prices: RegionPrices, path: ComponentPath, price: TieredPrice): void {
  switch (path) {
    case "lambda.x86_64":
      prices.lambda.gbSecond.x86_64 = price;
      return;
    case "lambda.arm64":
      prices.lambda.gbSecond.arm64 = price;
      return;
    case "lambda.requests":
      prices.lambda.requests = price;
      return;
    case "apiGateway.REST":
    case "apiGateway.HTTP":
      prices.apiGateway = { ...prices.apiGateway, [path.slice("apiGateway.".length)]: price };
      return;
    case "dynamodb.writeRequestUnits":
    case "dynamodb.readRequestUnits": {
      // Both or neither: a table with only one of them would price reads and not writes (or the reverse).
      const key = path === "dynamodb.writeRequestUnits" ? "writeRequestUnits" : "readRequestUnits";
      const partial = { ...pendingDynamodb.get(prices), [key]: price };
      pendingDynamodb.set(prices, partial);
      if (partial.writeRequestUnits && partial.readRequestUnits)
        prices.dynamodb = {
          writeRequestUnits: partial.writeRequestUnits,
          readRequestUnits: partial.readRequestUnits,
        };
      return;
    }
    case "cloudwatchLogs.ingestion":
      prices.cloudwatchLogs = { ingestion: price };
      return;
  }
}

const pendingDynamodb = new WeakMap<RegionPrices, Partial<NonNullable<RegionPrices["dynamodb"]>>>();
