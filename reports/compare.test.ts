import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/test-support/sample-results.ts";
import { compareResults, DEFAULT_THRESHOLDS } from "./compare.ts";

describe("compareResults", () => {
  it("finds no regression between a run and itself, and lists every setting", () => {
    const results = sampleResults();
    const comparison = compareResults(results, sampleResults());
    expect(comparison.regressions).toEqual([]);
    expect(comparison.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(comparison.settings.map((s) => s.id).sort()).toEqual(results.settings.map((s) => s.id).sort());
    const compared = comparison.settings.find((s) => s.id === "x86_64-512");
    expect(compared?.status).toBe("compared");
    expect(compared?.deltas.map((d) => d.change)).toEqual([0, 0, 0, 0]);
  });

  it("flags a metric that rose beyond its threshold, and only that one", () => {
    // Prepare: p95 of x86_64-512 up 12 %, cost up 9 % (under 10 %), error rate up 1.5 pp
    const baseline = sampleResults();
    const current = sampleResults();
    const setting = current.settings.find((s) => s.id === "x86_64-512");
    const before = baseline.settings.find((s) => s.id === "x86_64-512");
    if (!setting?.client || !setting.cost || !before?.client || !before.cost)
      throw new Error("fixture changed");
    setting.client.latency.p95Ms = before.client.latency.p95Ms * 1.12;
    setting.cost.totalPerMillionUsd = before.cost.totalPerMillionUsd * 1.09;
    setting.client.errorRate = before.client.errorRate + 0.015;

    // Act
    const comparison = compareResults(current, baseline);

    // Assess
    expect(comparison.regressions.map((r) => [r.settingId, r.metric])).toEqual([
      ["x86_64-512", "p95Ms"],
      ["x86_64-512", "errorRate"],
    ]);
    expect(comparison.regressions[0]?.message).toMatch(
      /client p95 rose by 12\.0 % \(64\.0 ms → 71\.7 ms\), over the \+10 % threshold/,
    );
    expect(comparison.regressions[1]?.message).toMatch(/error rate rose by 1\.50 pp/);
    const cost = comparison.settings.find((s) => s.id === "x86_64-512")?.deltas[0];
    expect(cost?.change).toBeCloseTo(0.09, 6);
    expect(cost?.regression).toBe(false);
    // A looser threshold clears the p95 regression
    expect(compareResults(current, baseline, { p95Pct: 15, errorRatePp: 2 }).regressions).toEqual([]);
  });

  it("counts a setting that completed before and fails now; lists new and missing settings", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    const arm = current.settings.find((s) => s.id === "arm64-512");
    if (!arm) throw new Error("fixture changed");
    arm.status = "failed";
    arm.failures = [{ kind: "oom", message: "Runtime exited with error: signal: killed" }];
    current.settings = current.settings.filter((s) => s.id !== "x86_64-256");
    baseline.settings = baseline.settings.filter((s) => s.id !== "x86_64-1769");

    const comparison = compareResults(current, baseline);

    expect(comparison.regressions).toEqual([
      { settingId: "arm64-512", metric: "status", message: expect.stringContaining("oom: Runtime exited") },
    ]);
    const status = Object.fromEntries(comparison.settings.map((s) => [s.id, s.status]));
    expect(status["x86_64-1769"]).toBe("new");
    expect(status["x86_64-256"]).toBe("missing");
    expect(status["x86_64-128"]).toBe("failed-both"); // not a regression
  });
});
