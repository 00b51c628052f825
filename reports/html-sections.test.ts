import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { renderMetadata } from "./html-sections.ts";

describe("the run panel", () => {
  it("names a setting where CloudWatch's Invocations disagree with the REPORT lines, with both counts", () => {
    const results = sampleResults();
    expect(renderMetadata(results)).not.toContain("CloudWatch");
    const s = results.settings.find((setting) => setting.lambda);
    if (!s?.lambda) throw new Error("the sample needs a measured setting");
    s.lambda.invocations = 300;
    s.lambda.cloudwatch = { invocations: 310, durationMs: s.lambda.durationMs, agrees: false };
    expect(renderMetadata(results)).toContain(
      `<dt>CloudWatch disagrees</dt><dd>${s.id} (CloudWatch Invocations 310, REPORT lines 300)</dd>`,
    );
  });

  it("says how many invocations each setting was allowed at once by the host's capacity, with the formula", () => {
    const results = sampleResults();
    expect(renderMetadata(results)).not.toContain("invocations at once");
    const s = results.settings[0];
    if (!s) throw new Error("the sample needs a setting");
    s.hostContention = {
      oversubscribed: false,
      meanCpuShareDemand: 0.2,
      peakCpuShareDemand: 0.5,
      hostCpuWaitShare: 0.02,
      capacity: {
        invocationCap: 13,
        environmentCores: 1,
        meanCapacityWaitMs: 0.25,
        waitedShare: 0.04,
        reason: "at most 13 invocations at once",
      },
    };
    const html = renderMetadata(results);
    expect(html).toContain(`<dt>invocations at once</dt><dd>${s.id}: 13 (4.0 % waited, mean 0.25 ms)`);
    expect(html).toContain("max(1, floor(1 environment cores / min(1, memory/1769)))");
  });
});
