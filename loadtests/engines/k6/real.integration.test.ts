/**
 * The CRUD scenario in REAL k6 (the binary `npm run k6:install` builds) against the real local stage: the
 * smoke profile whole with thresholds that must pass (exit 0), every other profile in a short form, checks and
 * tags per operation, a threshold that must fail (exit 99), handleSummary writing our run result, and k6's
 * `--out json` timeline. Skips with one line without k6; fails instead when POWERBENCH_REQUIRE_K6=1 (.ci/run
 * sets it).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../../../stage/stage.ts";
import { expectedIterations, PROFILES, resolveProfile } from "../../profiles.ts";
import { OPERATIONS, RUN_RESULT_SCHEMA_VERSION, type RunResult } from "../../run-result.ts";
import { realK6 } from "../../test-support/real-k6.ts";
import { createK6Engine, K6_EXIT_CODES, K6_SCRIPT } from "./engine.ts";
import { K6_PINNED_VERSION } from "./install.ts";
import { runProcess } from "./process.ts";
import type { K6SummaryData } from "./summary.ts";
import { readK6Timeline } from "./timeline.ts";

const K6 = realK6("loadtests/engines/k6/real.integration.test.ts");

let local: LocalStage;
/** The smoke run's latency thresholds: the profile's request timeout, beyond which a request is an error. */
const GENEROUS_LATENCY_MS = 10_000;
let dir: string;

/** Runs k6 on the scenario directly (not through the adapter), with its outputs in `dir`. */
async function k6Run(vars: Record<string, string>, name: string) {
  const files = {
    summary: path.join(dir, `${name}-summary.json`),
    result: path.join(dir, `${name}-result.json`),
    samples: path.join(dir, `${name}-samples.json`),
  };
  const all = {
    TARGET: local.stage.apiUrl,
    POWERBENCH_SUMMARY: files.summary,
    POWERBENCH_RESULT: files.result,
    ...vars,
  };
  const args = [
    "run",
    "--quiet",
    "--out",
    `json=${files.samples}`,
    ...Object.entries(all).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    K6_SCRIPT,
  ];
  const exit = await runProcess(K6 as string, args, process.env);
  return { exit, files };
}

interface SamplePoint {
  type: string;
  metric: string;
  data: { value: number; tags: Record<string, string> };
}

function points(file: string, metric: string): SamplePoint[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.includes(`"metric":"${metric}"`))
    .map((line) => JSON.parse(line) as SamplePoint)
    .filter((p) => p.type === "Point" && p.metric === metric);
}

