/**
 * `npm run prices`: prints the price table of a region (the committed snapshot, or --price-table file.json);
 * `npm run prices -- --refresh` rebuilds the snapshot from AWS's Price List Query API (needs AWS credentials).
 *
 *   npm run prices -- --region eu-west-1
 *   npm run prices -- --refresh                                   # every region of the snapshot → the snapshot
 *   npm run prices -- --refresh --regions us-east-1,eu-west-1 --out my-prices.json
 */
import { writeFileSync } from "node:fs";
import { readPriceTable } from "../tuning/adapters/read-price-table.ts";
import { DEFAULT_PRICE_TABLE } from "../tuning/core/price-table.ts";
import { priceTableFromFile } from "../tuning/core/prices/price-file.ts";
import { renderRegionPrices } from "../tuning/core/prices/render-prices.ts";
import {
  type CommandLine,
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  invalidFlag,
  runCommand,
  UsageError,
} from "./command.ts";

export const DEFAULTS = {
  /** @default "us-east-1" */
  region: "us-east-1",
  /** Where --refresh writes. @default "tuning/core/prices/snapshot.json" */
  out: "tuning/core/prices/snapshot.json",
} as const;

export const PRICES_COMMAND = {
  name: "prices",
  summary:
    "Prints the prices of a region from the committed snapshot (or your --price-table), with each figure's\nsource and date; --refresh rebuilds the snapshot from AWS's Price List Query API (needs AWS credentials).",
  flags: {
    region: { type: "string", value: "<code>", help: "region to print", default: DEFAULTS.region },
    "price-table": {
      type: "string",
      value: "<file.json>",
      help: "print from your own table instead of the snapshot",
    },
    refresh: {
      type: "boolean",
      help: "rebuild the table from the Price List Query API (pricing:GetProducts)",
    },
    regions: {
      type: "string",
      value: "<list>",
      help: "with --refresh: only these regions (default: the snapshot's)",
    },
    out: {
      type: "string",
      value: "<file.json>",
      help: "with --refresh: where to write",
      default: DEFAULTS.out,
    },
    "endpoint-url": {
      type: "string",
      value: "<url>",
      help: "with --refresh: another Price List endpoint (the local stage's)",
    },
  },
} as const satisfies CommandSpec;

function regionList(text: string | undefined): Record<string, string> {
  const known = DEFAULT_PRICE_TABLE.regions;
  if (text === undefined) return Object.fromEntries(Object.values(known).map((r) => [r.region, r.name]));
  const out: Record<string, string> = {};
  for (const code of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(code))
      throw invalidFlag("regions", code, "expected region codes such as us-east-1,eu-west-1");
    out[code] = known[code]?.name ?? code;
  }
  if (Object.keys(out).length === 0)
    throw invalidFlag("regions", "", `expected region codes such as us-east-1,eu-west-1`);
  return out;
}

async function refresh(values: CommandLine["values"]): Promise<ExitCode> {
  const { pricingClient, refreshErrorLine, refreshPrices } = await import(
    "../tuning/adapters/price-refresh.ts"
  );
  const endpoint = values["endpoint-url"] as string | undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint))
    throw invalidFlag("endpoint-url", endpoint, `expected an http(s) URL, e.g. http://127.0.0.1:4566`);
  const out = (values.out as string | undefined) ?? DEFAULTS.out;
  const regions = regionList(values.regions as string | undefined);
  const client = pricingClient(endpoint ? { endpoint } : {});
  const today = new Date().toISOString().slice(0, 10);
  try {
    const file = await refreshPrices({
      client,
      regions,
      today,
      onProgress: (region, service, n) => console.log(`prices: ${region} ${service}: ${n} products`),
    });
    // The new file must pass the same validation as any table before it replaces one.
    const table = priceTableFromFile(file, out);
    writeFileSync(out, `${JSON.stringify(file, null, 2)}\n`);
    const unsourced = Object.values(table.regions).reduce((n, r) => n + Object.keys(r.unsourced).length, 0);
    console.log(
      `prices: wrote ${out}: ${Object.keys(table.regions).length} regions, ${unsourced} components unsourced, version ${table.version}`,
    );
    return EXIT.ok;
  } catch (error) {
    throw new UsageError(refreshErrorLine(error, endpoint));
  } finally {
    client.destroy();
  }
}

async function main(values: CommandLine["values"]): Promise<ExitCode> {
  if (values.refresh === true) return refresh(values);
  const file = values["price-table"] as string | undefined;
  const table = file === undefined ? DEFAULT_PRICE_TABLE : readPriceTable(file);
  console.log(renderRegionPrices(table, (values.region as string | undefined) ?? DEFAULTS.region));
  return EXIT.ok;
}

void runCommand(PRICES_COMMAND, process.argv.slice(2), ({ values }) => main(values)).then((code) =>
  exitWith(code),
);
