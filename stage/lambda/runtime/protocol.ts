/**
 * Messages between the Lambda emulator (parent) and the runtime inside one execution environment (child),
 * over Node's IPC channel. Both sides import these types; the runtime is bundled by esbuild, so this file
 * must stay free of runtime code other than types.
 */

/** Parent → runtime. */
export type ToRuntime =
  /** Import the handler module now (the INIT phase); sent once the process sits in its cgroups. */
  | { t: "init" }
  /**
   * Run one invocation. `payload` is the event as JSON text; `deadlineMs` is epoch ms. `measureWait`: report
   * the main thread's run-queue wait during it (`runQueueWaitMs` in "done").
   */
  | { t: "invoke"; id: string; payload: string; deadlineMs: number; arn: string; measureWait?: boolean };

/** Runtime → parent. */
export type FromRuntime =
  /** The runtime is up and listening; the parent may now place it in its cgroups and send "init". */
  | { t: "ready" }
  /**
   * The handler is loaded. INIT (Init Duration) runs from the parent's spawn to `atEpochMs` (epoch ms, this
   * process's clock), less `waitedMs`: the time between "ready" and "init", which is the parent's own latency
   * (a busy emulator process), not the environment's; and less `runQueueWaitMs`: the main thread's wait for
   * the host's CPU in the rest of INIT (Linux only).
   */
  | { t: "init-ok"; atEpochMs: number; waitedMs: number; runQueueWaitMs?: number }
  | {
      t: "init-error";
      atEpochMs: number;
      waitedMs: number;
      runQueueWaitMs?: number;
      errorType: string;
      errorMessage: string;
      trace: string[];
    }
  /**
   * Log events, already formatted (Lambda text or JSON format, or raw stdout/stderr lines), with the epoch ms
   * each was written at; sent once per turn of the event loop (lines written just before an invocation ends
   * travel in its "done" instead).
   */
  | { t: "logs"; lines: Array<{ atMs: number; line: string }> }
  /**
   * The end of an invocation. `ok` false means the handler threw (the payload is the error JSON).
   * `fatal` means the runtime exits right after (uncaught exception): the environment must not be reused.
   */
  | {
      t: "done";
      id: string;
      ok: boolean;
      payload: string;
      durationMs: number;
      maxRssKb: number;
      /** Log lines not sent yet, in order, before the end (as in "logs"). */
      lines?: Array<{ atMs: number; line: string }>;
      /** Run-queue wait of the main thread over the same span as durationMs (ms), when asked for. */
      runQueueWaitMs?: number;
      /** Time the main thread ran on a CPU over the same span (ms), when asked for. */
      onCpuMs?: number;
      fatal?: boolean;
    };
