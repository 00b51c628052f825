/**
 * The soak with signals: bench runs against the AWS path of a second local stage (`--stage aws`, the stage in
 * a process of its own, its AWS endpoint behind a TCP switch that can be cut), each interrupted at a random
 * phase by one of: SIGINT to the process group (a terminal's Ctrl-C), SIGTERM to the npm process, SIGKILL to
 * the group, or a network cut (the AWS endpoint blackholed). Then, where the run left its journal open, the
 * start-up check must refuse a new run on the changed function, and `--restore` (the exact command printed,
 * or without a path after SIGKILL) must put it back. After every run: the function exactly as it began, 0
 * leftover versions, 0 processes of the run's group; after the last, 0 cgroups of the stage.
 */

import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { createRandom } from "../../../loadtests/random.ts";
import { listJournals } from "../../../tuning/adapters/restore-journal.ts";
import { type StageChild, startStageChild } from "../../soak/stage-child.ts";
import { awsPathBenchConfig } from "../../support/aws-bench-config.ts";
import { sleep } from "../../support/wait.ts";
import { startTcpSwitch, type TcpSwitch } from "../tcp-switch.ts";
import { BENCH_PHASES, type BenchPhase, groupGone, spawnBench } from "./bench-process.ts";
import {
  type FunctionState,
  leftoverVersions,
  readFunctionState,
  stateDifferences,
} from "./function-state.ts";

export const INTERRUPT_KINDS = ["sigint-group", "sigterm", "sigkill-group", "network-cut"] as const;
export type InterruptKind = (typeof INTERRUPT_KINDS)[number];

export interface SignalRunOutcome {
  run: number;
  kind: InterruptKind;
  phase: BenchPhase;
  settingIndex: number;
  delayMs: number;
  /** The phase came and the interruption was made (a run can end before a late phase). */
  injected: boolean;
  exit: string;
  durationMs: number;
  /** The run's journal was open after it ended. */
  journalLeftOpen: boolean;
  /** The run printed the exact --restore command. */
  printedRestore: boolean;
  /** A new run refused the changed function (checked when the journal was open and the function changed). */
  startupRefused?: boolean;
  /** Exit code of `--restore`, when it was needed. */
  restoreExit?: number;
  differences: string[];
  leftoverVersions: string[];
  leftoverProcessGroup: boolean;
  ok: boolean;
}

export interface SignalSoakResult {
  outcomes: SignalRunOutcome[];
  /** cgroups `powerbench-<stage pid>-*` left after the stage stopped. */
  cgroupsLeft: string[];
  wallMs: number;
}

/** cgroup directories named powerbench-<pid>-* under /sys/fs/cgroup (v1 hierarchies or v2), 4 levels deep. */
export function cgroupsOf(pid: number, root = "/sys/fs/cgroup", depth = 4): string[] {
  const found: string[] = [];
  const walk = (dir: string, level: number) => {
    let entries: string[];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const name of entries) {
      if (name.startsWith(`powerbench-${pid}-`)) found.push(path.join(dir, name));
      else if (level < depth) walk(path.join(dir, name), level + 1);
    }
  };
  walk(root, 0);
  return found;
}

function benchConfig(stage: StageChild): object {
  return awsPathBenchConfig(stage.endpoints, { protected: false, duration: 2 });
}

export interface SignalSoakOptions {
  runs: number;
  seed: number;
  /** The kinds, in turn (run i gets kinds[i % n]). @default INTERRUPT_KINDS */
  kinds?: readonly InterruptKind[];
  /** A fixed plan instead of random phases (tests): run i gets plan[i]. */
  plan?: readonly { kind: InterruptKind; phase: BenchPhase; settingIndex: number; delayMs: number }[];
  onProgress?: (line: string) => void;
}

