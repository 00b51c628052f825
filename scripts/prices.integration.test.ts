/**
 * `npm run prices -- --refresh` as a user runs it (a child process), through the real @aws-sdk/client-pricing
 * against the local stage's Price List endpoint (SigV4-locked) serving real-shaped price list entries; and its
 * one-line error without credentials. `npm run prices` prints a region from the snapshot or a user's table.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PriceListEndpoint,
  startPriceListEndpoint,
} from "../stage/aws-api/test-support/price-list-endpoint.ts";
import { runScript, type ScriptRun } from "../test/support/run-script.ts";
import { DEFAULT_PRICE_TABLE } from "../tuning/core/price-table.ts";
import { priceTableFromFile } from "../tuning/core/prices/price-file.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-prices-"));
let endpoint: PriceListEndpoint;

/** An environment with no AWS credentials anywhere and no instance metadata lookups (nothing leaves 127.0.0.1). */
function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_")));
  return {
    ...clean,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: path.join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "no-credentials"),
    ...extra,
  };
}

function prices(args: string[], environment: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return runScript("scripts/prices.ts", args, { env: environment, timeoutMs: 60_000 });
}

beforeAll(async () => {
  endpoint = await startPriceListEndpoint();
});

afterAll(async () => {
  await endpoint.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm run prices -- --refresh", () => {
  it("builds a valid price file from the Price List API, every component sourced or marked unsourced", async () => {
    const out = path.join(dir, "refreshed.json");
    const run = await prices(
      [
        "--refresh",
        "--endpoint-url",
        endpoint.url,
        "--regions",
        "us-east-1,ap-northeast-1,eu-north-1",
        "--out",
        out,
      ],
      env({ AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" }),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/prices: wrote .*refreshed\.json: 3 regions, \d+ components unsourced/);
    const file = JSON.parse(readFileSync(out, "utf8"));
    const table = priceTableFromFile(file, out);
    const fresh = table.regions["us-east-1"];
    const snapshot = DEFAULT_PRICE_TABLE.regions["us-east-1"];
    // The figures the API returned are the snapshot's, tiers and all (the free 5 GB of logs is not a tier).
    expect(fresh?.lambda.gbSecond.x86_64?.tiers).toEqual(snapshot?.lambda.gbSecond.x86_64?.tiers);
    expect(fresh?.lambda.gbSecond.arm64?.tiers).toEqual(snapshot?.lambda.gbSecond.arm64?.tiers);
    expect(fresh?.lambda.requests?.tiers).toEqual([{ upTo: null, usd: 0.2 }]);
    expect(fresh?.apiGateway?.REST?.tiers).toEqual(snapshot?.apiGateway?.REST?.tiers);
    expect(fresh?.apiGateway?.HTTP?.tiers).toEqual(snapshot?.apiGateway?.HTTP?.tiers);
    expect(fresh?.dynamodb?.writeRequestUnits.tiers).toEqual([{ upTo: null, usd: 0.625 }]);
    expect(fresh?.dynamodb?.readRequestUnits.tiers).toEqual([{ upTo: null, usd: 0.125 }]);
    expect(fresh?.cloudwatchLogs?.ingestion.tiers).toEqual([{ upTo: null, usd: 0.5 }]);
    expect(fresh?.unsourced).toEqual({});
    expect(fresh?.apiGateway?.HTTP?.source).toMatch(
      /GetProducts \(ServiceCode AmazonApiGateway, regionCode us-east-1, usagetype USE1-ApiGatewayHttpRequest, sku \w+, publication 2026-10-01T18:22:01Z\)/,
    );
    expect(fresh?.apiGateway?.HTTP?.asOf).toBe("2026-10-01");
    // Tokyo: what the catalog has; REST is not in it, so it is said to be unsourced, not guessed.
    const tokyo = table.regions["ap-northeast-1"];
    expect(tokyo?.apiGateway?.HTTP?.tiers).toEqual([{ upTo: null, usd: 1.29 }]);
    expect(tokyo?.dynamodb?.writeRequestUnits.tiers).toEqual([{ upTo: null, usd: 0.715 }]);
    expect(tokyo?.unsourced["apiGateway.REST"]).toMatch(
      /the Price List API returned no priced ApiGatewayRequest product of AmazonApiGateway for ap-northeast-1/,
    );
    // A region the API has nothing for: every component unsourced.
    expect(Object.keys(table.regions["eu-north-1"]?.unsourced ?? {})).toHaveLength(8);
  }, 90_000);

  it("without credentials, fails in one line that says how to give them", async () => {
    const run = await prices(
      [
        "--refresh",
        "--endpoint-url",
        endpoint.url,
        "--regions",
        "us-east-1",
        "--out",
        path.join(dir, "none.json"),
      ],
      env({}),
    );
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^prices: the price refresh needs AWS credentials \(the Price List API is signed\): set AWS_PROFILE/,
    );
  }, 90_000);
});

describe("npm run prices", () => {
  it("prints a region's prices with their sources, from the snapshot or the user's table", async () => {
    const run = await prices(["--region", "eu-west-1"], env({}));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("prices for eu-west-1 (Europe (Ireland)) · table");
    expect(run.stdout).toMatch(
      /API Gateway HTTP API, per 1M calls\s+\$1\.11 up to 300,000,000 \/ \$1 over 300,000,000/,
    );
    expect(run.stdout).toMatch(/DynamoDB on-demand WRU, per 1M\s+\$0\.705\n/);
    const tokyo = await prices(["--region", "ap-northeast-1"], env({}));
    expect(tokyo.stdout).toMatch(
      /API Gateway REST API, per 1M calls\s+— unsourced as of 2026-12-07: no published/,
    );
    const mine = path.join(dir, "mine.json");
    writeFileSync(
      mine,
      JSON.stringify({
        version: "mine",
        date: "2026-12-01",
        currency: "USD",
        regions: {
          "eu-west-1": {
            name: "Ireland",
            dynamodb: {
              writeRequestUnits: {
                quantity: "write request unit",
                per: 1_000_000,
                tiers: [{ upTo: null, usd: -1 }],
                source: "x",
                asOf: "2026-12-01",
              },
            },
          },
        },
      }),
    );
    const bad = await prices(["--region", "eu-west-1", "--price-table", mine], env({}));
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe(
      `prices: price table ${mine}: regions["eu-west-1"].dynamodb.writeRequestUnits.tiers[0].usd must be a price in USD > 0; got -1`,
    );
  }, 90_000);
});
