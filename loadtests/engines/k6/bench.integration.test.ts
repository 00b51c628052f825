/**
 * `npm run bench -- --engine k6 --quick` as a user runs it, with REAL k6: every setting is loaded by k6, and
 * results.json, the HTML report and summary.md name the engine and its version; the Lambda figures are
 * attributed by the request ids k6 measured (the attribution checks hold), and the DynamoDB units per request
 * are the same at every setting (common random numbers: k6 replays the same request sequence).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { validateResults } from "../../../tuning/results/results.ts";
import { realK6 } from "../../test-support/real-k6.ts";
import { K6_PINNED_VERSION } from "./install.ts";

const K6 = realK6("loadtests/engines/k6/bench.integration.test.ts");
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
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
      expect(setting.status, `${setting.id}: ${JSON.stringify(setting.failures)}`).toBe("ok");
      expect(setting.client?.requests, setting.id).toBeGreaterThan(0);
      // Exact attribution under k6 too: the Lambda figures are those of the request ids k6 measured.
      expect(setting.lambda?.attribution, setting.id).toBe("request-ids");
      expect(setting.checks, setting.id).toEqual({
        invocationsEqualRequests: true,
        lambdaP99WithinClientP99: true,
      });
    }
    // Common random numbers under k6: the same request sequence at every setting, so the same DynamoDB units
    // per request (the units, the requests and their quotient are each the same).
    const unitsPerRequest = results.settings.map((s) => {
      const requests = s.client?.requests ?? 0;
      const dynamodb = s.dynamodb;
      return {
        requests,
        readPerRequest: (dynamodb?.readRequestUnits ?? Number.NaN) / requests,
        writePerRequest: (dynamodb?.writeRequestUnits ?? Number.NaN) / requests,
      };
    });
    const [first, ...others] = unitsPerRequest;
    expect(first?.writePerRequest).toBeGreaterThan(0);
    for (const other of others) expect(other, JSON.stringify(unitsPerRequest)).toEqual(first);
    const runDir = path.dirname(printed.resultsPath);
    expect(readFileSync(path.join(runDir, "summary.md"), "utf8")).toContain(
      `engine k6 ${K6_PINNED_VERSION} ·`,
    );
    expect(readFileSync(path.join(runDir, "index.html"), "utf8")).toContain(
      `<dt>load engine</dt><dd>k6 ${K6_PINNED_VERSION}</dd>`,
    );
  }, 240_000);
});
