/**
 * TEST SUPPORT: a project script run as a user runs it, in a child process (`node --import tsx <script>`) from
 * the project root, its stdout and stderr collected. `runScript()` waits for the exit; `startScript()` hands
 * back the child too, for a test that signals it.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ScriptRun {
  /** The exit code; null when a signal ended the process (also the timeout's SIGKILL). */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ScriptOptions {
  /** The child's whole environment. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** SIGKILL the child after this many ms (a regression that hangs then fails, code null). @default no limit */
  timeoutMs?: number;
}

export interface StartedScript {
  child: ChildProcessByStdio<null, Readable, Readable>;
  done: Promise<ScriptRun>;
}

/** Starts `script` (a path from the project root, e.g. "scripts/bench.ts") with `args`. */
export function startScript(
  script: string,
  args: readonly string[],
  options: ScriptOptions = {},
): StartedScript {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: PROJECT_ROOT,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const timer =
    options.timeoutMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
  const done = new Promise<ScriptRun>((resolve) => {
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

/** Runs `script` with `args` to its exit. */
export function runScript(
  script: string,
  args: readonly string[],
  options: ScriptOptions = {},
): Promise<ScriptRun> {
  return startScript(script, args, options).done;
}
