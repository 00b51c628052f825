import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { summarizeResults } from "./summary.ts";

describe("summarizeResults", () => {
  it("puts the run, each strategy's pick and one line per setting in a few lines", () => {
    const results = sampleResults();
    const lines = summarizeResults(results).trimEnd().split("\n");
    expect(lines).toHaveLength(1 + results.recommendations.length + results.settings.length);
    expect(lines[0]).toContain("powerbench 2026-11-27T02-09-00Z-ab12 · local us-east-1 · REST API");
    expect(lines[0]).toContain("SLO p99 ≤ 80.0 ms, errors ≤ 0.10 %");
    expect(lines[1]).toMatch(/^cost\s+arm64-512\s+\$4\.327\/1M\s+p95 69\.0 ms/);
    expect(lines.find((l) => l.startsWith("slo"))).toMatch(
      /^slo\s+x86_64-1024\s+\$4\.366\/1M\s+p95 38\.0 ms/,
    );
    expect(lines.find((l) => l.startsWith("x86_64-128"))).toMatch(/FAILED\s+error-rate: error rate 0\.184/);
    expect(lines.find((l) => l.startsWith("x86_64-2048"))).toMatch(
      /p99 44\.8 ms\s+billed 9\.6 ms\s+errors 0\.067 %/,
    );
  });

  it("says why a strategy has no pick", () => {
    const results = sampleResults();
    results.recommendations = [
      { strategy: "slo", settingId: null, reason: "no setting meets p99 ≤ 5 ms", indistinguishableFrom: [] },
    ];
    expect(summarizeResults(results)).toContain("slo  none  no setting meets p99 ≤ 5 ms");
  });

  // issue 19 audit: the reason of a strategy without a pick widened column 3, so p95 started ~50 spaces out
  it("keeps the picks' columns tight when a strategy without a pick has a long reason", () => {
    const results = sampleResults();
    const slo = results.recommendations.find((r) => r.strategy === "slo");
    if (!slo) throw new Error("fixture changed");
    Object.assign(slo, {
      settingId: null,
      reason: "no SLO targets were given (a p99 latency and/or an error rate)",
      indistinguishableFrom: [],
    });
    const lines = summarizeResults(results).split("\n");
    const picked = lines.filter((l) => /^(cost|speed|balanced) /.test(l));
    expect(picked).toHaveLength(3);
    const p95At = picked.map((l) => l.indexOf("p95 "));
    // every pick's p95 in one column, right after the widest cost ("x86_64-2048  $4.433/1M  ")
    expect(new Set(p95At).size).toBe(1);
    expect(p95At[0]).toBe("balanced  x86_64-2048  $4.433/1M  ".length);
    expect(lines).toContain(
      "slo       none         no SLO targets were given (a p99 latency and/or an error rate)",
    );
  });
});
