/**
 * The Newman gate in a process of its own, for the bench on a pinned local stage. With `--capacity auto` the
 * bench's process (the API front, the emulator, dynalite) runs on the reserved CPU, and the gate's Newman
 * sandbox (about 1.2 s of CPU per setting) took that event loop from the requests the gate, the table reset
 * and the cold starts send at the same time after the window. Here Newman runs in a child process on the CPUs
 * it is given (the environments' core, idle between the measured windows), one collection run per message.
 * The child is started once per bench and stopped by `close()`; a child that dies fails the runs in flight
 * with one line, and the next run starts a new one.
 */
import { type ChildProcess, execFile, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { GateOutcome } from "../tuning/results/results-types.ts";
import { CollectionRunError } from "./errors.ts";
import type { RunCollectionOptions } from "./run-collection.ts";

const CHILD_ENTRY = fileURLToPath(new URL("./gate-child.ts", import.meta.url));

/** What the child runs: runCollection's options, plain data (no callbacks, no CLI report). */
export type GateRunOptions = Omit<RunCollectionOptions, "onReportError" | "cli">;
/** Parent → child. */
export interface GateRequest {
  id: number;
  options: GateRunOptions;
}
/** Child → parent. */
export type GateReply =
  | { id: number; outcome: GateOutcome; reportErrors: string[] }
  | { id: number; error: string };

export interface GateProcess {
  /** Runs the collection in the child; report-write problems go to `onReportError`, as runCollection's. */
  run(options: GateRunOptions, onReportError: (message: string) => void): Promise<GateOutcome>;
  /** Stops the child (runs in flight fail). */
  close(): Promise<void>;
  /** The child's pid while it runs. */
  readonly pid: number | undefined;
}

/**
 * Starts the gate's process. `cpus` (a `taskset -c` list, e.g. "1") moves it and its threads there; where
 * taskset fails it stays on the CPUs it inherited.
 *
 * @example const gate = startGateProcess({ cpus: "1" }); const outcome = await gate.run({ baseUrl }, console.error); await gate.close();
 */
export function startGateProcess(options: { cpus?: string } = {}): GateProcess {
  let child: ChildProcess | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    {
      resolve: (o: GateOutcome) => void;
      reject: (e: Error) => void;
      onReportError: (m: string) => void;
      baseUrl: string;
    }
  >();

  const start = (): ChildProcess => {
    const started = fork(CHILD_ENTRY, [], {
      // The child is TypeScript like its parent: tsx's loader, resolved from here (not from the caller's cwd).
      execArgv: ["--import", import.meta.resolve("tsx")],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    if (options.cpus && started.pid !== undefined) {
      execFile(
        "taskset",
        ["-a", "-p", "-c", options.cpus, String(started.pid)],
        { timeout: 5_000 },
        () => {},
      );
    }
    started.on("message", (reply: GateReply) => {
      const waiting = pending.get(reply.id);
      if (!waiting) return;
      pending.delete(reply.id);
      if ("error" in reply) {
        waiting.reject(new CollectionRunError(waiting.baseUrl, reply.error));
        return;
      }
      for (const message of reply.reportErrors) waiting.onReportError(message);
      waiting.resolve(reply.outcome);
    });
    started.on("exit", (code, signal) => {
      if (child === started) child = undefined;
      for (const [id, waiting] of pending) {
        pending.delete(id);
        waiting.reject(
          new CollectionRunError(
            waiting.baseUrl,
            `the Newman gate's process exited (${signal ?? `code ${code}`}) before the collection ran to its end; ` +
              "run `npm run newman -- --base-url <the API URL>` to see Newman's own error",
          ),
        );
      }
    });
    // An idle child must not keep the bench alive; a run in flight holds its promise, not the process.
    started.unref();
    (started.channel as { unref?: () => void } | undefined)?.unref?.();
    return started;
  };
  child = start();

  return {
    run(runOptions, onReportError) {
      const target = child ?? start();
      child = target;
      const id = nextId++;
      return new Promise<GateOutcome>((resolve, reject) => {
        pending.set(id, { resolve, reject, onReportError, baseUrl: runOptions.baseUrl });
        (target.channel as { ref?: () => void } | undefined)?.ref?.();
        target.send({ id, options: runOptions } satisfies GateRequest, (error) => {
          if (!error) return;
          pending.delete(id);
          reject(
            new CollectionRunError(
              runOptions.baseUrl,
              `the Newman gate's process took no work: ${error.message}`,
            ),
          );
        });
      }).finally(() => {
        if (pending.size === 0) (target.channel as { unref?: () => void } | undefined)?.unref?.();
      });
    },
    get pid() {
      return child?.pid;
    },
    async close() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once("exit", () => resolve());
        running.kill("SIGTERM");
      });
    },
  };
}
