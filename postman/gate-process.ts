/**
 * The Newman gate in a process of its own, for the bench on a pinned local stage. With `--capacity auto` the
 * bench's process (the API front, the emulator, dynalite) runs on the reserved CPU, and the gate's Newman
 * sandbox (about 1.2 s of CPU per setting) took that event loop from the requests the gate, the table reset
 * and the cold starts send at the same time after the window. Here Newman runs in a child process on the CPUs
 * it is given (every CPU: the environments' core is idle between the measured windows): a whole collection
 * run, or one folder's Newman run (postman/gate-pool.ts gives each folder a process of its own), per message.
 * The child is started once and stopped by `close()`; a child that dies fails the runs in flight with one line,
 * and the next run starts a new one. A child never outlives this process: it exits when its IPC channel closes
 * (this process gone, however it went), and this process kills it on exit.
 */
import { type ChildProcess, execFile, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { GateOutcome } from "../tuning/results/results-types.ts";
import { CollectionRunError } from "./errors.ts";
import type { GateSummary } from "./gate-outcome.ts";
import type { RunCollectionOptions } from "./run-collection.ts";

const CHILD_ENTRY = fileURLToPath(new URL("./gate-child.ts", import.meta.url));

/** What the child runs: runCollection's options, plain data (no callbacks, no CLI report). */
export type GateRunOptions = Omit<RunCollectionOptions, "onReportError" | "cli">;
/** Parent → child: the whole collection (runCollection), or one Newman run whose summary comes back (runNewman). */
export interface GateRequest {
  id: number;
  kind: "collection" | "newman";
  options: GateRunOptions;
}
/** A run error as it crosses the process boundary: its message and the file-system fields the gate reads. */
export interface PlainError {
  message: string;
  code?: string;
  path?: string;
  syscall?: string;
}
/** Child → parent. */
export type GateReply =
  | { id: number; outcome: GateOutcome; reportErrors: string[] }
  | { id: number; summary: Omit<GateSummary, "error"> & { error?: PlainError } }
  | { id: number; error: string };

export interface GateProcess {
  /** Runs the collection in the child; report-write problems go to `onReportError`, as runCollection's. */
  run(options: GateRunOptions, onReportError: (message: string) => void): Promise<GateOutcome>;
  /** Runs one Newman run in the child (e.g. one folder's) and resolves with its summary, as runNewman does. */
  runNewman(options: GateRunOptions): Promise<GateSummary>;
  /** Stops the child (runs in flight fail). */
  close(): Promise<void>;
  /** The child's pid while it runs. */
  readonly pid: number | undefined;
}

/** Children alive in this process, killed when it exits (process.exit, the end of the event loop). */
const living = new Set<ChildProcess>();
let exitHookInstalled = false;
function killOnExit(child: ChildProcess): void {
  living.add(child);
  child.once("exit", () => living.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous, as an exit handler must be; the child's own disconnect handler covers a parent killed outright.
  process.on("exit", () => {
    for (const running of living) running.kill("SIGKILL");
  });
}

/** A run error back as an Error with its file-system fields (postman/run-collection.ts `reportWriteError`). */
function errorOf(plain: PlainError): Error {
  return Object.assign(new Error(plain.message), plain);
}

/**
 * Starts the gate's process. `cpus` (a `taskset -c` list, e.g. "0,1") moves it and its threads there; where
 * taskset fails it stays on the CPUs it inherited.
 *
 * @example const gate = startGateProcess({ cpus: "0,1" }); const outcome = await gate.run({ baseUrl }, console.error); await gate.close();
 */
export function startGateProcess(options: { cpus?: string } = {}): GateProcess {
  let child: ChildProcess | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    { settle: (reply: GateReply) => void; reject: (e: Error) => void; baseUrl: string }
  >();

  const start = (): ChildProcess => {
    const started = fork(CHILD_ENTRY, [], {
      // The child is TypeScript like its parent: tsx's loader, resolved from here (not from the caller's cwd).
      execArgv: ["--import", import.meta.resolve("tsx")],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    killOnExit(started);
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
      waiting.settle(reply);
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

  const call = (kind: GateRequest["kind"], runOptions: GateRunOptions) => {
    const target = child ?? start();
    child = target;
    const id = nextId++;
    return new Promise<GateReply>((settle, reject) => {
      pending.set(id, { settle, reject, baseUrl: runOptions.baseUrl });
      (target.channel as { ref?: () => void } | undefined)?.ref?.();
      target.send({ id, kind, options: runOptions } satisfies GateRequest, (error) => {
        if (!error) return;
        pending.delete(id);
        reject(
          new CollectionRunError(
            runOptions.baseUrl,
            `the Newman gate's process took no work: ${error.message}`,
          ),
        );
      });
    })
      .then((reply) => {
        if ("error" in reply) throw new CollectionRunError(runOptions.baseUrl, reply.error);
        return reply;
      })
      .finally(() => {
        if (pending.size === 0) (target.channel as { unref?: () => void } | undefined)?.unref?.();
      });
  };

  return {
    async run(runOptions, onReportError) {
      const reply = await call("collection", runOptions);
      if (!("outcome" in reply)) throw new CollectionRunError(runOptions.baseUrl, "no gate outcome");
      for (const message of reply.reportErrors) onReportError(message);
      return reply.outcome;
    },
    async runNewman(runOptions) {
      const reply = await call("newman", runOptions);
      if (!("summary" in reply)) throw new CollectionRunError(runOptions.baseUrl, "no Newman summary");
      const { error, ...summary } = reply.summary;
      return error ? { ...summary, error: errorOf(error) } : summary;
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
