/**
 * `npm run bench` as a user runs it, in a process group of its own (npm → sh → node), so a test can signal
 * the whole group as a terminal's Ctrl-C does. Follows the progress lines on stderr to know the phase.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { sleep } from "../../support/wait.ts";

const PROJECT_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export const BENCH_PHASES = ["configure", "warmup", "load", "gate", "collect", "restore"] as const;
export type BenchPhase = (typeof BENCH_PHASES)[number];

export interface BenchProcess {
  pid: number;
  /** Resolves when the run reaches `phase` (of setting `settingIndex`, 0-based; "restore" has none). */
  reached(phase: BenchPhase, settingIndex: number): Promise<boolean>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>;
  output(): string;
}

/** One progress line: "[1/2] x86_64-128       load" or "restoring the function's original configuration". */
function phaseOf(line: string): { phase: BenchPhase; settingIndex: number } | undefined {
  if (line.startsWith("restoring the function")) return { phase: "restore", settingIndex: 0 };
  const m = /^\[(\d+)\/\d+\]\s+\S+\s+(configure|warmup|load|gate|collect)\b/.exec(line);
  return m ? { phase: m[2] as BenchPhase, settingIndex: Number(m[1]) - 1 } : undefined;
}

export function spawnBench(args: string[], env: NodeJS.ProcessEnv): BenchProcess {
  const child: ChildProcess = spawn("npm", ["run", "--silent", "bench", "--", ...args], {
    cwd: PROJECT_ROOT,
    env,
    detached: true, // its own process group, as a shell's job
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let partial = "";
  const seen: { phase: BenchPhase; settingIndex: number }[] = [];
  const waiters: { phase: BenchPhase; settingIndex: number; resolve: (ok: boolean) => void }[] = [];
  const onText = (text: string) => {
    output += text;
    partial += text;
    const lines = partial.split(/\r?\n/);
    partial = lines.pop() ?? "";
    for (const line of lines) {
      // A TTY rewrites the line in place ("\r" and ESC [2K); pipes get plain lines, so only "\r" is stripped.
      const p = phaseOf(line.replace(/\r/g, ""));
      if (!p) continue;
      seen.push(p);
      for (const w of waiters.splice(0)) {
        if (w.phase === p.phase && (p.phase === "restore" || w.settingIndex === p.settingIndex))
          w.resolve(true);
        else waiters.push(w);
      }
    }
  };
  child.stdout?.setEncoding("utf8").on("data", onText);
  child.stderr?.setEncoding("utf8").on("data", onText);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>(
    (resolve) => {
      child.once("close", (code, signal) => {
        for (const w of waiters.splice(0)) w.resolve(false);
        resolve({ code, signal, output });
      });
    },
  );
  return {
    pid: child.pid ?? -1,
    reached(phase, settingIndex) {
      if (seen.some((p) => p.phase === phase && (phase === "restore" || p.settingIndex === settingIndex)))
        return Promise.resolve(true);
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(false);
      return new Promise((resolve) => waiters.push({ phase, settingIndex, resolve }));
    },
    exited,
    output: () => output,
  };
}

/** Whether any process of the group is left. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Waits until the group is empty; false if it is not within `timeoutMs`. */
export async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}
