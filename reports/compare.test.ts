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
    // narrow bootstrap intervals that do not overlap: a real change, not noise
    if (!before.stats || !setting.stats) throw new Error("fixture changed");
    before.stats.p95Ms = { low: 63, high: 65, level: 0.95 };
    setting.stats.p95Ms = { low: 70.5, high: 73, level: 0.95 };
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
      /client p95 rose by 12\.0 % \(64\.0 ms → 71\.7 ms\), over the \+10 % threshold; 95 % intervals do not overlap/,
    );
    expect(comparison.regressions[1]?.message).toMatch(
      /error rate rose by 1\.50 pp.*; z = \d+\.\d+ ≥ 1\.645/,
    );
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

  it("a rise beyond the threshold inside overlapping intervals is noise, not a regression", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    const setting = current.settings.find((s) => s.id === "x86_64-512");
    const before = baseline.settings.find((s) => s.id === "x86_64-512");
    if (!setting?.client || !before?.client || !before.stats?.p95Ms) throw new Error("fixture changed");
    setting.client.latency.p95Ms = before.client.latency.p95Ms * 1.12; // the interval stays where it was
    const d = compareResults(current, baseline).settings.find((s) => s.id === "x86_64-512")?.deltas[1];
    expect(d).toMatchObject({ metric: "p95Ms", regression: false, significant: false });
    expect(d?.basis).toBe("95 % intervals overlap: not significant");
  });

  it("p99 +70 % from 80 requests is not a regression: too few requests beyond p99 (issue 19)", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    for (const results of [baseline, current])
      for (const s of results.settings) if (s.client) s.client.requests = 80;
    const setting = current.settings.find((s) => s.id === "x86_64-512");
    if (!setting?.client) throw new Error("fixture changed");
    setting.client.latency.p99Ms *= 1.7;
    const comparison = compareResults(current, baseline);
    expect(comparison.regressions).toEqual([]);
    const d = comparison.settings.find((s) => s.id === "x86_64-512")?.deltas[2];
    expect(d?.change).toBeCloseTo(0.7, 6);
    expect(d?.basis).toBe("too few requests to judge p99: 80 give 0.8 beyond it (need 10)");
    // with 2,000 requests in each run the same rise is a regression
    for (const results of [baseline, current])
      for (const s of results.settings) if (s.client) s.client.requests = 2000;
    expect(compareResults(current, baseline).regressions.map((r) => r.metric)).toEqual(["p99Ms"]);
  });

  it("refuses a baseline of another profile, mode or stage, with the reason", () => {
    const baseline = sampleResults();
    baseline.run.profile = "baseline";
    expect(() => compareResults(sampleResults(), baseline)).toThrow(
      /is not comparable with run .* \(profile baseline there, smoke here\): compare runs of the same stage, mode and profile/,
    );
  });
});
