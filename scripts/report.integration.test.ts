import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultOutDir, parseThresholds } from "../reports/cli-options.ts";
import { asVersionTwo } from "../tuning/results/test-support/older-results.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { parseReportArgs } from "./report-args.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

/** Runs `tsx scripts/report.ts <args>` in a child process, as `npm run report --` does. */
function runReport(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "scripts", "report.ts"), ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, GITHUB_STEP_SUMMARY: "", ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("npm run report (scripts/report.ts)", () => {
  let dir = "";
  const file = (name: string) => path.join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-report-"));
    writeFileSync(file("results.json"), JSON.stringify(sampleResults()));
    const slower = sampleResults();
    for (const s of slower.settings) {
      if (!s.client) continue;
      s.client.latency.p95Ms /= 1.2; // the baseline was 20 % faster, beyond the noise of both runs' intervals
      const p95 = s.stats?.p95Ms;
      if (s.stats && p95) s.stats.p95Ms = { ...p95, low: p95.low / 1.5, high: p95.low / 1.2 };
    }
    writeFileSync(file("baseline.json"), JSON.stringify(slower));
    writeFileSync(file("baseline-v2.json"), JSON.stringify(asVersionTwo(slower)));
    const bad = sampleResults() as unknown as { settings: Array<Record<string, unknown>> };
    if (bad.settings[2]) bad.settings[2].memoryMb = "abc";
    writeFileSync(file("bad.json"), JSON.stringify(bad));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes index.html and summary.md, prints their paths and exits 0", async () => {
    const out = file("out-ok");
    const run = await runReport([file("results.json"), "--out", out, "--copy-results"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual([
      path.join(out, "index.html"),
      path.join(out, "summary.md"),
      path.join(out, "results.json"),
    ]);
    expect(readFileSync(path.join(out, "index.html"), "utf8")).toContain(
      "<title>powerbench report · 2026-11-27T02-09-00Z-ab12</title>",
    );
    expect(readFileSync(path.join(out, "summary.md"), "utf8")).toContain("## Recommendations");
    expect(JSON.parse(readFileSync(path.join(out, "results.json"), "utf8"))).toEqual(sampleResults());
  });

  it("reads the results.json inside a run folder (it failed with EISDIR)", async () => {
    const out = file("out-folder");
    const run = await runReport([dir, "--out", out]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(existsSync(path.join(out, "index.html"))).toBe(true);
  });

  // issue 21: schema version 3 renamed the cost components and DynamoDB units; an older baseline still compares
  it("compares against a baseline written by schema version 2 as against the same baseline in version 3", async () => {
    const run = await runReport([
      file("results.json"),
      "--baseline",
      file("baseline-v2.json"),
      "--out",
      file("out-v2"),
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/6 regression\(s\) against baseline/);
    expect(run.stderr).toMatch(/x86_64-512: client p95 rose by 20\.0 %/);
  });

  it("exits 2 on a regression against the baseline and names it; a looser threshold passes", async () => {
    const stepSummary = file("step-summary.md");
    const regressed = await runReport(
      [file("results.json"), "--baseline", file("baseline.json"), "--out", file("out-b")],
      { GITHUB_STEP_SUMMARY: stepSummary },
    );
    expect(regressed.code).toBe(2);
    expect(regressed.stderr).toMatch(/6 regression\(s\) against baseline/);
    expect(regressed.stderr).toMatch(/x86_64-512: client p95 rose by 20\.0 %/);
    expect(readFileSync(file("out-b/summary.md"), "utf8")).toContain("**6 regression(s):**");
    // in GitHub Actions the summary goes to the job's summary page too
    expect(readFileSync(stepSummary, "utf8")).toContain("**6 regression(s):**");
    expect(readFileSync(stepSummary, "utf8")).toContain("**Memory moves this API's bill by");

    const loose = await runReport([
      file("results.json"),
      "--baseline",
      file("baseline.json"),
      "--out",
      file("out-c"),
      "--regression-threshold",
      "p95=25%,cost=5",
    ]);
    expect(loose.stderr).toBe("");
    expect(loose.code).toBe(0);
  });

  it("exits 1 on malformed results with the field named, and writes nothing", async () => {
    const run = await runReport([file("bad.json"), "--out", file("out-bad")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('settings[2].memoryMb: expected integer ≥ 128 and ≤ 10240, got "abc"');
    expect(run.stderr).toContain(file("bad.json"));
    expect(existsSync(file("out-bad"))).toBe(false);
  });

  it("exits 1 on a missing file and on a bad option, saying what was expected", async () => {
    const missing = await runReport([file("nope.json")]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/could not read .*nope\.json/);
    const bad = await runReport([file("results.json"), "--regression-threshold", "p42=1"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('invalid --regression-threshold "p42=1": expected <metric>=<number>');
  });
});

describe("parseReportArgs", () => {
  it("reads the results path, baseline, output folder and thresholds", () => {
    expect(
      parseReportArgs([
        "r.json",
        "--baseline",
        "b.json",
        "--out",
        "o",
        "--regression-threshold",
        "p99=30",
        "--regression-threshold",
        "errorRate=0.5pp",
      ]),
    ).toEqual({
      resultsPath: "r.json",
      baselinePath: "b.json",
      outDir: "o",
      thresholds: { p99Pct: 30, errorRatePp: 0.5 },
      copyResults: false,
      help: false,
    });
    expect(parseReportArgs(["--help"]).help).toBe(true);
    expect(parseThresholds(["cost=12.5%, p95=8"])).toEqual({ costPct: 12.5, p95Pct: 8 });
  });

  it("keeps the default output folder inside reports/out whatever the run id", () => {
    expect(defaultOutDir("2026-11-27T02-09-00Z-ab12")).toBe("reports/out/2026-11-27T02-09-00Z-ab12");
    expect(defaultOutDir("../../etc/x")).toBe("reports/out/__.._etc_x"); // one folder name, no separator;
    expect(defaultOutDir("..")).toBe("reports/out/_");
  });

  it("rejects a missing results path, two paths, unknown options and bad thresholds", () => {
    expect(() => parseReportArgs([])).toThrow(/missing <results.json \| run folder>/);
    expect(() => parseReportArgs(["a.json", "b.json"])).toThrow(/unexpected argument "b.json"/);
    expect(() => parseReportArgs(["a.json", "--bogus"])).toThrow(/unknown flag --bogus/);
    expect(() => parseThresholds(["p95=-3"])).toThrow(/invalid --regression-threshold "p95=-3"/);
    expect(() => parseThresholds(["p95"])).toThrow(/<metric>=<number>/);
  });
});
