/**
 * Done-when of "tune the user's own API": a second, different service (test/apps/notes: other routes with
 * nested path parameters and query strings, a composite-key table, its own stage name and alias) is tuned end
 * to end on the local stage from its own SAM template, with no change to powerbench's code, as a user runs it
 * (`npm run bench` in a child process): with its own workload file (built-in engine and real k6), with its own
 * k6 script, and with its own Postman collection as the gate. Kept short: 2 settings, 3 s of load each.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { realK6 } from "../../../loadtests/test-support/real-k6.ts";
import { validateResults } from "../../../tuning/results/results.ts";
import type { Results } from "../../../tuning/results/results-types.ts";
import { runScript } from "../../support/run-script.ts";

const APP = "test/apps/notes";
const k6 = realK6("test/apps/notes/notes-bench.integration.test.ts");
const outDirs: string[] = [];

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** `npm run bench` on the notes app: 2 settings, short load, one cold start each. */
async function bench(args: string[]): Promise<{ code: number | null; stderr: string; results: Results }> {
  const out = mkdtempSync(path.join(os.tmpdir(), "powerbench-notes-"));
  outDirs.push(out);
  const { code, stdout, stderr } = await runScript("scripts/bench.ts", [
    "--template",
    `${APP}/template.yaml`,
    "--memory",
    "256,1024",
    "--cold-starts",
    "1",
    "--out",
    out,
    "--json",
    ...args,
  ]);
  if (code !== 0) return { code, stderr, results: undefined as unknown as Results };
  const printed = JSON.parse(stdout) as { resultsPath: string };
  return { code, stderr, results: validateResults(JSON.parse(readFileSync(printed.resultsPath, "utf8"))) };
}

function expectTunedFromTemplate(results: Results): void {
  expect(results.run.stage).toMatchObject({ functionName: "NotesFunction", alias: "current" });
  expect(results.run.stage.apiUrl).toMatch(/\/v1$/);
  expect(results.settings.map((s) => [s.id, s.status])).toEqual([
    ["x86_64-256", "ok"],
    ["x86_64-1024", "ok"],
  ]);
  for (const setting of results.settings) {
    // Exactly the measured invocations were priced: the notes app returns x-lambda-request-id.
    expect(setting.lambda?.attribution).toBe("request-ids");
    expect(setting.checks?.invocationsEqualRequests).toBe(true);
    // Its request log line carries the DynamoDB units it consumed: DynamoDB is priced from measurements.
    expect(setting.dynamodb?.writeRequestUnits ?? 0).toBeGreaterThan(0);
  }
}

describe("the notes app, tuned through its own contract", () => {
  it("with its own workload file (built-in engine) and its own Postman collection as the gate", async () => {
    const { code, stderr, results } = await bench([
      "--workload",
      `${APP}/workload.yaml`,
      "--engine",
      "builtin",
      "--rate",
      "10",
      "--duration",
      "3",
      "--collection",
      `${APP}/notes.postman_collection.json`,
      "--environment",
      `${APP}/notes.postman_environment.json`,
    ]);
    expect(code, stderr).toBe(0);
    expectTunedFromTemplate(results);
    const [a, b] = results.settings;
    // Common random numbers: the same 30 requests at both settings against the same table state, so the
    // DynamoDB units are equal (the snapshot put the composite-key table back between the settings).
    expect(a?.client?.requests).toBe(30);
    expect(b?.client?.requests).toBe(30);
    expect(a?.dynamodb).toEqual(b?.dynamodb);
    expect(results.run.sequence).toMatchObject({ requests: 30, preseedItems: 40 });
    // The user's collection was the gate: its 11 assertions, passed at both settings.
    for (const setting of results.settings)
      expect(setting.gate).toMatchObject({ passed: true, assertions: 11 });
  }, 240_000);

  it.skipIf(!k6)(
    "with its own workload file under real k6",
    async () => {
      const { code, stderr, results } = await bench([
        "--workload",
        `${APP}/workload.yaml`,
        "--engine",
        "k6",
        "--rate",
        "10",
        "--duration",
        "3",
        "--no-gate",
      ]);
      expect(code, stderr).toBe(0);
      expectTunedFromTemplate(results);
      expect(results.run.engine.name).toBe("k6");
      const [a, b] = results.settings;
      expect(a?.dynamodb).toEqual(b?.dynamodb);
    },
    240_000,
  );

  it.skipIf(!k6)(
    "with its own k6 script, run unchanged at every setting",
    async () => {
      const { code, stderr, results } = await bench(["--k6-script", `${APP}/k6-notes.ts`, "--no-gate"]);
      expect(code, stderr).toBe(0);
      expectTunedFromTemplate(results);
      expect(results.run.engine).toMatchObject({ name: "k6" });
      expect(results.run.profile).toBe("k6-script:k6-notes.ts");
      // The script sends 2 requests per iteration at 10 iterations/s for 3 s (k6 may drop a few on a busy host).
      for (const setting of results.settings) expect(setting.client?.requests ?? 0).toBeGreaterThan(40);
    },
    240_000,
  );
});
