/**
 * The k6 adapter's process contract, tested with a STAND-IN executable written by this test, for what real k6
 * cannot be made to do on demand (crash with code 107, write no summary, linger after SIGINT): it records its
 * arguments, answers `version`, writes summary data of k6's documented shape where `-e POWERBENCH_SUMMARY` says,
 * and exits with the code the test asks for. This never claims k6 ran; the real k6 runs are in
 * real.integration.test.ts and the other k6 integration tests.
 */

import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../../../test/support/wait.ts";
import { EngineUnavailableError, K6RunError } from "../../errors.ts";
import type { RunResult } from "../../run-result.ts";
import { sampleJsonOutputLines } from "../../test-support/k6-json-output-sample.ts";
import { sampleSummary } from "../../test-support/k6-summary-sample.ts";
import { createEngine } from "../select.ts";
import { createK6Engine, findK6Binary, K6_SCRIPT } from "./engine.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const RUNNER = fileURLToPath(new URL("../../test-support/k6-adapter-runner.ts", import.meta.url));
let dir: string;
/** A tools folder without k6, so the stand-in on PATH is found even where `npm run k6:install` built the real one. */
const noTools = path.join(os.tmpdir(), "powerbench-k6-adapter-test-no-tools");
let binDir: string;
let argsFile: string;
let summaryFixture: string;
let jsonOutFixture: string;

