/**
 * `npm run bench -- --engine k6 --quick` as a user runs it, with REAL k6: every setting is loaded by k6, and
 * results.json, the HTML report and summary.md name the engine and its version.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { validateResults } from "../tuning/results.ts";
import { K6_PINNED_VERSION } from "./k6-install.ts";
import { realK6 } from "./test-support/real-k6.ts";

const K6 = realK6("loadtests/k6-bench.integration.test.ts");
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const out = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-bench-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!K6)("npm run bench -- --engine k6 --quick", () => {
  it("loads every setting with k6; the results, report and summary name k6 and its version", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/bench.ts",
        "--engine",
        "k6",
        "--quick",
        "--memory",
        "256,1024",
        "--out",
        out,
        "--json",
      ],
      { cwd: ROOT, env: { ...process.env, K6_BINARY: K6 as string }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString("utf8");
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString("utf8");
    });
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout) as { resultsPath: string; reportPath: string };
    const results = validateResults(JSON.parse(readFileSync(printed.resultsPath, "utf8")));
    expect(results.run.engine).toEqual({ name: "k6", version: K6_PINNED_VERSION });
    expect(results.settings.map((s) => s.id)).toEqual(["x86_64-256", "x86_64-1024"]);
    for (const setting of results.settings) {
      expect(setting.status, setting.id).toBe("ok");
      expect(setting.client?.requests, setting.id).toBeGreaterThan(0);
    }
    const runDir = path.dirname(printed.resultsPath);
    expect(readFileSync(path.join(runDir, "summary.md"), "utf8")).toContain(
      `engine k6 ${K6_PINNED_VERSION} ·`,
    );
    expect(readFileSync(path.join(runDir, "index.html"), "utf8")).toContain(
      `<dt>load engine</dt><dd>k6 ${K6_PINNED_VERSION}</dd>`,
    );
  }, 240_000);
});