describe.skipIf(!K6)("the CRUD scenario in real k6 against the local stage", () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-real-"));
    local = await startStage();
  }, 120_000);
  afterAll(async () => {
    await local?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("smoke, whole: thresholds pass (exit 0), every request checked and tagged by operation, our run result, a --out json timeline", async () => {
    // The smoke profile with its latency thresholds at the request timeout (a slower request is an error
    // anyway), so they hold on a busy machine and the run proves a PASSING threshold run: exit 0. The error-rate
    // threshold stays the profile's (errors are never a busy machine's doing).
    const profile = resolveProfile("smoke", {
      thresholds: { p95MsBelow: GENEROUS_LATENCY_MS, p99MsBelow: GENEROUS_LATENCY_MS },
    });
    expect(profile.requestTimeoutMs).toBe(GENEROUS_LATENCY_MS);
    const { exit, files } = await k6Run(
      { PROFILE_JSON: JSON.stringify(profile), SEED: "11", K6_VERSION: "v-test" },
      "smoke",
    );
    expect(exit.code, exit.stderrTail).toBe(K6_EXIT_CODES.ok);
    expect(exit.stdout).toMatch(/powerbench k6 smoke: \d+ requests, .* thresholds passed/);

    // handleSummary wrote our run result schema.
    const result = JSON.parse(readFileSync(files.result, "utf8")) as RunResult;
    const expected = expectedIterations(PROFILES.smoke); // 5/s for 10 s
    expect(result).toMatchObject({
      schemaVersion: RUN_RESULT_SCHEMA_VERSION,
      engine: { name: "k6", version: "v-test" },
      profile: "smoke",
      seed: 11,
      target: local.stage.apiUrl,
      thresholdsPassed: true,
      aborted: false,
    });
    // Every threshold evaluated and passed (the error rate's, and the latency ones at their generous bounds).
    expect(result.thresholds.map((t) => t.passed)).toEqual([true, true, true]);
    // The schedule's starts, as the built-in engine (k6 may start one more or fewer on a busy machine), sent or
    // dropped (k6 drops an iteration when no VU is free; a very busy machine can make it).
    expect(Math.abs(result.overall.requests + result.iterations.dropped - expected)).toBeLessThanOrEqual(1);
    expect(result.overall.errorCount).toBe(0);
    // The achieved rate is the schedule's (5/s): one request per iteration, within one iteration of the
    // schedule's count (plus what k6 dropped).
    expect(result.targetRatePerSec).toBe(PROFILES.smoke.startRatePerSec);
    expect(result.iterations.completed).toBe(result.overall.requests);
    expect(
      Math.abs(result.achievedRatePerSec / result.targetRatePerSec - 1),
      `achieved ${result.achievedRatePerSec}/s of ${result.targetRatePerSec}/s`,
    ).toBeLessThanOrEqual((1 + result.iterations.dropped) / expected);
    const ops = Object.keys(result.operations);
    expect(ops).toEqual(expect.arrayContaining(["create", "read"]));
    const perOperation = Object.values(result.operations).reduce((sum, s) => sum + s.requests, 0);
    expect(perOperation).toBe(result.overall.requests);
    for (const stats of Object.values(result.operations)) {
      expect(Object.values(stats.statusCounts).reduce((a, b) => a + b, 0)).toBe(stats.requests);
    }
    expect(result.thresholds.map((t) => t.expression).sort()).toEqual([
      `p(95)<${GENEROUS_LATENCY_MS}`,
      `p(99)<${GENEROUS_LATENCY_MS}`,
      "rate<0.01",
    ]);

    // A check per request, named by operation, all passed (k6's own summary data).
    const summary = JSON.parse(readFileSync(files.summary, "utf8")) as K6SummaryData & {
      root_group: { checks: Array<{ name: string; passes: number; fails: number }> };
    };
    const checks = Object.fromEntries(summary.root_group.checks.map((c) => [c.name, c]));
    for (const op of ops) {
      expect(checks[`${op}: expected status`]).toMatchObject({
        passes: result.operations[op as keyof typeof result.operations]?.requests,
        fails: 0,
      });
    }
    // Every request sample carries its operation and route tags; checks carry the operation.
    const durations = points(files.samples, "http_req_duration");
    expect(durations).toHaveLength(result.overall.requests);
    for (const p of durations) {
      const { op, name, method } = p.data.tags;
      expect(OPERATIONS).toContain(op);
      const route = op === "create" || op === "list" ? "/items" : "/items/{id}";
      expect(name).toBe(`${method} ${route}`);
    }
    const checkPoints = points(files.samples, "checks");
    expect(checkPoints).toHaveLength(result.overall.requests);
    expect(new Set(checkPoints.map((p) => p.data.tags["op"]))).toEqual(new Set(ops));

    // The per-second timeline from the same JSON output: one point a second, every request in it.
    const timeline = await readK6Timeline(files.samples);
    expect(timeline.warning).toBeUndefined();
    expect(timeline.requests).toBe(result.overall.requests);
    expect(timeline.timeline.length).toBeGreaterThanOrEqual(10);
    expect(timeline.timeline.length).toBeLessThanOrEqual(11);
    expect(timeline.histogram).toEqual(expect.any(String));
  }, 90_000);

  it("a threshold that must fail (p95 below 1 µs) makes k6 exit 99, and the result says which one", async () => {
    const profile = resolveProfile("smoke", {
      durationMs: 1500,
      thresholds: { p95MsBelow: 0.001 },
    });
    const { exit, files } = await k6Run({ PROFILE_JSON: JSON.stringify(profile), SEED: "2" }, "threshold");
    expect(exit.code, exit.stderrTail).toBe(K6_EXIT_CODES.thresholdsFailed);
    expect(exit.stdout).toMatch(/thresholds FAILED/);
    const result = JSON.parse(readFileSync(files.result, "utf8")) as RunResult;
    expect(result.thresholdsPassed).toBe(false);
    expect(result.thresholds).toContainEqual(
      expect.objectContaining({ expression: "p(95)<0.001", passed: false }),
    );
    expect(result.thresholds.filter((t) => !t.passed)).toHaveLength(1);
  }, 60_000);

  // Each other profile keeps its shape (executor, stages, thresholds) scaled to 2 s at a peak of 20/s.
  for (const name of ["baseline", "ramp", "spike", "soak"] as const) {
    it(`${name}, short (2 s, peak 20/s), through the adapter: its shape, no errors, a timeline`, async () => {
      const overrides = { durationMs: 2000, ratePerSec: 20 };
      const engine = createK6Engine({ binary: K6 as string, onWarning: (m) => expect.fail(m) });
      const result = await engine.run({ target: local.stage.apiUrl, profile: name, seed: 5, ...overrides });
      const expected = expectedIterations(resolveProfile(name, overrides));
      expect(result.engine).toEqual({ name: "k6", version: K6_PINNED_VERSION });
      expect(result.profile).toBe(name);
      // Sent or dropped: every start of the schedule (one more or fewer on a busy machine).
      expect(Math.abs(result.overall.requests + result.iterations.dropped - expected)).toBeLessThanOrEqual(2);
      expect(result.overall.errors).toEqual({});
      expect(result.timeline.reduce((sum, p) => sum + p.requests, 0)).toBe(result.overall.requests);
      expect(result.overall.histogram).toEqual(expect.any(String));
      expect(result.thresholdsPassed).toBe(result.thresholds.every((t) => t.passed));
    }, 60_000);
  }
});
