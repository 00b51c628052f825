import { describe, expect, it } from "vitest";
import { formatDuration } from "../../reports/format.ts";
import { estimateSweep, isLargeSweep } from "./estimate.ts";

describe("estimateSweep", () => {
  it("the default local run: 8 × (1 s warm-up + 6 s load + 2 s gate + 4 s) + 6 s ≈ 1.8 min (README: about 1.5)", () => {
    const estimate = estimateSweep({
      settings: 8,
      stage: "local",
      mode: "api",
      loadS: 6,
      warmupS: 1,
      gate: true,
    });
    expect(estimate.perSettingS).toBe(13);
    expect(estimate.totalS).toBe(110);
    expect(isLargeSweep(8, estimate)).toBe(false);
  });

  it("--memory 128-10240:1 (10,113 settings) is large by count and by time", () => {
    const estimate = estimateSweep({
      settings: 10_113,
      stage: "local",
      mode: "api",
      loadS: 6,
      warmupS: 1,
      gate: true,
    });
    expect(formatDuration(estimate.totalS)).toBe("36 h 31 min");
    expect(isLargeSweep(10_113, estimate)).toBe(true);
  });

  it("a few long settings on AWS are large by time alone", () => {
    const estimate = estimateSweep({
      settings: 6,
      stage: "aws",
      mode: "api",
      loadS: 300,
      warmupS: 10,
      gate: true,
    });
    expect(estimate.totalS).toBe(6 * (310 + 2 + 60));
    expect(isLargeSweep(6, estimate)).toBe(true);
  });

  it("direct mode counts invocations in series", () => {
    const estimate = estimateSweep({
      settings: 2,
      stage: "local",
      mode: "direct",
      loadS: 0,
      warmupS: 0,
      gate: true,
      direct: { invocations: 50, parallelism: 5, sleepBetweenMs: 100 },
    });
    expect(estimate.perSettingS).toBeCloseTo(10 * 0.2 + 4);
  });
});
