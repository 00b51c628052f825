import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { renderTerminalSummary } from "./terminal-summary.ts";
import { verdictOf } from "./verdict.ts";

describe("renderTerminalSummary", () => {
  it("says on one line where CloudWatch's Invocations disagree with the REPORT lines, with both counts", () => {
    const results = sampleResults();
    expect(renderTerminalSummary(results)).not.toContain("CloudWatch");
    const s = results.settings.find((setting) => setting.lambda);
    if (!s?.lambda) throw new Error("the sample needs a measured setting");
    s.lambda.invocations = 300;
    s.lambda.cloudwatch = { invocations: 296, durationMs: s.lambda.durationMs, agrees: false };
    const lines = renderTerminalSummary(results).split("\n");
    expect(lines.filter((line) => line.includes("CloudWatch"))).toEqual([
      `CloudWatch disagrees with the measured REPORT lines: ${s.id} (CloudWatch Invocations 296, REPORT lines 300)`,
    ]);
  });

  it("names the capacity queue of a setting flagged for it (--capacity), beside its wait share", () => {
    const results = sampleResults();
    const s = results.settings[0];
    if (!s) throw new Error("the sample needs a setting");
    s.hostContention = {
      oversubscribed: true,
      meanCpuShareDemand: 0.58,
      peakCpuShareDemand: 0.58,
      hostCpuWaitShare: 0.05,
      reason: "the invocations waited 40 % of their Durations in all for the host's capacity (1 at once)",
      capacity: {
        invocationCap: 1,
        environmentCores: 1,
        meanCapacityWaitMs: 2.5,
        waitedShare: 0.3,
        reason: "at most 1 invocation at once",
      },
    };
    const line = renderTerminalSummary(results)
      .split("\n")
      .find((l) => l.startsWith("host oversubscribed"));
    expect(line).toContain(
      `${s.id} 5 % of Duration waiting for the host (capacity queue: 2.5 ms mean, 1 at once)`,
    );
  });

  // issue 19 audit: the terminal had no verdict line; the report opens with it
  it("prints the verdict's headline under the title, before the table", () => {
    const results = sampleResults();
    const lines = renderTerminalSummary(results).split("\n");
    const headline = verdictOf(results)?.headline ?? "";
    expect(headline).toMatch(/^Memory moves this API's bill by /);
    expect(lines.slice(0, 3)).toEqual([expect.stringMatching(/^powerbench /), "", headline]);
  });
});
