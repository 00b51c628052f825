import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/test-support/sample-results.ts";
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
});