const STAND_IN = `#!${process.execPath}
// STAND-IN for k6 in tests: not k6. Records argv, writes fixture summary and JSON output, exits as told.
const fs = require("node:fs");
const args = process.argv.slice(2);
if (args[0] === "version") { console.log("k6 v0.0.0-standin (stand-in for tests, not k6)"); process.exit(0); }
fs.writeFileSync(process.env.STANDIN_ARGS_FILE, JSON.stringify(args));
fs.writeFileSync(process.env.STANDIN_ARGS_FILE + ".pid", String(process.pid));
const vars = {};
for (let i = 0; i < args.length; i++) if (args[i] === "-e") { const [k, ...v] = args[++i].split("="); vars[k] = v.join("="); }
const out = args[args.indexOf("--out") + 1] || "";
const mode = process.env.STANDIN_MODE || "ok";
const writeOutputs = () => {
  fs.copyFileSync(process.env.STANDIN_SUMMARY, vars.POWERBENCH_SUMMARY);
  if (out.startsWith("json=") && mode !== "nojson") {
    const samples = fs.readFileSync(process.env.STANDIN_JSON_OUT);
    // Like k6: gzipped when the file name ends in .gz.
    fs.writeFileSync(out.slice(5), out.endsWith(".gz") ? require("node:zlib").gzipSync(samples) : samples);
  }
};
if (mode === "wait") {
  // Like k6: the first SIGINT stops the run, which still writes its summary and exits 105; a second SIGINT
  // while stopping is a hard stop: exit 105 at once, no summary.
  let sigints = 0;
  process.on("SIGINT", () => {
    sigints += 1;
    fs.appendFileSync(process.env.STANDIN_ARGS_FILE + ".sigints", "SIGINT\\n");
    if (sigints > 1) process.exit(105);
    setTimeout(() => { writeOutputs(); process.exit(105); }, 300);
  });
  setTimeout(() => process.exit(3), 20000);
  fs.writeFileSync(process.env.STANDIN_ARGS_FILE + ".ready", "");
} else if (mode === "linger") {
  // A k6 slow to stop: SIGINT is noted, and it runs on (up to 20 s).
  process.on("SIGINT", () => fs.appendFileSync(process.env.STANDIN_ARGS_FILE + ".sigints", "SIGINT\\n"));
  setTimeout(() => process.exit(3), 20000);
  fs.writeFileSync(process.env.STANDIN_ARGS_FILE + ".ready", "");
} else {
  if (mode !== "nosummary") writeOutputs();
  if (mode === "crash") process.stderr.write("ReferenceError: foo is not defined at crud.ts:1\\n");
  process.exit(Number(process.env.STANDIN_EXIT || 0));
}
`;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-standin-"));
  binDir = path.join(dir, "bin");
  argsFile = path.join(dir, "args.json");
  summaryFixture = path.join(dir, "fixture-summary.json");
  writeFileSync(summaryFixture, JSON.stringify(sampleSummary()));
  jsonOutFixture = path.join(dir, "fixture-samples.json");
  writeFileSync(jsonOutFixture, `${sampleJsonOutputLines().join("\n")}\n`);
  mkdirSync(binDir);
  const k6 = path.join(binDir, "k6");
  writeFileSync(k6, STAND_IN);
  chmodSync(k6, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const envWith = (extra: Record<string, string>) => ({
  ...process.env,
  PATH: `${binDir}${path.delimiter}${process.env["PATH"] ?? ""}`,
  K6_BINARY: "",
  STANDIN_ARGS_FILE: argsFile,
  STANDIN_SUMMARY: summaryFixture,
  STANDIN_JSON_OUT: jsonOutFixture,
  ...extra,
});

describe("k6 adapter with a stand-in executable", () => {
  it("finds k6 on PATH, or through K6_BINARY, and says clearly when K6_BINARY is wrong", () => {
    expect(findK6Binary(envWith({}), noTools)).toBe(path.join(binDir, "k6"));
    expect(findK6Binary({ PATH: "" }, noTools)).toBeUndefined();
    expect(findK6Binary({ K6_BINARY: path.join(binDir, "k6"), PATH: "" })).toBe(path.join(binDir, "k6"));
    expect(() => findK6Binary({ K6_BINARY: "/nonexistent/k6" })).toThrow(
      /K6_BINARY="\/nonexistent\/k6" is not an executable/,
    );
  });

  it("auto picks k6 when present and builtin otherwise; k6 without a binary is a clear error", () => {
    expect(createEngine("auto", { env: envWith({}), k6: { toolsBinDir: noTools } }).name).toBe("k6");
    expect(createEngine("auto", { env: { PATH: "" }, k6: { toolsBinDir: noTools } }).name).toBe("builtin");
    // A built-in-only option is refused when auto finds k6, not dropped in silence.
    const capped = { builtin: { maxConnections: 4 }, k6: { toolsBinDir: noTools } };
    expect(() => createEngine("auto", { env: envWith({}), ...capped })).toThrow(
      /invalid max-connections: applies to the built-in engine only, and --engine auto found k6/,
    );
    expect(createEngine("auto", { env: { PATH: "" }, ...capped }).name).toBe("builtin");
    expect(() => createEngine("k6", { env: envWith({}), ...capped })).toThrow(
      /invalid max-connections: applies to the built-in engine only, and --engine k6 runs k6/,
    );
    expect(() => createEngine("k6", { env: { PATH: "" }, k6: { toolsBinDir: noTools } })).toThrow(
      EngineUnavailableError,
    );
    expect(() => createEngine("jmeter")).toThrow(
      /invalid engine: expected one of auto, builtin, k6, got "jmeter"/,
    );
  });

  it("runs `k6 run` with target and profile as -e variables and maps the summary", async () => {
    const engine = createK6Engine({ toolsBinDir: noTools, env: envWith({ STANDIN_EXIT: "0" }) });
    const result = await engine.run({
      target: "http://127.0.0.1:9/prod",
      profile: "baseline",
      durationMs: 2000,
      seed: 7,
    });
    const args = JSON.parse(readFileSync(argsFile, "utf8")) as string[];
    expect(args[0]).toBe("run");
    expect(args[args.length - 1]).toBe(K6_SCRIPT);
    expect(args).toContain("TARGET=http://127.0.0.1:9/prod");
    expect(args).toContain("PROFILE=baseline");
    expect(args).toContain("SEED=7");
    expect(args[args.indexOf("--out") + 1]).toMatch(/^json=.+\.json\.gz$/);
    const profileJson =
      args.find((a) => a.startsWith("PROFILE_JSON="))?.slice("PROFILE_JSON=".length) ?? "{}";
    expect(JSON.parse(profileJson).stages).toEqual([{ durationMs: 2000, targetRatePerSec: 50 }]);
    expect(result.engine).toEqual({ name: "k6", version: "v0.0.0-standin" });
    expect(result.seed).toBe(7);
    expect(result.overall.requests).toBe(500);
    expect(result.thresholdsPassed).toBe(true);
    expect(result.aborted).toBe(false);
    // From k6's JSON output: one point per second, and the overall histogram.
    expect(result.timeline.map((p) => [p.requests, p.errors])).toEqual([
      [4, 0],
      [2, 1],
      [0, 0],
      [1, 0],
    ]);
    expect(result.overall.histogram).toEqual(expect.any(String));
  });

  it("without k6's JSON output the result has an empty timeline and a warning", async () => {
    const warnings: string[] = [];
    const engine = createK6Engine({
      toolsBinDir: noTools,
      env: envWith({ STANDIN_MODE: "nojson" }),
      onWarning: (m) => warnings.push(m),
    });
    const result = await engine.run({ target: "http://127.0.0.1:9/prod", profile: "smoke" });
    expect(result.overall.requests).toBe(500);
    expect(result.timeline).toEqual([]);
    expect(result.overall.histogram).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(/k6's JSON output at .*: reading it failed .*; no per-second timeline/),
    ]);
  });

  it("exit code 99 means thresholds failed, with a result", async () => {
    const engine = createK6Engine({ toolsBinDir: noTools, env: envWith({ STANDIN_EXIT: "99" }) });
    const result = await engine.run({ target: "http://127.0.0.1:9/prod", profile: "smoke" });
    expect(result.thresholdsPassed).toBe(false);
  });

  it("another exit code is an error carrying k6's stderr", async () => {
    const engine = createK6Engine({
      toolsBinDir: noTools,
      env: envWith({ STANDIN_EXIT: "107", STANDIN_MODE: "crash" }),
    });
    const run = engine.run({ target: "http://127.0.0.1:9/prod", profile: "smoke" });
    await expect(run).rejects.toThrow(K6RunError);
    await expect(run).rejects.toThrow(
      /k6 exited with code 107 \(expected 0, or 99 when thresholds fail\); stderr: ReferenceError/,
    );
  });

  it("a missing summary is an error that says what the script must do", async () => {
    const engine = createK6Engine({ toolsBinDir: noTools, env: envWith({ STANDIN_MODE: "nosummary" }) });
    await expect(engine.run({ target: "http://127.0.0.1:9/prod", profile: "smoke" })).rejects.toThrow(
      /wrote no summary .* handleSummary must write the data to -e POWERBENCH_SUMMARY/,
    );
  });

  it("an abort interrupts k6 with SIGINT and returns its partial summary marked aborted", async () => {
    const engine = createK6Engine({ toolsBinDir: noTools, env: envWith({ STANDIN_MODE: "wait" }) });
    const controller = new AbortController();
    const ready = `${argsFile}.ready`;
    rmSync(ready, { force: true });
    // Interrupt once the stand-in has its SIGINT handler (node starts slowly on a loaded machine).
    const poll = setInterval(() => {
      if (existsSync(ready)) {
        clearInterval(poll);
        controller.abort();
      }
    }, 20);
    setTimeout(() => clearInterval(poll), 15_000);
    const result = await engine.run({
      target: "http://127.0.0.1:9/prod",
      profile: "smoke",
      signal: controller.signal,
    });
    expect(result.aborted).toBe(true);
    expect(result.overall.requests).toBe(500);
  });

  it("Ctrl-C in a terminal (SIGINT to the whole process group) reaches k6 once: the partial result survives", async () => {
    const ready = `${argsFile}.ready`;
    const sigints = `${argsFile}.sigints`;
    rmSync(ready, { force: true });
    rmSync(sigints, { force: true });
    // The adapter runs in a child that leads its own process group, as a shell starts a foreground job.
    const child = spawn(process.execPath, ["--import", "tsx", RUNNER], {
      cwd: root,
      env: envWith({ STANDIN_MODE: "wait" }),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    expect(await waitFor(() => existsSync(ready)), "the stand-in k6 never got ready").toBe(true);
    process.kill(-(child.pid as number), "SIGINT");
    const code = await closed;
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout) as RunResult;
    expect(result.aborted).toBe(true);
    expect(result.overall.requests).toBe(500);
    expect(readFileSync(sigints, "utf8")).toBe("SIGINT\n");
  });

  it("a second Ctrl-C while k6 is still stopping kills it at once", async () => {
    const ready = `${argsFile}.ready`;
    const sigints = `${argsFile}.sigints`;
    rmSync(ready, { force: true });
    rmSync(sigints, { force: true });
    rmSync(`${argsFile}.pid`, { force: true });
    const child = spawn(process.execPath, ["--import", "tsx", RUNNER], {
      cwd: root,
      env: envWith({ STANDIN_MODE: "linger" }),
      stdio: "ignore",
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    expect(await waitFor(() => existsSync(ready)), "the stand-in k6 never got ready").toBe(true);
    const k6Pid = Number(readFileSync(`${argsFile}.pid`, "utf8"));
    child.kill("SIGINT");
    expect(await waitFor(() => existsSync(sigints)), "the first SIGINT never reached k6").toBe(true);
    expect(isAlive(k6Pid)).toBe(true); // still stopping
    child.kill("SIGINT");
    // Killed now, not after the 20 s the stand-in would linger nor the adapter's 30 s grace: the run fails.
    expect(await waitFor(() => !isAlive(k6Pid), 250), `stand-in k6 (pid ${k6Pid}) still runs`).toBe(true);
    expect(await closed).toBe(1);
    expect(readFileSync(sigints, "utf8")).toBe("SIGINT\n");
  });

  for (const end of ["process.exit", "SIGTERM"] as const) {
    it(`k6 does not outlive the process that runs it (${end} mid-run)`, async () => {
      const ready = `${argsFile}.ready`;
      rmSync(ready, { force: true });
      rmSync(`${argsFile}.pid`, { force: true });
      const go = `${argsFile}.go`;
      rmSync(go, { force: true });
      const runnerArgs = end === "process.exit" ? ["exit-when", go] : [];
      const child = spawn(process.execPath, ["--import", "tsx", RUNNER, ...runnerArgs], {
        cwd: root,
        env: envWith({ STANDIN_MODE: "wait" }),
        stdio: "ignore",
      });
      const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
        child.on("close", (code, signal) => resolve([code, signal])),
      );
      expect(await waitFor(() => existsSync(ready)), "the stand-in k6 never got ready").toBe(true);
      const k6Pid = Number(readFileSync(`${argsFile}.pid`, "utf8"));
      expect(isAlive(k6Pid)).toBe(true);
      if (end === "SIGTERM") child.kill("SIGTERM");
      else writeFileSync(go, "");
      expect(await closed).toEqual(end === "SIGTERM" ? [null, "SIGTERM"] : [3, null]);
      expect(await waitFor(() => !isAlive(k6Pid)), `stand-in k6 (pid ${k6Pid}) still runs`).toBe(true);
    });
  }
});

/** Polls `condition` every 20 ms, at most `limit` times. */
async function waitFor(condition: () => boolean, limit = 500): Promise<boolean> {
  for (let i = 0; i < limit; i++) {
    if (condition()) return true;
    await sleep(20);
  }
  return condition();
}

/** Whether a process runs (a zombie, dead but not yet reaped, does not count). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}
