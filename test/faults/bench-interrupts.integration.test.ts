/**
 * Interruptions of real `npm run bench` and `npm run stage` processes, each in a process group of its own, as
 * a terminal runs them (issue 20, "Found" 1 and 2):
 *
 * - one Ctrl-C reaches the bench two or three times (the terminal signals the group, npm and tsx forward it):
 *   it must restore the function, not take the echo for a second Ctrl-C;
 * - the same doubled signal must not kill `npm run stage` half-way through its stop (leaking cgroups);
 * - after SIGKILL or a lost network, a journal is left: a new run refuses the changed function, `--restore`
 *   puts it back; the lost network ends the run in bounded time with the exact `--restore` command printed;
 * - the short form of the signal soak: SIGINT to the group, SIGTERM, SIGKILL, network cut, one each.
 *
 * Runs against the AWS path (`--stage aws`) of a second local stage in its own process.
 */

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StageChild, startStageChild } from "../soak/stage-child.ts";
import { awsPathBenchConfig } from "../support/aws-bench-config.ts";
import { sleep } from "../support/wait.ts";
import { groupGone, spawnBench } from "./signals/bench-process.ts";
import { type FunctionState, readFunctionState, stateDifferences } from "./signals/function-state.ts";
import { pidsInGroup } from "./signals/process-group.ts";
import { cgroupsOf, runSignalSoak } from "./signals/signal-soak.ts";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("one Ctrl-C, delivered more than once, restores the function (bench on the AWS path)", () => {
  let stage: StageChild;
  let lambda: LambdaClient;
  let initial: FunctionState;
  let work: string;
  let env: NodeJS.ProcessEnv;
  let args: string[];
  beforeAll(async () => {
    stage = await startStageChild();
    const e = stage.endpoints;
    lambda = new LambdaClient({ endpoint: e.awsEndpoint, region: e.region, credentials: e.credentials });
    initial = await readFunctionState(lambda, e.functionName);
    work = mkdtempSync(path.join(os.tmpdir(), "powerbench-interrupts-"));
    mkdirSync(path.join(work, "journals"));
    const config = path.join(work, "bench.json");
    writeFileSync(config, JSON.stringify(awsPathBenchConfig(e, { duration: 3, noGate: true })));
    env = {
      ...process.env,
      AWS_ENDPOINT_URL: e.awsEndpoint,
      AWS_ACCESS_KEY_ID: e.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: e.credentials.secretAccessKey,
      AWS_REGION: e.region,
      POWERBENCH_JOURNAL_DIR: path.join(work, "journals"),
    };
    args = ["--config", config, "--out", path.join(work, "out")];
  }, 90_000);
  afterAll(async () => {
    lambda?.destroy();
    await stage?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("SIGINT to the group twice within 50 ms (the wrappers' echo) during the load: restored, exit 1", async () => {
    const bench = spawnBench(args, env);
    expect(await bench.reached("load", 0)).toBe(true);
    const changed = await readFunctionState(lambda, stage.endpoints.functionName);
    expect(stateDifferences(initial, changed)).not.toEqual([]); // the run really changed it
    process.kill(-bench.pid, "SIGINT");
    await sleep(50);
    process.kill(-bench.pid, "SIGINT");
    const ended = await bench.exited;
    expect(await groupGone(bench.pid, 10_000)).toBe(true);
    const after = await readFunctionState(lambda, stage.endpoints.functionName);
    expect(stateDifferences(initial, after)).toEqual([]);
    expect(ended.output).toMatch(/SIGINT: stopping; restoring the function first/);
    expect(ended.output).not.toMatch(/SIGINT again|may not be restored|NOT restored/);
  }, 120_000);
});

describe("npm run stage on a doubled Ctrl-C", () => {
  it("stops once, completely: 'stopped' printed, no process and no cgroup left", async () => {
    const child = spawn("npm", ["run", "--silent", "stage"], {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.setEncoding("utf8").on("data", (t: string) => (output += t));
    child.stderr?.setEncoding("utf8").on("data", (t: string) => (output += t));
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    const pgid = child.pid ?? -1;
    const deadline = Date.now() + 60_000;
    while (!/API URL:\s+(\S+)/.test(output) && Date.now() < deadline) await sleep(100);
    const apiUrl = /API URL:\s+(\S+)/.exec(output)?.[1];
    expect(apiUrl).toBeDefined();
    // Requests at once: several execution environments (each in its cgroups where the host has them).
    const answers = await Promise.all(Array.from({ length: 6 }, () => fetch(`${apiUrl}/items`)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const pids = pidsInGroup(pgid);
    // The terminal's SIGINT to the group, then the wrappers' echoes.
    for (const delayMs of [0, 20, 60]) {
      await sleep(delayMs);
      try {
        process.kill(-pgid, "SIGINT");
      } catch {
        // already gone: the stop was quicker than the echoes
      }
    }
    await closed;
    expect(output).toMatch(/stage: stopped/);
    expect(await groupGone(pgid, 10_000)).toBe(true);
    expect(pids.flatMap((pid) => cgroupsOf(pid))).toEqual([]);
  }, 120_000);
});

describe("signal soak, short form: one run per interruption, then --restore where needed", () => {
  it("leaves the function exactly as it began every time, with no version, process or cgroup left", async () => {
    const result = await runSignalSoak({
      runs: 4,
      seed: 1,
      plan: [
        { kind: "sigint-group", phase: "collect", settingIndex: 0, delayMs: 0 },
        { kind: "sigterm", phase: "load", settingIndex: 1, delayMs: 200 },
        { kind: "sigkill-group", phase: "warmup", settingIndex: 1, delayMs: 100 },
        { kind: "network-cut", phase: "load", settingIndex: 0, delayMs: 100 },
      ],
    });
    const [sigint, sigterm, sigkill, cut] = result.outcomes;
    expect(result.outcomes.map((o) => o.injected)).toEqual([true, true, true, true]);
    // SIGINT and SIGTERM: the run restores by itself and closes its journal.
    expect(sigint).toMatchObject({ journalLeftOpen: false, ok: true });
    expect(sigterm).toMatchObject({ journalLeftOpen: false, ok: true });
    // SIGKILL: the journal stays open; a new run refuses; --restore puts it back.
    expect(sigkill).toMatchObject({ journalLeftOpen: true, startupRefused: true, restoreExit: 0, ok: true });
    // Network cut: the run ends by itself, printing the exact --restore command, which then works.
    expect(cut).toMatchObject({ exit: "exit 1", printedRestore: true, restoreExit: 0, ok: true });
    expect(result.outcomes.flatMap((o) => o.differences)).toEqual([]);
    expect(result.outcomes.flatMap((o) => o.leftoverVersions)).toEqual([]);
    expect(result.outcomes.some((o) => o.leftoverProcessGroup)).toBe(false);
    expect(result.cgroupsLeft).toEqual([]);
  }, 600_000);
});
