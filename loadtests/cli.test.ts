import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parseDurationMs, parseLoadtestArgs } from "./cli.ts";
import type { RunResult } from "./run-result.ts";
import { startTestServer, type TestServer } from "./test-support/crud-test-server.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const tmp = mkdtempSync(path.join(os.tmpdir(), "powerbench-loadtest-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs scripts/loadtest.ts as a real process; `interruptWhen` sends SIGINT once stderr matches it. */
function runCli(
  args: string[],
  interruptWhen?: RegExp,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/loadtest.ts", ...args], { cwd: root });
    let stdout = "";
    let stderr = "";
    let interrupted = false;
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
      if (interruptWhen && !interrupted && interruptWhen.test(stderr)) {
        interrupted = true;
        child.kill("SIGINT");
      }
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("loadtest flags", () => {
  it("parses flags with units and defaults", () => {
    expect(
      parseLoadtestArgs(["--target", "http://127.0.0.1:1/prod", "--duration", "2m", "--rate", "12.5"]),
    ).toEqual({
      target: "http://127.0.0.1:1/prod",
      profile: "smoke",
      engine: "auto",
      ratePerSec: 12.5,
      durationMs: 120_000,
      help: false,
    });
    expect(parseDurationMs("1500ms")).toBe(1500);
    expect(parseDurationMs("30")).toBe(30_000);
  });

  it("rejects bad flags, saying what was expected and what was got", () => {
    const t = ["--target", "http://127.0.0.1:1/prod"];
    expect(() => parseLoadtestArgs([])).toThrow(/invalid --target: missing/);
    expect(() => parseLoadtestArgs([...t, "--rate=-5"])).toThrow(
      /invalid --rate: expected a number > 0, got "-5"/,
    );
    expect(() => parseLoadtestArgs([...t, "--rate", "fast"])).toThrow(/invalid --rate/);
    expect(() => parseLoadtestArgs([...t, "--duration", "soon"])).toThrow(
      /expected a duration like 30s, 2m or 1500ms, got "soon"/,
    );
    expect(() => parseLoadtestArgs([...t, "--profile", "stress"])).toThrow(
      /expected one of smoke, baseline, ramp, spike, soak, got "stress"/,
    );
    expect(() => parseLoadtestArgs([...t, "--engine", "jmeter"])).toThrow(/invalid --engine/);
    expect(() => parseLoadtestArgs([...t, "--seed", "1.5"])).toThrow(/invalid --seed/);
    expect(() => parseLoadtestArgs([...t, "--rps", "5"])).toThrow(/invalid flags: Unknown option '--rps'/);
  });
});

describe("npm run loadtest (real process)", () => {
  it("a bad flag exits 2 with the error and the usage", async () => {
    const { code, stderr } = await runCli(["--target", "http://127.0.0.1:1/prod", "--profile", "stress"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/invalid --profile/);
    expect(stderr).toMatch(/Usage: npm run loadtest/);
  });

  it("runs a profile on the built-in engine, prints a summary and writes the result", async () => {
    server = await startTestServer();
    const out = path.join(tmp, "run.json");
    const args = [
      "--target",
      server.url,
      "--engine",
      "builtin",
      "--rate",
      "40",
      "--duration",
      "1s",
      "--seed",
      "3",
    ];
    const { code, stdout } = await runCli([...args, "--out", out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/builtin .* profile smoke/);
    expect(stdout).toMatch(/PASSED/);
    const result = JSON.parse(readFileSync(out, "utf8")) as RunResult;
    expect(result.engine.name).toBe("builtin");
    expect(result.overall.requests).toBe(40);
  });

  it("SIGINT ends the run early with a valid partial result (exit 130)", async () => {
    server = await startTestServer();
    const out = path.join(tmp, "partial.json");
    const args = [
      "--target",
      server.url,
      "--engine",
      "builtin",
      "--rate",
      "50",
      "--duration",
      "60s",
      "--out",
      out,
    ];
    const { code, stdout } = await runCli(args, /1 s: \d+ requests/);
    expect(code).toBe(130);
    expect(stdout).toMatch(/INTERRUPTED \(partial result\)/);
    const result = JSON.parse(readFileSync(out, "utf8")) as RunResult;
    expect(result.aborted).toBe(true);
    expect(result.overall.requests).toBeGreaterThan(0);
    expect(result.overall.requests).toBeLessThan(3000);
    expect(result.overall.requests).toBe(result.iterations.completed);
  });
});
