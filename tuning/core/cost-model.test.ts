import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  computeCost,
  ESTIMATE_ASSUMPTIONS,
  estimateRunCostUsd,
  readRequestUnits,
  writeRequestUnits,
} from "./cost-model.ts";
import {
  checkPriceCoverage,
  DEFAULT_PRICE_TABLE,
  monthlyCostUsd,
  PriceTableError,
  regionPrices,
  unitPriceUsd,
} from "./price-table.ts";

const usEast1 = regionPrices("us-east-1");

describe("computeCost on AWS's own worked examples", () => {
  it("Lambda pricing page, Example 1 (512 MB, 3M invocations of 1 s, us-east-1): 1,500,000 GB-s", () => {
    // Source: https://aws.amazon.com/lambda/pricing/ "Example 1: If you allocated 512MB of memory to your
    // function, executed it 3 million times in one month, and it ran for 1 second each time": total compute
    // 1,500,000 GB-s; with the 400,000 GB-s free tier, 1,100,000 GB-s × $0.00001667 = $18.34; requests
    // (3M − 1M free) × $0.20/M = $0.40. The model prices without the free tier (a sweep is marginal usage).
    const cost = computeCost(
      { architecture: "x86_64", memoryMb: 512, billedDurationMeanMs: 1000, apiType: null },
      { region: "us-east-1" },
    );
    const monthlyComputeUsd = 3 * cost.lambdaComputePerMillionUsd;
    expect(monthlyComputeUsd).toBeCloseTo(1_500_000 * 0.0000166667, 6);
    // AWS's own arithmetic, free tier applied, reproduced from our per-GB-second figure:
    const gbSecondsPerMillion =
      cost.lambdaComputePerMillionUsd / unitPriceUsd(usEast1.lambda.gbSecond.x86_64 ?? fail());
    expect(3 * gbSecondsPerMillion).toBeCloseTo(1_500_000, 6);
    expect(((3 * gbSecondsPerMillion - 400_000) * 0.00001667).toFixed(2)).toBe("18.34");
    expect(((3 - 1) * cost.lambdaRequestsPerMillionUsd).toFixed(2)).toBe("0.40");
  });

  it("Lambda pricing page, Example 2 (128 MB, 30M invocations of 200 ms): 750,000 GB-s", () => {
    // Source: https://aws.amazon.com/lambda/pricing/ "Example 2: 128MB ... 30 million times ... 200ms":
    // total compute 30M × 0.2 s × 128/1024 GB = 750,000 GB-s; requests 30M × $0.20/M = $6.00 before free tier.
    const cost = computeCost(
      { architecture: "x86_64", memoryMb: 128, billedDurationMeanMs: 200, apiType: null },
      { region: "us-east-1" },
    );
    expect(30 * cost.lambdaComputePerMillionUsd).toBeCloseTo(750_000 * 0.0000166667, 6);
    expect(30 * cost.lambdaRequestsPerMillionUsd).toBeCloseTo(6, 10);
  });

  it("API Gateway pricing page, REST example: 5 million calls × $3.50/million = $17.50", () => {
    // Source: https://aws.amazon.com/api-gateway/pricing/ REST APIs example ("five million API calls per
    // month ... US East (N. Virginia)"): API call charges = 5 million × $3.50/million = $17.50.
    const cost = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 128,
        billedDurationMeanMs: 0,
        apiType: "REST",
        invocationsPerRequest: 0,
      },
      { region: "us-east-1" },
    );
    expect(5 * cost.apiGatewayPerMillionUsd).toBeCloseTo(17.5, 10);
  });

  it("API Gateway pricing page, REST example at 15 billion calls: tiers $3.50, $2.80, $2.38", () => {
    // Source: https://aws.amazon.com/api-gateway/pricing/ REST example "receives 15 billion API calls per month":
    // the calls fall in the first three tiers, 333M at $3.50/M + 667M at $2.80/M + 14B at $2.38/M
    // = $1,165.50 + $1,867.60 + $33,320.00 = $36,353.10 (arithmetic checked by hand).
    const rest = usEast1.apiGateway?.REST;
    if (!rest) throw new Error("us-east-1 REST price missing");
    expect(monthlyCostUsd(rest, 15e9)).toBeCloseTo(36_353.1, 6);
    // The marginal price at that volume is the third tier's.
    expect(unitPriceUsd(rest, 15e9) * 1e6).toBeCloseTo(2.38, 10);
  });

  it("DynamoDB capacity rules from the pricing page: 8 KB read = 2 RRU strong, 1 eventual, 4 transactional; 3 KB write = 3 WRU, 6 transactional", () => {
    // Source: https://aws.amazon.com/dynamodb/pricing/ (key terms): "a strongly consistent read of an 8 KB item
    // would require two RCUs, an eventually consistent read of an 8 KB item would require one RCU, and a
    // transactional read of an 8 KB item would require four RCUs"; "a standard write request of a 3 KB item
    // would require three WCUs, and a transactional write request of a 3 KB item would require six WCUs".
    expect(readRequestUnits(8 * 1024, "strong")).toBe(2);
    expect(readRequestUnits(8 * 1024, "eventual")).toBe(1);
    expect(readRequestUnits(8 * 1024, "transactional")).toBe(4);
    expect(writeRequestUnits(3 * 1024)).toBe(3);
    expect(writeRequestUnits(3 * 1024, "transactional")).toBe(6);
    // Rounding up: 1 byte over 1 KB is 2 WRU; a 100-byte item still costs a whole unit.
    expect(writeRequestUnits(1025)).toBe(2);
    expect(readRequestUnits(100)).toBe(1);
  });
});

