import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
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
    expect(() => parseLoadtestArgs([...t, "--seed", "4294967296"])).toThrow(
      /invalid --seed: expected a whole number from 0 to 4294967295, got "4294967296"/,
    );
    expect(() => parseLoadtestArgs([...t, "--max-connections", "0"])).toThrow(/invalid --max-connections/);
    expect(parseLoadtestArgs([...t, "--max-connections", "4"]).maxConnections).toBe(4);
    expect(() => parseLoadtestArgs([...t, "--rps", "5"])).toThrow(/invalid flags: Unknown option '--rps'/);
  });

  it("parses the workload flags into a workload that resolveWorkload accepts", () => {
    const t = ["--target", "http://127.0.0.1:1/prod"];
    expect(parseLoadtestArgs(t).workload).toBeUndefined();
    expect(
      parseLoadtestArgs([
        ...t,
        "--mix",
        "create=20, read=50,update=15,list=10,delete=5",
        "--key-popularity",
        "uniform",
        "--zipf-exponent",
        "1.2",
      ]).workload,
    ).toEqual({
      mix: { create: 20, read: 50, update: 15, list: 10, delete: 5 },
      keyPopularity: "uniform",
      zipfExponent: 1.2,
    });
    expect(parseLoadtestArgs([...t, "--mix", "create=1,list=3"]).workload).toEqual({
      mix: { create: 1, list: 3 },
    });
  });

  it("rejects a bad --mix, --key-popularity or --zipf-exponent, naming the flag and how to fix it", () => {
    const t = ["--target", "http://127.0.0.1:1/prod"];
    const fix = "for example --mix create=20,read=50,update=15,list=10,delete=5";
    const mix = (value: string) => () => parseLoadtestArgs([...t, "--mix", value]);
    expect(mix("create=20,fetch=5")).toThrow(
      `invalid --mix: unknown operation "fetch": expected one of create, read, update, list, delete; ${fix}`,
    );
    expect(mix("create=20,read=-1")).toThrow(
      /^invalid --mix: weight of read: expected a number ≥ 0, got -1; .*for example --mix create=20,/,
    );
    expect(mix("create=0,read=0")).toThrow(
      `invalid --mix: the weights sum to 0: give at least one operation a positive weight; ${fix}`,
    );
    expect(mix("read=10")).toThrow(
      /^invalid --mix: weight of create: is 0 but read\/update\/delete need ids/,
    );
    expect(mix("create=lots")).toThrow(/^invalid --mix: weight of create: expected a number ≥ 0, got "lots"/);
    expect(mix("create:20")).toThrow(/^invalid --mix: expected operation=weight pairs separated by commas/);
    expect(mix("create=1,create=2")).toThrow(/^invalid --mix: create is given twice/);
    expect(mix("create=1,toString=2")).toThrow(/^invalid --mix: unknown operation "toString"/);
    expect(mix("create=1,read2=2")).toThrow(/^invalid --mix: unknown operation "read2"/);
    expect(() => parseLoadtestArgs([...t, "--key-popularity", "hot"])).toThrow(
      /^invalid --key-popularity: expected "uniform" or "zipfian", got "hot"/,
    );
    expect(() => parseLoadtestArgs([...t, "--zipf-exponent=-1"])).toThrow(
      /^invalid --zipf-exponent: expected a number ≥ 0, got -1/,
    );
    expect(() => parseLoadtestArgs([...t, "--zipf-exponent", "steep"])).toThrow(
      /^invalid --zipf-exponent: expected a number ≥ 0 like 1\.0, got "steep"/,
    );
  });
});

