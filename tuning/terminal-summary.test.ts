import { describe, expect, it } from "vitest";
import { renderTerminalSummary } from "./terminal-summary.ts";
import { sampleResults } from "./test-support/sample-results.ts";

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
});
