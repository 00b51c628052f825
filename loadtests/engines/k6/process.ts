/**
 * The k6 process: spawned in its own process group (detached), so a terminal's Ctrl-C, sent to our whole
 * group, does not reach it directly (k6 takes a second SIGINT as a hard stop without summary); interrupted with
 * exactly one SIGINT; never outliving us.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { K6RunError } from "../../errors.ts";

/** Environment of the k6 process. */
export type Env = Record<string, string | undefined>;

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
}

/** Signals that end this process by default: while k6 runs, k6 is killed with us. */
const FATAL_SIGNALS = ["SIGTERM", "SIGHUP"] as const;

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** The k6 processes running now; they are killed when this process exits or is killed by a signal. */
const running = new Set<ChildProcess>();

function killRunning(): void {
  for (const child of running) if (isRunning(child)) child.kill("SIGKILL");
}

function onFatalSignal(sig: NodeJS.Signals): void {
  // Another handler owns this signal (e.g. bench aborts the run on SIGTERM): leave it to that one.
  if (process.listenerCount(sig) > 1) return;
  killRunning();
  unwatchExit();
  process.kill(process.pid, sig);
}

function watchExit(child: ChildProcess): void {
  if (running.size === 0) {
    process.on("exit", killRunning);
    for (const sig of FATAL_SIGNALS) process.on(sig, onFatalSignal);
  }
  running.add(child);
}

function unwatchExit(child?: ChildProcess): void {
  if (child) running.delete(child);
  else running.clear();
  if (running.size > 0) return;
  process.removeListener("exit", killRunning);
  for (const sig of FATAL_SIGNALS) process.removeListener(sig, onFatalSignal);
}

/**
 * Runs k6 in its own process group (detached), so only we signal it. With `onInterrupt`, an abort or our
 * SIGINT sends k6 exactly one SIGINT (k6 stops, runs handleSummary and exits; a second SIGINT would make it
 * exit at once without summary) and SIGKILL 30 s later if it lingers. k6 never outlives us: it is killed when
 * this process exits, or on SIGTERM/SIGHUP when nothing else handles them (the signal is then re-raised).
 */
export function runProcess(
  binary: string,
  args: string[],
  env: Env,
  signal?: AbortSignal,
  onInterrupt?: () => void,
  onSpawn?: (pid: number) => void,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout = (stdout + chunk.toString("utf8")).slice(-64 * 1024);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4096);
    });
    let killTimer: NodeJS.Timeout | undefined;
    let interrupted = false;
    const interrupt = () => {
      if (interrupted || !isRunning(child)) return;
      interrupted = true;
      onInterrupt?.();
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    };
    // Our SIGINT: the first interrupts k6 (it stops and writes its summary); a second one, while k6 is still
    // stopping, forces: k6 is killed at once, as a second Ctrl-C is expected to do, and the run fails.
    const onSigint = () => {
      if (interrupted && isRunning(child)) child.kill("SIGKILL");
      else interrupt();
    };
    if (onInterrupt) {
      signal?.addEventListener("abort", interrupt, { once: true });
      process.on("SIGINT", onSigint);
    }
    watchExit(child);
    const cleanup = () => {
      signal?.removeEventListener("abort", interrupt);
      process.removeListener("SIGINT", onSigint);
      unwatchExit(child);
      if (killTimer) clearTimeout(killTimer);
    };
    child.on("error", (error) => {
      cleanup();
      reject(new K6RunError(`could not start k6 at "${binary}": ${error.message}`, null, { cause: error }));
    });
    child.on("close", (code, sig) => {
      cleanup();
      resolve({ code, signal: sig, stdout, stderrTail: stderr });
    });
  });
}