export async function runSignalSoak(options: SignalSoakOptions): Promise<SignalSoakResult> {
  const started = Date.now();
  const random = createRandom(options.seed);
  const kinds = options.kinds ?? INTERRUPT_KINDS;
  const work = mkdtempSync(path.join(os.tmpdir(), "powerbench-signal-soak-"));
  const journalDir = path.join(work, "journals");
  mkdirSync(journalDir);
  const stage = await startStageChild();
  const aws = new URL(stage.endpoints.awsEndpoint);
  const cut: TcpSwitch = await startTcpSwitch({ host: aws.hostname, port: Number(aws.port) });
  const lambda = new LambdaClient({
    endpoint: stage.endpoints.awsEndpoint,
    region: stage.endpoints.region,
    credentials: stage.endpoints.credentials,
    maxAttempts: 2,
  });
  const outcomes: SignalRunOutcome[] = [];
  let cgroupsLeft: string[] = [];
  try {
    const configFile = path.join(work, "bench.json");
    writeFileSync(configFile, JSON.stringify(benchConfig(stage)));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      AWS_ENDPOINT_URL: cut.endpoint,
      AWS_ACCESS_KEY_ID: stage.endpoints.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: stage.endpoints.credentials.secretAccessKey,
      AWS_REGION: stage.endpoints.region,
      POWERBENCH_JOURNAL_DIR: journalDir,
      AWS_PROFILE: "",
      AWS_SESSION_TOKEN: "",
    };
    const initial: FunctionState = await readFunctionState(lambda, stage.endpoints.functionName);
    const runArgs = ["--config", configFile, "--out", path.join(work, "out")];
    for (let run = 0; run < options.runs; run++) {
      const randomPhase = BENCH_PHASES[Math.floor(random.next() * BENCH_PHASES.length)] as BenchPhase;
      const randomSetting = Math.floor(random.next() * 2);
      const randomDelayMs = Math.floor(random.next() * 500);
      const { kind, phase, settingIndex, delayMs } = options.plan?.[run] ?? {
        kind: kinds[run % kinds.length] as InterruptKind,
        phase: randomPhase,
        settingIndex: randomPhase === "restore" ? 0 : randomSetting,
        delayMs: randomDelayMs,
      };
      const t0 = Date.now();
      const bench = spawnBench(runArgs, env);
      const injected = (async () => {
        if (!(await bench.reached(phase, settingIndex))) return false;
        await sleep(delayMs);
        try {
          if (kind === "sigint-group") process.kill(-bench.pid, "SIGINT");
          else if (kind === "sigterm") process.kill(bench.pid, "SIGTERM");
          else if (kind === "sigkill-group") process.kill(-bench.pid, "SIGKILL");
          else await cut.set("blackhole");
          return true;
        } catch {
          return false; // it ended on its own meanwhile
        }
      })();
      const killer = setTimeout(() => {
        try {
          process.kill(-bench.pid, "SIGKILL");
        } catch {}
      }, 240_000);
      const ended = await bench.exited;
      clearTimeout(killer);
      const wasInjected = await injected;
      await cut.set("forward");
      const leftoverProcessGroup = !(await groupGone(bench.pid, 10_000));
      const open = listJournals(journalDir).filter((j) => j.journal.state === "open");
      const printed = /npm run bench -- --restore (\S+)/.exec(ended.output);
      let startupRefused: boolean | undefined;
      let restoreExit: number | undefined;
      if (open.length > 0) {
        const changed = stateDifferences(
          initial,
          await readFunctionState(lambda, stage.endpoints.functionName),
        );
        if (changed.length > 0) {
          const refused = await spawnBench(runArgs, env).exited;
          startupRefused = refused.code === 1 && /unfinished run/.test(refused.output);
        }
        const restore = await spawnBench(printed ? ["--restore", printed[1] as string] : ["--restore"], env)
          .exited;
        restoreExit = restore.code ?? -1;
        if (restoreExit !== 0) options.onProgress?.(`  --restore said: ${restore.output.trim()}`);
      }
      const after = await readFunctionState(lambda, stage.endpoints.functionName);
      const differences = stateDifferences(initial, after);
      const stillOpen = listJournals(journalDir).some((j) => j.journal.state === "open");
      const outcome: SignalRunOutcome = {
        run: run + 1,
        kind,
        phase,
        settingIndex,
        delayMs,
        injected: wasInjected,
        exit: ended.signal ? ended.signal : `exit ${ended.code}`,
        durationMs: Date.now() - t0,
        journalLeftOpen: open.length > 0,
        printedRestore: printed !== null,
        ...(startupRefused !== undefined ? { startupRefused } : {}),
        ...(restoreExit !== undefined ? { restoreExit } : {}),
        differences,
        leftoverVersions: leftoverVersions(initial, after),
        leftoverProcessGroup,
        ok:
          differences.length === 0 &&
          !leftoverProcessGroup &&
          !stillOpen &&
          (restoreExit === undefined || restoreExit === 0) &&
          startupRefused !== false,
      };
      outcomes.push(outcome);
      options.onProgress?.(
        `run ${outcome.run}: ${kind} at ${phase}${phase === "restore" ? "" : ` of setting ${settingIndex + 1}`} +${delayMs} ms` +
          `${wasInjected ? "" : " (not reached)"}: ${outcome.exit}, journal ${outcome.journalLeftOpen ? "left open" : "closed"}` +
          `${restoreExit !== undefined ? `, --restore exit ${restoreExit}` : ""}${startupRefused !== undefined ? `, start-up check ${startupRefused ? "refused" : "DID NOT refuse"}` : ""}` +
          ` → ${outcome.ok ? "as it began" : `NOT OK: ${[...differences, leftoverProcessGroup ? "processes left" : ""].filter(Boolean).join("; ")}`} (${(outcome.durationMs / 1000).toFixed(1)} s)`,
      );
    }
  } finally {
    lambda.destroy();
    await cut.close();
    await stage.stop();
    cgroupsLeft = cgroupsOf(stage.pid);
    rmSync(work, { recursive: true, force: true });
  }
  return { outcomes, cgroupsLeft, wallMs: Date.now() - started };
}
