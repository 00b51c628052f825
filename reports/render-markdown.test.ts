import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { compareResults } from "./compare.ts";
import { escapeMarkdown, renderMarkdown } from "./render-markdown.ts";

describe("renderMarkdown", () => {
  it("summarises the picks, every setting, failures and warnings", () => {
    const results = sampleResults();
    results.run.cpuScaling = { mode: "none", reason: "no write access to /sys/fs/cgroup/cpu" };
    const md = renderMarkdown(results);
    expect(md).toContain("# powerbench · crud · run 2026-11-27T02-09-00Z-ab12");
    // Which load engine ran, with its version.
    expect(md).toContain("engine builtin 0.1.0 ·");
    expect(md).toMatch(/\| Lowest cost \| \*\*512 MB arm64\*\* \(arm64-512\) \| \$4\.327 \|/);
    for (const s of results.settings) expect(md).toContain(`| ${s.id} | ${s.status} |`);
    expect(md).toContain("- **128 MB x86_64** (x86_64-128): error-rate: error rate 0.184");
    expect(md).toContain("CPU scaling was not emulated");
    expect(md).toContain("no write access to /sys/fs/cgroup/cpu");
    expect(md.endsWith("\n")).toBe(true);
  });

  // issue 19 audit: "none qualifies" read as if every setting had missed an SLO nobody set
  it("says the SLO was not set when the run had none, and none qualifies only when one was set", () => {
    const results = sampleResults();
    const slo = results.recommendations.find((r) => r.strategy === "slo");
    if (slo) Object.assign(slo, { settingId: null, indistinguishableFrom: [] });
    delete results.run.slo;
    expect(renderMarkdown(results)).toMatch(
      /\| Cheapest within the SLO \| not set \(--slo-p99, --slo-error-rate\) \| – \|/,
    );
    results.run.slo = { p99Ms: 1 };
    expect(renderMarkdown(results)).toMatch(/\| Cheapest within the SLO \| no setting qualifies \| – \|/);
  });

  it("ends with the compact shareable summary in a fence nothing can close", () => {
    const results = sampleResults();
    results.settings[0] = {
      ...(results.settings[0] as (typeof results.settings)[number]),
      failures: [{ kind: "other", message: "a ``` fence" }],
      status: "failed",
    };
    const md = renderMarkdown(results);
    expect(md).toContain("## Shareable summary\n\n````text\npowerbench 2026-11-27T02-09-00Z-ab12");
    expect(md.trimEnd().endsWith("````")).toBe(true);
  });

  it("shows the comparison and its regressions", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    const s = current.settings.find((x) => x.id === "x86_64-1024");
    if (!s?.client) throw new Error("fixture changed");
    s.client.latency.p99Ms *= 1.5;
    const md = renderMarkdown(current, { comparison: compareResults(current, baseline) });
    expect(md).toContain("**1 regression(s):**");
    expect(md).toMatch(/- x86_64-1024: client p99 rose by 50\.0 %/);
    expect(md).toMatch(
      /\| x86_64-1024 \| compared \| 0\.0 % \| 0\.0 % \| \*\*\+50\.0 %\*\* ⚠ \| 0\.00 pp \|/,
    );
  });

  it("escapes text that would break a table or inject HTML", () => {
    expect(escapeMarkdown("a|b\n<img src=x onerror=alert(1)> *x*")).toBe(
      "a\\|b &lt;img src=x onerror=alert(1)&gt; \\*x\\*",
    );
  });
});