describe("computeCost, hand-checked", () => {
  it("prices one REST request at 1024 MB x86 with 1 RRU and 1 WRU in us-east-1", () => {
    // By hand, per 1M requests:
    //   compute  = 1e6 × 0.100 s × 1 GB × $0.0000166667 = $1.66667
    //   requests = $0.20; REST = $3.50; DynamoDB = $0.125 + $0.625 = $0.75
    //   total    = $6.11667 → $0.00000611667 per request
    const cost = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 1024,
        billedDurationMeanMs: 100,
        apiType: "REST",
        readRequestUnitsPerRequest: 1,
        writeRequestUnitsPerRequest: 1,
      },
      { region: "us-east-1" },
    );
    expect(cost.lambdaComputePerMillionUsd).toBeCloseTo(1.66667, 10);
    expect(cost.lambdaRequestsPerMillionUsd).toBeCloseTo(0.2, 12);
    expect(cost.apiGatewayPerMillionUsd).toBeCloseTo(3.5, 12);
    expect(cost.dynamodbPerMillionUsd).toBeCloseTo(0.75, 12);
    expect(cost.totalPerMillionUsd).toBeCloseTo(6.11667, 10);
    expect(cost.perRequestUsd).toBeCloseTo(0.00000611667, 16);
  });

  it("prices arm64 at $0.0000133334 per GB-s and an HTTP API at $1.00 per million", () => {
    // 2048 MB × 50 ms = 0.1 GB-s per request → 1e6 × 0.1 × 0.0000133334 = $1.33334 per 1M.
    const cost = computeCost(
      { architecture: "arm64", memoryMb: 2048, billedDurationMeanMs: 50, apiType: "HTTP" },
      { region: "us-east-1" },
    );
    expect(cost.lambdaComputePerMillionUsd).toBeCloseTo(1.33334, 10);
    expect(cost.apiGatewayPerMillionUsd).toBeCloseTo(1.0, 12);
    expect(cost.dynamodbPerMillionUsd).toBe(0);
  });

  it("prices cold starts through billed duration as written (INIT included since 1 Aug 2025)", () => {
    // report-cold.txt bills 662 ms for 395.99 ms + 265.72 ms init; a mean over 1 cold + 9 warm (13 ms) is
    // (662 + 9 × 13) / 10 = 77.9 ms, and the model prices exactly that.
    const cost = computeCost(
      { architecture: "x86_64", memoryMb: 1024, billedDurationMeanMs: (662 + 9 * 13) / 10, apiType: null },
      { region: "us-east-1" },
    );
    expect(cost.lambdaComputePerMillionUsd).toBeCloseTo(1e6 * 0.0779 * 0.0000166667, 10);
  });

  it("picks the tier the monthly volume falls in", () => {
    // 10 GB-s per request × 1e9 requests/month = 1e10 GB-s: second x86 tier, $0.000015.
    const cost = computeCost(
      { architecture: "x86_64", memoryMb: 10_240, billedDurationMeanMs: 1000, apiType: "HTTP" },
      { region: "us-east-1", monthlyRequests: 1e9 },
    );
    expect(cost.lambdaComputePerMillionUsd).toBeCloseTo(1e6 * 10 * 0.000015, 8);
    expect(cost.apiGatewayPerMillionUsd).toBeCloseTo(0.9, 12);
  });

  it("refuses what the table does not know, with the known regions listed", () => {
    expect(() =>
      computeCost(
        { architecture: "x86_64", memoryMb: 128, billedDurationMeanMs: 1, apiType: null },
        { region: "mars-1" },
      ),
    ).toThrow(
      /unknown region "mars-1".*expected one of af-south-1, .*us-west-2\. .*--price-table <file\.json> \(config: priceTable/,
    );
    expect(() =>
      computeCost(
        { architecture: "x86_64", memoryMb: 128, billedDurationMeanMs: 1, apiType: "HTTP" },
        { region: "ap-southeast-1" },
      ),
    ).toThrow(PriceTableError);
    expect(() =>
      computeCost(
        {
          architecture: "x86_64",
          memoryMb: 128,
          billedDurationMeanMs: 1,
          apiType: "HTTP",
          writeRequestUnitsPerRequest: 1,
        },
        { region: "ap-southeast-2" },
      ),
    ).toThrow(
      /no lambda\.requests price for ap-southeast-2 in price table .* unsourced as of 2026-12-07: .*--price-table/,
    );
    expect(() =>
      computeCost(
        { architecture: "x86_64", memoryMb: 128, billedDurationMeanMs: 1, apiType: "HTTP" },
        { region: "us-west-2", monthlyRequests: 4e8 },
      ),
    ).toThrow(/no confirmed price for a monthly volume/);
    expect(() =>
      computeCost(
        { architecture: "x86_64", memoryMb: 128, billedDurationMeanMs: -1, apiType: null },
        { region: "us-east-1" },
      ),
    ).toThrow(/billedDurationMeanMs must be a finite number ≥ 0, got -1/);
  });
});

