import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import {
  cloudwatchDisagreement,
  coldStartPricing,
  coldStartSensitivityLines,
  costComponentLines,
  measurementLines,
} from "./measurement-summary.ts";

describe("summary.md measurement lines", () => {
  it("says the checks hold, or names the settings where they do not", () => {
    const results = sampleResults();
    results.run.sequence = {
      seed: 1,
      requests: 300,
      preseedItems: 64,
      reuseGapRequests: 50,
      idPrefix: "pb1x",
    };
    for (const s of results.settings) {
      s.checks = { invocationsEqualRequests: true, lambdaP99WithinClientP99: true };
      if (s.dynamodb && s.client) {
        s.dynamodb.readRequestUnits = 0.5 * s.client.requests;
        s.dynamodb.writeRequestUnits = 0.25 * s.client.requests;
      }
    }
    const ok = measurementLines(results).join("\n");
    expect(ok).toContain("replayed the same 300-request sequence (seed 1, 64 preseeded items");
    expect(ok).toContain(
      "DynamoDB units per request: read identical at every setting (0.5 RRU), write identical at every setting (0.25 WRU)",
    );
    expect(ok).toContain("Priced invocations = measured requests: holds at every setting");
    expect(ok).toContain("Lambda-side p99 ≤ client-side p99: holds at every setting");
    const broken = results.settings[2];
    if (broken?.checks) broken.checks.lambdaP99WithinClientP99 = false;
    expect(measurementLines(results).join("\n")).toContain(
      `Lambda-side p99 ≤ client-side p99: **does not hold** at ${broken?.id}`,
    );
  });

  it("lists every cost component and the cold-start sensitivity", () => {
    const results = sampleResults();
    results.run.coldStartRate = { source: "config", rate: 0.01 };
    results.run.coldStartSensitivity = [
      { rate: 0, costPick: "x86_64-512", notDistinguishableFrom: [] },
      { rate: 0.05, costPick: "x86_64-256", notDistinguishableFrom: ["x86_64-512"] },
    ];
    const table = costComponentLines(results).join("\n");
    expect(table).toContain(
      "| setting | Lambda compute | Lambda requests | API Gateway | DynamoDB | failed writes | CloudWatch Logs | INIT | total |",
    );
    const sensitivity = coldStartSensitivityLines(results).join("\n");
    expect(sensitivity).toContain("INIT is priced at 1 % cold starts (--cold-start-rate)");
    expect(sensitivity).toContain("| 5 % | x86_64-256 | x86_64-512 |");
  });

  it("says how INIT was priced (default, given or measured) with the rates the settings measured beside it", () => {
    const results = sampleResults();
    results.settings
      .filter((s) => s.lambda)
      .forEach((s, i) => {
        if (s.lambda) {
          s.lambda.init = {
            coldStartRate: 0.01,
            rateSource: "default",
            billedMeanMs: 200,
            coldStartsMeasured: 3,
            measuredRate: [0.02, 0.11][i % 2] as number,
          };
        }
      });
    results.run.coldStartRate = { source: "default", rate: 0.01 };
    expect(coldStartPricing(results)).toMatch(
      /^INIT is priced at 1 % cold starts, the default \(AWS: cold starts are typically under 1 % of production invocations; give your own with --cold-start-rate\) \(measured in this run: 2–11 % /,
    );
    results.run.coldStartRate = { source: "measured" };
    expect(coldStartPricing(results)).toContain("the cold-start rate measured at each setting");
  });

  it("shows the rounds and how far a setting's rounds were apart", () => {
    const results = sampleResults();
    results.run.rounds = 3;
    const setting = results.settings.find((s) => s.status === "ok");
    if (!setting) throw new Error("the sample needs a setting that ran");
    const round = (n: number, costPerMillionUsd: number) => ({
      round: n,
      position: n,
      window: { startMs: 0, endMs: 1 },
      requests: 100,
      errorCount: 0,
      clientLatencyMs: { p50: 5, p95: 9, p99: 12 },
      costPerMillionUsd,
      phaseMs: {},
      overheadMs: 1,
    });
    setting.rounds = [round(1, 4.11), round(2, 4.15), round(3, 4.12)];
    const lines = measurementLines(results).join("\n");
    expect(lines).toContain("- Rounds: each setting was measured in 3 rounds in rotating order");
    expect(lines).toContain("up to $0.04000 apart");
  });

  it("names a setting where CloudWatch's Invocations disagree with the REPORT lines, with both counts", () => {
    const results = sampleResults();
    const [agreeing, disagreeing] = results.settings.filter((s) => s.lambda);
    if (!agreeing?.lambda || !disagreeing?.lambda) throw new Error("the sample needs two measured settings");
    agreeing.lambda.cloudwatch = { invocations: 300, durationMs: agreeing.lambda.durationMs, agrees: true };
    expect(cloudwatchDisagreement(results)).toBeUndefined();
    expect(measurementLines(results).join("\n")).not.toContain("CloudWatch");
    disagreeing.lambda.invocations = 300;
    disagreeing.lambda.cloudwatch = {
      invocations: 310,
      durationMs: disagreeing.lambda.durationMs,
      agrees: false,
    };
    expect(measurementLines(results)).toContain(
      `- CloudWatch Invocations = measured REPORT lines: **does not hold** at ${disagreeing.id} (CloudWatch Invocations 310, REPORT lines 300)`,
    );
  });
});
