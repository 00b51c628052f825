/**
 * The committed price snapshot's integrity: every commercial region of the SDK's partition has every component,
 * each either a positive, tier-ordered price with a source and a date, or marked unsourced with its reason.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_TABLE } from "../price-table.ts";
import { PRICE_COMPONENTS, type PriceFile, priceTableFromFile } from "./price-file.ts";

const file = JSON.parse(readFileSync("tuning/core/prices/snapshot.json", "utf8")) as PriceFile;
const entryAt = (region: string, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key],
      file.regions[region],
    );

describe("price snapshot", () => {
  it("is dated, versioned and read as the default table", () => {
    expect(file.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(DEFAULT_PRICE_TABLE.version).toBe(file.version);
    expect(DEFAULT_PRICE_TABLE.origin).toBe("tuning/core/prices/snapshot.json");
    expect(Object.keys(DEFAULT_PRICE_TABLE.regions)).toEqual(Object.keys(file.regions));
  });

  it("lists every commercial region, each with every component priced or marked unsourced", () => {
    expect(Object.keys(file.regions).length).toBeGreaterThanOrEqual(36);
    for (const region of [
      "us-east-1",
      "eu-west-1",
      "ap-northeast-1",
      "sa-east-1",
      "af-south-1",
      "mx-central-1",
    ])
      expect(file.regions[region], region).toBeDefined();
    for (const region of Object.keys(file.regions)) {
      for (const { path, quantity, per } of PRICE_COMPONENTS) {
        const entry = entryAt(region, path) as Record<string, unknown> | undefined;
        expect(entry, `${region} ${path}`).toBeDefined();
        if (entry && "unsourced" in entry) {
          expect(String(entry["unsourced"]).length, `${region} ${path}`).toBeGreaterThan(10);
          expect(entry["asOf"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          continue;
        }
        const price = entry as {
          quantity: string;
          per: number;
          tiers: { upTo: number | null; usd: number }[];
          source: string;
          asOf: string;
        };
        expect(price.quantity, `${region} ${path}`).toBe(quantity);
        expect(price.per).toBe(per);
        expect(price.source.length, `${region} ${path} source`).toBeGreaterThan(20);
        expect(price.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(price.tiers.length).toBeGreaterThan(0);
        let previous = 0;
        price.tiers.forEach((tier, i) => {
          expect(tier.usd, `${region} ${path} tier ${i}`).toBeGreaterThan(0);
          if (tier.upTo === null) expect(i).toBe(price.tiers.length - 1);
          else {
            expect(tier.upTo).toBeGreaterThan(previous);
            previous = tier.upTo;
          }
        });
        // Higher tiers never cost more per unit than lower ones.
        const prices = price.tiers.map((t) => t.usd);
        expect(prices).toEqual([...prices].sort((a, b) => b - a));
      }
    }
  });

  it("prices us-east-1 completely, with the published first tiers", () => {
    const usEast1 = DEFAULT_PRICE_TABLE.regions["us-east-1"];
    expect(usEast1?.unsourced).toEqual({});
    expect(usEast1?.apiGateway?.HTTP?.tiers).toEqual([
      { upTo: 300e6, usd: 1.0 },
      { upTo: null, usd: 0.9 },
    ]);
  });
});

describe("coverage", () => {
  // The cell a component gets in docs/cost-model.md's coverage table.
  const cell = (entry: Record<string, unknown>): string => {
    if ("unsourced" in entry) return "—";
    const tiers = entry["tiers"] as { upTo: number | null }[];
    return tiers.at(-1)?.upTo === null ? "✓" : "1st";
  };

  it("docs/cost-model.md's coverage table is the snapshot's, region by component", () => {
    const doc = readFileSync("docs/cost-model.md", "utf8");
    const block = /<!-- coverage:start -->\n([\s\S]*?)<!-- coverage:end -->/.exec(doc)?.[1] ?? "";
    const [header, , ...rows] = block.trim().split("\n");
    expect(header).toBe("| region | x86_64 | arm64 | requests | REST | HTTP | WRU | RRU | logs |");
    const expected = Object.keys(file.regions).map(
      (region) =>
        `| ${region} | ${PRICE_COMPONENTS.map(({ path }) => cell(entryAt(region, path) as Record<string, unknown>)).join(" | ")} |`,
    );
    expect(rows).toEqual(expected);
  });

  it("carries the regional figures quoted from the Price List, with their usage types in the source", () => {
    const figure = (region: string, path: string) => {
      const entry = entryAt(region, path) as {
        tiers: { upTo: number | null; usd: number }[];
        source: string;
      };
      return { first: entry.tiers[0], source: entry.source };
    };
    const cases: [string, string, { upTo: number | null; usd: number }, string][] = [
      ["ap-northeast-2", "apiGateway.HTTP", { upTo: 300e6, usd: 1.23 }, "first 300 million"],
      ["ap-northeast-2", "dynamodb.writeRequestUnits", { upTo: null, usd: 0.68 }, "APN2-WriteRequestUnits"],
      ["ap-south-1", "dynamodb.readRequestUnits", { upTo: null, usd: 0.1425 }, "APS3-ReadRequestUnits"],
      ["ap-south-1", "apiGateway.HTTP", { upTo: 300e6, usd: 1.05 }, "APS3-ApiGatewayHttpRequest"],
      ["us-west-1", "dynamodb.writeRequestUnits", { upTo: null, usd: 0.695 }, "ZYXUKUJEQQX357EY"],
      ["us-west-1", "cloudwatchLogs.ingestion", { upTo: 10_000, usd: 0.67 }, "USW1-DataProcessing-Bytes"],
      ["eu-west-2", "apiGateway.HTTP", { upTo: 300e6, usd: 1.16 }, "MFY3FVZZSQWYVNHM"],
      ["eu-west-3", "dynamodb.writeRequestUnits", { upTo: null, usd: 0.7423 }, "EUW3-WriteRequestUnits"],
      ["ap-southeast-1", "cloudwatchLogs.ingestion", { upTo: 10_000, usd: 0.7 }, "APS1-DataProcessing-Bytes"],
      ["sa-east-1", "lambda.requests", { upTo: null, usd: 0.2 }, "20260919002359/sa-east-1"],
      ["ap-southeast-1", "dynamodb.writeRequestUnits", { upTo: null, usd: 0.71 }, "rahmat-ullah/DocParser"],
      ["eu-central-1", "dynamodb.writeRequestUnits", { upTo: null, usd: 0.7625 }, "0.0000007625"],
      ["eu-central-1", "apiGateway.HTTP", { upTo: 300e6, usd: 1.2 }, "eu-central-1"],
      ["sa-east-1", "apiGateway.REST", { upTo: 333e6, usd: 4.25 }, "BMW863HSCDQTKKDT"],
    ];
    for (const [region, path, first, quoted] of cases) {
      const got = figure(region, path);
      expect(got.first, `${region} ${path}`).toEqual(first);
      expect(got.source, `${region} ${path}`).toContain(quoted);
    }
  });
});

describe("priceTableFromFile", () => {
  const minimal = () => ({
    version: "mine-1",
    date: "2026-12-01",
    currency: "USD",
    regions: {
      "eu-west-3": {
        name: "Europe (Paris)",
        apiGateway: {
          HTTP: {
            quantity: "request",
            per: 1_000_000,
            tiers: [
              { upTo: 300e6, usd: 1.11 },
              { upTo: null, usd: 1.0 },
            ],
            source: "my invoice",
            asOf: "2026-11-30",
          },
        },
      },
    },
  });

  it("reads a user's partial table", () => {
    const table = priceTableFromFile(minimal(), "mine.json");
    expect(table.origin).toBe("mine.json");
    expect(table.regions["eu-west-3"]?.apiGateway?.HTTP?.tiers[0]?.usd).toBe(1.11);
    expect(table.regions["eu-west-3"]?.lambda.requests).toBeUndefined();
  });

  const broken: [string, (f: ReturnType<typeof minimal>) => void, string][] = [
    [
      "a negative price",
      (f) => {
        (f.regions["eu-west-3"].apiGateway.HTTP.tiers[0] as { usd: number }).usd = -1;
      },
      'price table mine.json: regions["eu-west-3"].apiGateway.HTTP.tiers[0].usd must be a price in USD > 0; got -1',
    ],
    [
      "tiers out of order",
      (f) => {
        f.regions["eu-west-3"].apiGateway.HTTP.tiers = [
          { upTo: 300e6, usd: 1.11 },
          { upTo: 100e6, usd: 1 },
        ];
      },
      'price table mine.json: regions["eu-west-3"].apiGateway.HTTP.tiers[1].upTo must be a monthly quantity greater than the tier before (300000000), or null for the last tier; got 100000000',
    ],
    [
      "an unbounded tier before the last",
      (f) => {
        f.regions["eu-west-3"].apiGateway.HTTP.tiers = [
          { upTo: null, usd: 1.11 } as never,
          { upTo: 100e6, usd: 1 },
        ];
      },
      "tiers[0].upTo must be a number (only the last tier may be unbounded, null); got null",
    ],
    [
      "no source",
      (f) => {
        f.regions["eu-west-3"].apiGateway.HTTP.source = "";
      },
      'regions["eu-west-3"].apiGateway.HTTP.source must be a non-empty string; got ""',
    ],
    [
      "a bad date",
      (f) => {
        f.regions["eu-west-3"].apiGateway.HTTP.asOf = "30/11/2026";
      },
      'apiGateway.HTTP.asOf must be an ISO date "YYYY-MM-DD"; got "30/11/2026"',
    ],
    [
      "a typo",
      (f) => {
        (f.regions["eu-west-3"] as Record<string, unknown>)["apiGatway"] = {};
      },
      'unknown field regions["eu-west-3"].apiGatway: expected one of name, lambda, apiGateway, dynamodb, cloudwatchLogs',
    ],
    [
      "a per-request price given per unit",
      (f) => {
        (f.regions["eu-west-3"].apiGateway.HTTP as { per: number }).per = 1;
      },
      "apiGateway.HTTP.per must be 1000000; got 1",
    ],
    [
      "another currency",
      (f) => {
        (f as { currency: string }).currency = "EUR";
      },
      'currency must be "USD"; got "EUR"',
    ],
  ];
  it.each(broken)("refuses %s in one line naming the field", (_name, breakIt, message) => {
    const f = minimal();
    breakIt(f);
    expect(() => priceTableFromFile(f, "mine.json")).toThrow(message);
    try {
      priceTableFromFile(f, "mine.json");
    } catch (error) {
      expect((error as Error).message).not.toContain("\n");
    }
  });
});

describe("docs/cost-model.md", () => {
  it("shows a user table example that the validator accepts", () => {
    const doc = readFileSync("docs/cost-model.md", "utf8");
    const block = /### Your own table[\s\S]*?```json\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const table = priceTableFromFile(JSON.parse(block ?? ""), "docs example");
    expect(table.regions["eu-west-3"]?.apiGateway?.HTTP?.tiers[0]?.usd).toBe(1.11);
  });
});
