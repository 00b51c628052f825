/**
 * Checked before the stage starts (issue 19 "Late checks", issue 20 "Output and config"): each case used to
 * start the stage, run the sweep or hang before failing.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runScript, type ScriptRun } from "../test/support/run-script.ts";
import { workloadInputsOf } from "../tuning/adapters/workload-inputs.ts";
import { BENCH_DEFAULTS, type BenchConfig, QUICK_PRESET } from "../tuning/config/bench-config.ts";
import { estimateSweep } from "../tuning/config/estimate.ts";
import { runLoadOf } from "../tuning/results/build-results.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import {
  checkBaseline,
  checkEngine,
  checkOutputFolder,
  confirmLargeSweep,
  incomparableBecause,
  readInputFile,
} from "./bench-preflight.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-preflight-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = (over: Partial<BenchConfig> = {}): BenchConfig => ({ ...BENCH_DEFAULTS, ...over });

describe("input files", () => {
  it("refuses /dev/zero and a FIFO at once, and a file over the cap", () => {
    expect(() => readInputFile("/dev/zero", "--config", 1024)).toThrow(
      "--config /dev/zero is not a regular file",
    );
    const fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    // It used to wait for a writer for ever; a real process below shows it refused in bounded time.
    expect(() => readInputFile(fifo, "--config", 1024)).toThrow("is not a regular file");
    const big = path.join(dir, "big.json");
    writeFileSync(big, "x".repeat(2048));
    expect(() => readInputFile(big, "--config", 1024)).toThrow("is 2048 bytes, over the 1024-byte limit");
    expect(() => readInputFile(path.join(dir, "nope.json"), "--config", 1024)).toThrow(
      /^--config .*nope\.json does not exist: give the path of a JSON file$/,
    );
    writeFileSync(path.join(dir, "ok.json"), "{}");
    expect(readInputFile(path.join(dir, "ok.json"), "--config", 1024)).toBe("{}");
  });
});

describe("the output folder", () => {
  it("refuses kernel file systems and a path through a file; creates and probes a good one", () => {
    expect(() => checkOutputFolder("/proc/nope")).toThrow("--out /proc/nope is inside /proc");
    expect(() => checkOutputFolder("/sys/x/y")).toThrow("inside /sys");
    writeFileSync(path.join(dir, "a-file"), "");
    expect(() => checkOutputFolder(path.join(dir, "a-file", "x"))).toThrow(/cannot be created \(ENOTDIR/);
    const good = path.join(dir, "out", "nested");
    expect(checkOutputFolder(good)).toBe(good);
    expect(() => checkOutputFolder(good)).not.toThrow();
  });
});

describe("the baseline", () => {
  it("refuses another profile, mode or stage, with the reason", () => {
    const baseline = sampleResults();
    expect(incomparableBecause(baseline, config({ profile: baseline.run.profile }))).toBeUndefined();
    expect(baseline.run.profile).toBe("smoke");
    expect(incomparableBecause(baseline, config({ profile: "baseline" }))).toBe(
      "baseline ran profile smoke, this run baseline (--profile)",
    );
    // a direct-mode run records its profile as "direct-invoke" (tuning/results/build-results.ts)
    expect(incomparableBecause(baseline, config({ mode: "direct" }))).toBe(
      "baseline ran in api mode, this run in direct mode (--mode); baseline ran profile smoke, this run direct-invoke (--profile)",
    );
  });

  it("refuses a baseline of another load before the stage starts: --quick against a full run", () => {
    // The baseline as a full run records it (tuning/results/build-results.ts)
    const full = sampleResults();
    full.run.profile = "baseline";
    full.run.load = runLoadOf(config());
    full.run.sequence = { seed: 1, requests: 300, preseedItems: 64, reuseGapRequests: 100, idPrefix: "pb1" };
    expect(incomparableBecause(full, config())).toBeUndefined();
    const quick = config({ ...QUICK_PRESET, quick: true });
    expect(incomparableBecause(full, quick)).toBe(
      "baseline ran profile baseline, this run smoke (--quick); baseline ran 50 req/s for 6 s after a 1 s warm-up, this run 20 req/s for 4 s after a 1 s warm-up (--quick)",
    );
    expect(incomparableBecause(full, config({ seed: 9 }))).toBe(
      "baseline ran seed 1, this run seed 9 (--seed)",
    );
    expect(incomparableBecause(full, config({ engine: "k6" }))).toBe(
      "baseline ran the builtin engine, this run k6 (--engine)",
    );
    // issue 18: another workload file, before the stage starts (a file that cannot be read is left to its own check)
    full.run.inputs = workloadInputsOf(config());
    expect(incomparableBecause(full, config())).toBeUndefined();
    const notes = path.join(ROOT, "test/apps/notes/workload.yaml");
    expect(incomparableBecause(full, config({ workload: notes }))).toMatch(
      /^baseline ran the bundled workload file crud\.yaml \(fnv1a32:\w+\), this run workload file workload\.yaml \(fnv1a32:\w+\) \(--workload\)$/,
    );
    expect(incomparableBecause(full, config({ workload: path.join(dir, "missing.yaml") }))).toBeUndefined();
    const runDir = path.join(dir, "full-run");
    mkdirSync(runDir);
    writeFileSync(path.join(runDir, "results.json"), JSON.stringify(full));
    expect(() => checkBaseline(runDir, quick)).toThrow(
      /is not comparable with this run: baseline ran profile baseline, this run smoke \(--quick\); baseline ran 50 req\/s .*: run the baseline with the same stage and flags/,
    );
  });

  it("reads a run folder's results.json and names a missing file", () => {
    const runDir = path.join(dir, "run");
    mkdirSync(runDir);
    const baseline = sampleResults();
    writeFileSync(path.join(runDir, "results.json"), JSON.stringify(baseline));
    expect(checkBaseline(runDir, config({ profile: baseline.run.profile })).run.id).toBe(baseline.run.id);
    expect(() => checkBaseline(runDir, config({ profile: "baseline" }))).toThrow(
      /is not comparable with this run: baseline ran profile smoke, this run baseline \(--profile\): run the baseline with the same/,
    );
    expect(() => checkBaseline("/nonexistent", config())).toThrow(
      /^--baseline \/nonexistent does not exist: give the results\.json or run folder of an earlier run$/,
    );
    // a run folder without its results.json names the file it looked for
    const empty = path.join(dir, "empty-run");
    mkdirSync(empty);
    expect(() => checkBaseline(empty, config())).toThrow(
      `--baseline ${path.join(empty, "results.json")} does not exist: give the results.json or run folder of an earlier run`,
    );
  });
});

describe("k6 and large sweeps", () => {
  it("--engine k6 needs k6 at K6_BINARY, in the tools folder or on PATH", () => {
    // `dir` holds no k6: as the tools folder and as PATH it finds nothing.
    expect(() => checkEngine(config({ engine: "k6" }), { PATH: dir }, dir)).toThrow(
      "--engine k6: no k6 binary",
    );
    expect(() => checkEngine(config({ engine: "auto" }), { PATH: dir }, dir)).not.toThrow();
  });

  it("asks on a terminal, needs --yes otherwise, and stays quiet for a normal sweep", async () => {
    const huge = estimateSweep({
      settings: 10_113,
      stage: "local",
      mode: "api",
      loadS: 6,
      warmupS: 1,
      gate: true,
    });
    const small = estimateSweep({
      settings: 8,
      stage: "local",
      mode: "api",
      loadS: 6,
      warmupS: 1,
      gate: true,
    });
    const noTerminal = { interactive: false, ask: async () => "y" };
    await expect(confirmLargeSweep(10_113, huge, false, noTerminal)).rejects.toThrow(
      /10113 settings, about 36 h 31 min .*pass --yes to run it/,
    );
    expect(await confirmLargeSweep(10_113, huge, true, noTerminal)).toBe(true);
    expect(await confirmLargeSweep(8, small, false, noTerminal)).toBe(true);
    const questions: string[] = [];
    const terminal = (answer: string) => ({
      interactive: true,
      ask: async (q: string) => {
        questions.push(q);
        return answer;
      },
    });
    expect(await confirmLargeSweep(10_113, huge, false, terminal("n"))).toBe(false);
    expect(await confirmLargeSweep(10_113, huge, false, terminal("yes"))).toBe(true);
    expect(questions[0]).toMatch(/^bench: 10113 settings, about 36 h 31 min .*Run it\? \[y\/N\] $/);
  });
});

/** Bounded: none of these may reach the sweep. */
function bench(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ScriptRun> {
  return runScript("scripts/bench.ts", args, { env: { ...process.env, ...env }, timeoutMs: 30_000 });
}

describe("npm run bench refuses before the stage starts (real process)", () => {
  // Opening a FIFO blocks until a writer comes: a regression hangs the process, which bench() kills (code null).
  const configFifo = path.join(dir, "config-fifo");
  execFileSync("mkfifo", [configFifo]);
  const cases: Array<[string, string[], RegExp, NodeJS.ProcessEnv?]> = [
    ["--config a FIFO", ["--config", configFifo], /--config .*config-fifo is not a regular file/],
    [
      "an output path through a file",
      ["--out", "/etc/hostname/x"],
      /--out \/etc\/hostname\/x cannot be created \(ENOTDIR/,
    ],
    ["an output folder in /proc", ["--out", "/proc/nope"], /--out \/proc\/nope is inside \/proc/],
    [
      "a missing baseline",
      ["--baseline", "/nonexistent"],
      /^bench: --baseline \/nonexistent does not exist: give the results\.json or run folder of an earlier run\n$/,
    ],
    [
      "--engine k6 with K6_BINARY pointing at no program",
      ["--engine", "k6"],
      /--engine k6: K6_BINARY=".*no-k6-here" is not an executable file/,
      { PATH: path.dirname(process.execPath), K6_BINARY: path.join(os.tmpdir(), "no-k6-here") },
    ],
    ["--config /dev/zero", ["--config", "/dev/zero"], /--config \/dev\/zero is not a regular file/],
    ["10,113 settings without --yes", ["--memory", "128-10240:1"], /10113 settings, about .* pass --yes/],
  ];
  it.each(cases)("%s", async (_what, args, message, env) => {
    const run = await bench(args, env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain("starting the local stage");
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("--dry-run shows the estimated wall time", async () => {
    const run = await bench(["--dry-run", "--memory", "128,512"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/estimated wall time: about \d+ s \(2 setting\(s\) × /);
  });

  // issue 21: a ramped profile's peak at --rate 7 is 7.000000000000001 in floating point, printed as such
  it("--dry-run prints the rate as a number a reader would write (7/s)", async () => {
    const run = await bench(["--dry-run", "--memory", "128", "--profile", "baseline", "--rate", "7"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/ \(7\/s for \d+\+\d+ s, plus /);
    expect(run.stdout).toMatch(/estimated AWS cost of the run itself: \$0\.\d{4,} \(/);
  });

  it("--config --dry-run reads the flags' names (docs/config.md); an old name is one line naming the new key", async () => {
    const config = path.join(dir, "named.json");
    writeFileSync(
      config,
      JSON.stringify({
        $schema: "../tuning/config/bench-config.schema.json",
        memory: "128-512:128",
        rate: 10,
        duration: 3,
        warmup: 0,
        engine: "builtin",
        noGate: true,
      }),
    );
    const run = await bench(["--config", config, "--dry-run"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/\(4 setting\(s\) × /);
    expect(run.stdout).toContain(
      "load per setting: about 30 requests (10/s for 3+0 s, plus the Newman gate's 0 requests)",
    );
    const old = path.join(dir, "old.json");
    writeFileSync(old, JSON.stringify({ memoryMb: [128], durationS: 3 }));
    const refused = await bench(["--config", old, "--dry-run"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`bench: ${old}: memoryMb is now "memory" (the flag's name)\n`);
  });
});