describe("computeCost properties", () => {
  it("total is the sum of its parts, per request is total / 1e6, and compute is linear in billed duration", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("x86_64" as const, "arm64" as const),
        fc.integer({ min: 128, max: 10_240 }),
        fc.double({ min: 0, max: 900_000, noNaN: true }),
        fc.constantFrom("REST" as const, "HTTP" as const, null),
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 50, noNaN: true }),
        (architecture, memoryMb, billedMs, apiType, rru, wru) => {
          const input = {
            architecture,
            memoryMb,
            apiType,
            readRequestUnitsPerRequest: rru,
            writeRequestUnitsPerRequest: wru,
          };
          const cost = computeCost({ ...input, billedDurationMeanMs: billedMs }, { region: "us-east-1" });
          const double = computeCost(
            { ...input, billedDurationMeanMs: 2 * billedMs },
            { region: "us-east-1" },
          );
          const parts =
            cost.lambdaComputePerMillionUsd +
            cost.lambdaRequestsPerMillionUsd +
            cost.apiGatewayPerMillionUsd +
            cost.dynamodbPerMillionUsd;
          expect(cost.totalPerMillionUsd).toBeCloseTo(parts, 9);
          expect(cost.perRequestUsd).toBeCloseTo(cost.totalPerMillionUsd / 1e6, 15);
          expect(double.lambdaComputePerMillionUsd).toBeCloseTo(2 * cost.lambdaComputePerMillionUsd, 6);
          expect(double.apiGatewayPerMillionUsd).toBe(cost.apiGatewayPerMillionUsd);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("price table", () => {
  it("has the published tier-1 prices of us-east-1", () => {
    expect(unitPriceUsd(usEast1.lambda.gbSecond.x86_64 ?? fail())).toBe(0.0000166667);
    expect(unitPriceUsd(usEast1.lambda.gbSecond.arm64 ?? fail())).toBe(0.0000133334);
    expect(unitPriceUsd(usEast1.lambda.requests ?? fail()) * 1e6).toBeCloseTo(0.2, 12);
    expect(unitPriceUsd(usEast1.dynamodb?.writeRequestUnits ?? fail()) * 1e6).toBeCloseTo(0.625, 12);
    expect(unitPriceUsd(usEast1.dynamodb?.readRequestUnits ?? fail()) * 1e6).toBeCloseTo(0.125, 12);
    expect(DEFAULT_PRICE_TABLE.initBilling.effectiveFrom).toBe("2025-08-01");
  });
});

describe("checkPriceCoverage", () => {
  it("passes where every needed price is listed and names complete regions where not", () => {
    expect(() => checkPriceCoverage("us-east-1", { apiType: "REST", dynamodb: true })).not.toThrow();
    expect(() => checkPriceCoverage("eu-west-1", { apiType: "HTTP", dynamodb: false })).not.toThrow();
    expect(() => checkPriceCoverage("sa-east-1", { apiType: null, dynamodb: false })).not.toThrow();
    expect(() => checkPriceCoverage("sa-east-1", { apiType: "REST", dynamodb: true })).toThrow(
      `price table ${DEFAULT_PRICE_TABLE.version} has no confirmed DynamoDB on-demand price for sa-east-1 (dynamodb.writeRequestUnits, dynamodb.readRequestUnits marked unsourced in the table): expected a region with every price this run needs (ap-northeast-2, ap-south-1, eu-central-1, eu-west-1, eu-west-2, us-east-1, us-east-2, us-west-2). Pass a table with this region's prices with --price-table <file.json>`,
    );
    expect(() => checkPriceCoverage("ap-southeast-1", { apiType: "HTTP", dynamodb: false })).toThrow(
      "no confirmed API Gateway HTTP API price for ap-southeast-1",
    );
    expect(() => checkPriceCoverage("mars-1", { apiType: null, dynamodb: false })).toThrow(
      /unknown region "mars-1"/,
    );
  });
});

describe("estimateRunCostUsd", () => {
  it("sums requests × per-request cost over the settings with the documented assumptions", () => {
    const estimate = estimateRunCostUsd({
      settings: [
        { architecture: "x86_64", memoryMb: 1769 },
        { architecture: "x86_64", memoryMb: 3538 },
        { architecture: "arm64", memoryMb: 885 },
      ],
      requestsPerSetting: 10_000,
      region: "us-east-1",
      apiType: "REST",
    });
    const [oneVcpu, twoVcpu, halfVcpu] = estimate.perSetting;
    // Flat above one vCPU, doubled at half a vCPU.
    expect(oneVcpu?.assumedBilledDurationMs).toBe(ESTIMATE_ASSUMPTIONS.billedDurationMsAt1Vcpu);
    expect(twoVcpu?.assumedBilledDurationMs).toBe(ESTIMATE_ASSUMPTIONS.billedDurationMsAt1Vcpu);
    expect(halfVcpu?.assumedBilledDurationMs).toBe(2 * ESTIMATE_ASSUMPTIONS.billedDurationMsAt1Vcpu);
    // By hand for 1769 MB x86: per request 0.020 s × 1769/1024 GB × $0.0000166667 + $0.2e-6 + $3.5e-6
    // + 0.5 × $0.125e-6 + 0.5 × $0.625e-6; × 10,000 requests.
    const perRequest =
      0.02 * (1769 / 1024) * 0.0000166667 + 0.2e-6 + 3.5e-6 + 0.5 * 0.125e-6 + 0.5 * 0.625e-6;
    expect(oneVcpu?.costUsd).toBeCloseTo(perRequest * 10_000, 12);
    expect(estimate.totalUsd).toBeCloseTo(
      estimate.perSetting.reduce((sum, s) => sum + s.costUsd, 0),
      12,
    );
    expect(estimate.assumptions).toContain("20 ms at 1769 MB");
  });
});

function fail(): never {
  throw new Error("price missing from the table");
}