describe("npm run loadtest (real process)", () => {
  it("a bad flag exits 1 with one line naming it (scripts/command.ts); the usage only on --help", async () => {
    const { code, stderr } = await runCli(["--target", "http://127.0.0.1:1/prod", "--profile", "stress"]);
    expect(code).toBe(1);
    expect(stderr).toBe(
      'loadtest: invalid --profile: expected one of smoke, baseline, ramp, spike, soak, got "stress"\n',
    );
  });

  it("an unknown operation, a negative weight or weights summing to 0 in --mix exit 1, naming the flag", async () => {
    const cases = [
      ["create=20,fetch=5", /invalid --mix: unknown operation "fetch"/],
      ["create=20,read=-1", /invalid --mix: weight of read: expected a number ≥ 0, got -1/],
      ["create=0,read=0", /invalid --mix: the weights sum to 0/],
    ] as const;
    const runs = await Promise.all(
      cases.map(([mix]) => runCli(["--target", "http://127.0.0.1:1/prod", "--mix", mix])),
    );
    runs.forEach(({ code, stderr }, i) => {
      expect(code).toBe(1);
      expect(stderr).toMatch((cases[i] as (typeof cases)[number])[1]);
      expect(stderr).toMatch(/for example --mix create=20,read=50,update=15,list=10,delete=5/);
    });
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
    const { code, stdout } = await runCli([...args, "--mix", "create=1,list=1", "--out", out]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/builtin .* profile smoke · seed 3 ·/);
    expect(stdout).toMatch(/start lag ms {2}p50 \d+\.\d {2}p99 \d+\.\d {2}max \d+\.\d/);
    expect(stdout).toMatch(/PASSED/);
    const result = JSON.parse(readFileSync(out, "utf8")) as RunResult;
    expect(result.engine.name).toBe("builtin");
    expect(result.seed).toBe(3);
    expect(result.overall.requests).toBe(40);
    // The mix reached the engine: only creates and lists were sent.
    expect(Object.keys(result.operations).sort()).toEqual(["create", "list"]);
  });

  it("--max-connections caps the built-in engine's keep-alive connections", async () => {
    // Each answer takes 20 ms: 80 req/s keep two requests in flight; one connection serves 50/s, so the rest
    // wait for it (and finish in the graceful stop), none dropped.
    let connections = 0;
    const slow = http.createServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end("[]"), 20);
    });
    slow.on("connection", () => {
      connections += 1;
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = slow.address() as AddressInfo;
      const out = path.join(tmp, "capped.json");
      const args = ["--target", `http://127.0.0.1:${port}/prod`, "--engine", "builtin", "--mix", "list=1"];
      const run = [...args, "--rate", "80", "--duration", "1s", "--max-in-flight", "50", "--out", out];
      const { code } = await runCli([...run, "--max-connections", "1"]);
      expect(code).toBe(0);
      expect(connections).toBe(1);
      const result = JSON.parse(readFileSync(out, "utf8")) as RunResult;
      expect(result.overall.requests).toBe(80);
      expect(result.iterations.dropped).toBe(0);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("a run without --seed draws one, records it in the result and prints it", async () => {
    server = await startTestServer();
    const out = path.join(tmp, "seeded.json");
    const args = ["--target", server.url, "--engine", "builtin", "--rate", "20", "--duration", "500ms"];
    const { code, stdout } = await runCli([...args, "--out", out]);
    expect(code).toBe(0);
    const result = JSON.parse(readFileSync(out, "utf8")) as RunResult;
    expect(Number.isInteger(result.seed)).toBe(true);
    expect(stdout).toContain(`· seed ${result.seed} ·`);
  });

  it("SIGINT ends the run early with a valid partial result (exit 1: not a complete run)", async () => {
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
    expect(code).toBe(1);
    expect(stdout).toMatch(/INTERRUPTED \(partial result\)/);
    const result = JSON.parse(readFileSync(out, "utf8")) as RunResult;
    expect(result.aborted).toBe(true);
    expect(result.overall.requests).toBeGreaterThan(0);
    expect(result.overall.requests).toBeLessThan(3000);
    expect(result.overall.requests).toBe(result.iterations.completed);
  });
});
