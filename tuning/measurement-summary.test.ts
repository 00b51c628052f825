import { describe, expect, it } from "vitest";
import {
  cloudwatchDisagreement,
  coldStartSensitivityLines,
  costComponentLines,
  measurementLines,
} from "./measurement-summary.ts";
import { sampleResults } from "./test-support/sample-results.ts";

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
        s.dynamodb.readCapacityUnits = 0.5 * s.client.requests;
        s.dynamodb.writeCapacityUnits = 0.25 * s.client.requests;
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
