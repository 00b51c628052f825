/**
 * The worked examples of docs/cost-model.md, checked to the cent: change a number there, change it here.
 */
import { describe, expect, it } from "vitest";
import { computeCost } from "./cost-model.ts";
import { DEFAULT_PRICE_TABLE, monthlyCostUsd, regionPrices } from "./price-table.ts";

const cents = (usd: number) => usd.toFixed(2);

describe("docs/cost-model.md worked examples", () => {
  it("Example A, the whole bill: REST, 512 MB x86_64, us-east-1", () => {
    const cost = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 512,
        billedDurationMeanMs: 20,
        apiType: "REST",
        readRequestUnitsPerRequest: 0.3,
        writeRequestUnitsPerRequest: 0.25,
        failedConditionalWritesPerRequest: 0.01,
        logBytesPerRequest: 550,
        coldStartRate: 0.01,
        initBilledMs: 350,
      },
      { region: "us-east-1" },
    );
    expect(cents(cost.lambdaComputePerMillionUsd)).toBe("0.17"); // 0.020 s × 0.5 GB × $0.0000166667 × 1e6 = $0.166667
    expect(cents(cost.lambdaRequestsPerMillionUsd)).toBe("0.20");
    expect(cents(cost.apiGatewayPerMillionUsd)).toBe("3.50");
    expect(cents(cost.dynamodbPerMillionUsd)).toBe("0.19"); // 0.3 × $0.125 + 0.25 × $0.625 = $0.19375
    expect(cents(cost.dynamodbFailedWritesPerMillionUsd)).toBe("0.01"); // 0.01 × $0.625 = $0.00625
    expect(cents(cost.cloudwatchLogsPerMillionUsd)).toBe("0.26"); // 550 B / 2^30 B × $0.50 × 1e6 = $0.256114 (rounded)
    expect(cents(cost.initPerMillionUsd)).toBe("0.03"); // 0.01 × 0.350 s × 0.5 GB × $0.0000166667 × 1e6 = $0.029167
    expect(cents(cost.totalPerMillionUsd)).toBe("4.35"); // $4.351947
    expect(cost.totalPerMillionUsd).toBeCloseTo(4.351947, 6);
  });

  it("Example B, cold-start sensitivity: INIT of 400 ms at 128 MB at 0 %, 0.1 %, 1 %, 5 %", () => {
    const initAt = (rate: number) =>
      computeCost(
        {
          architecture: "x86_64",
          memoryMb: 128,
          billedDurationMeanMs: 0,
          invocationsPerRequest: 0,
          apiType: null,
          coldStartRate: rate,
          initBilledMs: 400,
        },
        { region: "us-east-1" },
      ).initPerMillionUsd;
    // rate × 0.400 s × 0.125 GB × $0.0000166667 × 1e6 = rate × $0.833335
    expect([0, 0.001, 0.01, 0.05].map((r) => initAt(r).toFixed(4))).toEqual([
      "0.0000",
      "0.0008",
      "0.0083",
      "0.0417",
    ]);
  });

  it("Example C, CloudWatch Logs tiers: 60 TB of Lambda logs in a month cost $12,500 (flat: $30,000)", () => {
    const logs = regionPrices("us-east-1").cloudwatchLogs?.ingestion;
    if (!logs) throw new Error("us-east-1 logs price missing");
    // 10,000 GB × $0.50 + 20,000 × $0.25 + 20,000 × $0.10 + 10,000 × $0.05
    expect(cents(monthlyCostUsd(logs, 60_000))).toBe("12500.00");
    expect(cents(60_000 * 0.5)).toBe("30000.00");
    expect(DEFAULT_PRICE_TABLE.bytesPerGb).toBe(1024 ** 3);
  });

  it("Example D, a failed conditional write: 1 WRU, $0.625 per million of them", () => {
    const cost = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 128,
        billedDurationMeanMs: 0,
        invocationsPerRequest: 0,
        apiType: null,
        failedConditionalWritesPerRequest: 1,
      },
      { region: "us-east-1" },
    );
    expect(cents(cost.dynamodbFailedWritesPerMillionUsd)).toBe("0.63"); // $0.625
    expect(cost.totalPerMillionUsd).toBeCloseTo(0.625, 12);
  });

  it("Example E, a monthly volume: an HTTP API at 400M requests a month reaches the $0.90 tier", () => {
    const input = {
      architecture: "x86_64",
      memoryMb: 512,
      billedDurationMeanMs: 50,
      apiType: "HTTP",
    } as const;
    const firstTier = computeCost(input, { region: "us-east-1" });
    const monthly = computeCost(input, { region: "us-east-1", monthlyRequests: 400e6 });
    // 400M × 0.050 s × 0.5 GB = 10M GB-s a month: still the first Lambda tier (6B).
    expect(monthly.lambdaComputePerMillionUsd).toBeCloseTo(0.4166675, 9); // 0.050 × 0.5 × $0.0000166667 × 1e6
    expect(cents(monthly.lambdaRequestsPerMillionUsd)).toBe("0.20");
    expect(cents(monthly.apiGatewayPerMillionUsd)).toBe("0.90"); // 400M > 300M: the second HTTP tier
    expect(cents(monthly.totalPerMillionUsd)).toBe("1.52"); // 0.4166675 + 0.20 + 0.90
    expect(cents(firstTier.totalPerMillionUsd)).toBe("1.62"); // 0.4166675 + 0.20 + 1.00
  });

  it("Example F, the free tier: at 1.5M requests a month Lambda's compute is free, its requests are not", () => {
    const input = {
      architecture: "x86_64",
      memoryMb: 512,
      billedDurationMeanMs: 50,
      apiType: "HTTP",
    } as const;
    const cost = computeCost(input, { region: "us-east-1", monthlyRequests: 1.5e6, freeTier: true });
    // 1.5M × 0.025 GB-s = 37,500 GB-s ≤ 400,000 free; 1.5M requests > 1M free: the $0.20 tier.
    expect(cost.lambdaComputePerMillionUsd).toBe(0);
    expect(cents(cost.lambdaRequestsPerMillionUsd)).toBe("0.20");
    expect(cents(cost.apiGatewayPerMillionUsd)).toBe("1.00"); // API Gateway's 12-month free tier is not applied
    expect(cents(cost.totalPerMillionUsd)).toBe("1.20");
    expect(() => computeCost(input, { region: "us-east-1", freeTier: true })).toThrow(
      "the free tier needs a monthly volume: pass --monthly-requests N with --free-tier",
    );
  });

  it("Example G, HTTP API metering: a 600 KB exchange is two 512 KB increments", () => {
    const cost = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 512,
        billedDurationMeanMs: 50,
        apiType: "HTTP",
        httpApiPayloadBytesPerRequest: 600 * 1024,
      },
      { region: "us-east-1" },
    );
    expect(cents(cost.apiGatewayPerMillionUsd)).toBe("2.00"); // ceil(600 / 512) = 2 metered calls × $1.00
    const big = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 512,
        billedDurationMeanMs: 50,
        apiType: "HTTP",
        httpApiPayloadBytesPerRequest: 1_200_000,
      },
      { region: "us-east-1" },
    );
    expect(cents(big.apiGatewayPerMillionUsd)).toBe("3.00"); // ceil(1,200,000 / 524,288) = 3 metered calls
    const rest = computeCost(
      {
        architecture: "x86_64",
        memoryMb: 512,
        billedDurationMeanMs: 50,
        apiType: "REST",
        httpApiPayloadBytesPerRequest: 600 * 1024,
      },
      { region: "us-east-1" },
    );
    expect(cents(rest.apiGatewayPerMillionUsd)).toBe("3.50"); // a REST API counts calls
  });
});
