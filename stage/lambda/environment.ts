/**
 * One execution environment: its own OS process running the bundled runtime, like a Lambda sandbox. It
 * joins its cgroups at once after spawn; the CPU group has one vCPU during INIT whatever the memory (Lambda's
 * INIT is not held to the memory share) and gets the memory-scaled quota when INIT ends, before the first invocation. It
 * imports the handler once, then serves one invocation at a time. Init Duration is timed here, from just
 * before the spawn until the handler is loaded: like Lambda's INIT phase it covers the runtime's start
 * (Node's own boot) and the function's init, less the time the process waited for the host's CPU (its run
 * queue wait: on Lambda a sandbox has its own CPU). Timeouts kill it; a crash (the memory cgroup's OOM
 * killer, V8's heap limit, an exit) ends the invocation as Lambda reports it.
 *
 * Between invocations it is frozen, as Lambda freezes a sandbox once its runtime asks for the next event: the
 * pool freezes it when an invocation is over (its response, log lines and REPORT line taken) and `invoke`
 * thaws it just before the next event is sent, so timers and work a handler left running resume only then,
 * and an idle environment uses no CPU. Through its cgroup's freezer where it has one (every process the
 * handler started too), else SIGSTOP / SIGCONT of its process. A frozen process is thawed when killed.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { EnvironmentCgroup } from "./cgroups.ts";
import { logStreamName } from "./platform-log.ts";
import { hostCpuWaitMs } from "./run-queue.ts";
import type { FromRuntime, ToRuntime } from "./runtime/protocol.ts";
import { lambdaProcessEnv, nodeMemoryArgs, type ProcessSpec } from "./runtime-env.ts";

/** What starts one environment: what its process sees (runtime-env.ts) and how the stage runs it. */
export interface EnvironmentSpec extends ProcessSpec {
  /** The pool this environment belongs to: function, version and configuration revision. */
  poolKey: string;
  /** Extra Node.js flags (profiling). */
  nodeArgs?: string[];
  /** The CPUs the process may run on (`taskset -c`, e.g. "1"): the host's capacity (capacity.ts); any when absent. */
  cpus?: string;
  /**
   * With `cpus`: the CPUs the process's other threads (V8's garbage collector and compilers, started with Node)
   * run on, e.g. "0"; the main thread stays on `cpus`. Lambda gives a sandbox two vCPUs at every memory size up
   * to 3,008 MB, its quota shared by all its threads, so those threads run beside the main one instead of
   * taking turns with it on one CPU.
   */
  helperCpus?: string;
  /** Bounds INIT (Lambda allows 10 s). */
  initTimeoutMs: number;
  /** Freeze the environment while it is idle, as Lambda does (`freeze`). @default true */
  freezeWhenIdle?: boolean;
  cgroup?: EnvironmentCgroup;
  /** Called when joining a cgroup fails: the environment then runs unthrottled. */
  onCgroupFailure: (error: Error) => void;
  /** Output that arrives outside an invocation (e.g. a crash while idle). */
  onStrayLines: (env: ExecutionEnvironment, lines: CapturedLine[]) => void;
  /** The process exited (for whatever reason). */
  onExit: (env: ExecutionEnvironment) => void;
}

export interface CapturedLine {
  timestampMs: number;
  message: string;
}

export type InitResult =
  | { ok: true; initDurationMs: number; lines: CapturedLine[] }
  | {
      ok: false;
      initDurationMs: number;
      errorType: string;
      errorMessage: string;
      trace: string[];
      lines: CapturedLine[];
    };

export type InvocationResult =
  | {
      kind: "done";
      ok: boolean;
      payload: string;
      durationMs: number;
      maxMemoryUsedMb: number;
      /** Time the environment's main thread waited for the host's CPU (not its quota), where measurable. */
      hostWaitMs?: number;
      lines: CapturedLine[];
    }
  | { kind: "timeout"; durationMs: number; maxMemoryUsedMb: number; lines: CapturedLine[] }
  | {
      kind: "crash";
      durationMs: number;
      maxMemoryUsedMb: number;
      errorType: "Runtime.OutOfMemory" | "Runtime.ExitError";
      /** As Lambda words it: "signal: killed", "exit status 1", ... */
      exitText: string;
      lines: CapturedLine[];
    };

const SIGNAL_TEXT: Record<string, string> = {
  SIGKILL: "signal: killed",
  SIGABRT: "signal: aborted (core dumped)",
  SIGSEGV: "signal: segmentation fault (core dumped)",
  SIGTERM: "signal: terminated",
};

/** How often the RSS is polled during an invocation when no memory cgroup enforces the limit. */
const MEMORY_POLL_MS = 20;

interface Pending {
  id: string;
  startedMs: number;
  /** The group's throttled time at the invocation's start (ms), when the host's CPU wait is measured. */
  throttledBeforeMs: number | undefined;
  lines: CapturedLine[];
  timer: NodeJS.Timeout;
  resolve: (result: InvocationResult) => void;
}

export class ExecutionEnvironment {
  /** 32 hex digits, as in the log stream name. */
  readonly id = randomBytes(16).toString("hex");
  readonly logStreamName: string;
  readonly poolKey: string;
  readonly memoryMb: number;
  readonly exited: Promise<void>;
  alive = true;
  /** Set when the configuration it runs changed: finish the current invocation, then go. */
  retired = false;
  lastUsedMs = Date.now();
  /** Init Duration still to be reported on the first REPORT line of this environment. */
  pendingInitDurationMs: number | undefined;
  /** Host run-queue wait of the main thread during INIT, in ms, left out of Init Duration. */
  initRunQueueWaitMs = 0;
  readonly pid: number;
  /** How it is frozen right now: by its cgroup's freezer, by SIGSTOP, or not at all. */
  private frozenBy: "cgroup" | "signal" | undefined;

  /** When the INIT phase began: just before the spawn (epoch ms on the high-resolution clock). */
  readonly initStartedEpochMs = performance.timeOrigin + performance.now();
  private readonly child: ChildProcess;
  private current: Pending | undefined;
  private initLines: CapturedLine[] | undefined = [];
  private maxRssKb = 0;
  private stderrTail = "";
  private initResolve: ((result: InitResult) => void) | undefined;
  private cgroup: EnvironmentCgroup | undefined;
  private cgroupRemoved: Promise<void> = Promise.resolve();
  /** Without a memory cgroup, a poll of the process's RSS enforces the memory size. */
  private memoryWatchdog: NodeJS.Timeout | undefined;
  private killedForMemory = false;

  private constructor(private readonly spec: EnvironmentSpec) {
    this.poolKey = spec.poolKey;
    this.memoryMb = spec.memoryMb;
    this.logStreamName = logStreamName(new Date(), spec.version, this.id);
    this.cgroup = spec.cgroup;
    const args = [...nodeMemoryArgs(spec.memoryMb), ...(spec.nodeArgs ?? []), spec.runtimePath];
    // taskset sets the CPU affinity and execs Node in the same process (same pid, same IPC channel). With
    // helper CPUs, Node starts on them (its helper threads are created there, and stay) and its main thread
    // alone is moved to `cpus` once it is up (its run-queue wait while booting is left out of Init Duration).
    const startCpus = spec.helperCpus ?? spec.cpus;
    const [command, commandArgs] = startCpus
      ? ["taskset", ["-c", startCpus, process.execPath, ...args]]
      : [process.execPath, args];
    this.child = spawn(command, commandArgs, {
      cwd: spec.codeDir,
      env: lambdaProcessEnv(spec, this.logStreamName),
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    this.pid = this.child.pid ?? -1;
    // Join the memory cgroup before the runtime allocates much, so its own memory counts toward the limit;
    // the CPU group gives INIT one vCPU until it ends, so Node's boot and the handler's import are not held to
    // the memory share.
    this.joinCgroup((group) => {
      group.joinMemory(this.pid);
      group.joinCpu(this.pid);
      group.joinFreezer(this.pid);
    });
    this.exited = new Promise((resolve) =>
      this.child.once("exit", (code, signal) => resolve(this.onExit(code, signal))),
    );
    this.child.on("error", () => {
      // spawn/send failures surface as an exit; nothing else to do here
    });
    this.child.on("message", (message: FromRuntime) => this.onMessage(message));
    this.child.stdout?.setEncoding("utf8").on("data", (text: string) => this.onOutput(text));
    this.child.stderr?.setEncoding("utf8").on("data", (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-4096);
      this.onOutput(text);
    });
    // Idle environments must not keep the emulator's process alive; invocations hold a timer while they run.
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
    (this.child.stdout as { unref?: () => void } | null)?.unref?.();
    (this.child.stderr as { unref?: () => void } | null)?.unref?.();
  }

  /** Starts an environment and its INIT phase; `init` settles when INIT is over (or failed, or timed out). */
  static start(spec: EnvironmentSpec): { env: ExecutionEnvironment; init: Promise<InitResult> } {
    const env = new ExecutionEnvironment(spec);
    const init = new Promise<InitResult>((resolve) => {
      const timer = setTimeout(() => {
        env.kill();
        env.finishInit({
          ok: false,
          initDurationMs: spec.initTimeoutMs,
          errorType: "Runtime.InitTimeout",
          errorMessage: `INIT did not finish within ${spec.initTimeoutMs} ms`,
          trace: [],
          lines: [],
        });
      }, spec.initTimeoutMs);
      env.initResolve = (result) => {
        clearTimeout(timer);
        resolve(result);
      };
    });
    return { env, init };
  }

  private joinCgroup(join: (group: EnvironmentCgroup) => void): void {
    if (!this.cgroup || this.pid < 0) return;
    try {
      join(this.cgroup);
    } catch (error) {
      this.spec.onCgroupFailure(error as Error);
      const group = this.cgroup;
      this.cgroup = undefined;
      void group.remove().catch(() => {});
    }
  }

  /**
   * Moves the main thread (the process's first task) alone to `cpus` when its helper threads may use more:
   * `taskset -p` without `-a` sets one task's affinity, and the threads Node started so far keep theirs. The
   * time it takes is the emulator's (before "init": left out of Init Duration). If taskset fails the
   * environment keeps the helper CPUs for every thread, as with `--capacity cap`.
   */
  private pinMainThread(): Promise<void> {
    const { cpus, helperCpus } = this.spec;
    if (!cpus || !helperCpus || helperCpus === cpus || this.pid < 0) return Promise.resolve();
    return new Promise((resolve) => {
      execFile("taskset", ["-p", "-c", cpus, String(this.pid)], { timeout: 5_000 }, () => resolve());
    });
  }

  private send(message: ToRuntime): void {
    if (this.child.connected) this.child.send(message);
  }

  private finishInit(result: InitResult): void {
    const resolve = this.initResolve;
    this.initResolve = undefined;
    this.initLines = undefined;
    resolve?.(result);
  }

  private onMessage(message: FromRuntime): void {
    switch (message.t) {
      case "ready":
        this.pinMainThread().then(() => this.send({ t: "init" }));
        return;
      case "init-ok": {
        const initDurationMs = this.endInit(message.atEpochMs, message.waitedMs, message.runQueueWaitMs);
        this.pendingInitDurationMs = initDurationMs;
        this.finishInit({ ok: true, initDurationMs, lines: this.initLines ?? [] });
        return;
      }
      case "init-error": {
        const { errorType, errorMessage, trace } = message;
        this.finishInit({
          ok: false,
          initDurationMs: this.endInit(message.atEpochMs, message.waitedMs, message.runQueueWaitMs),
          errorType,
          errorMessage,
          trace,
          lines: this.initLines ?? [],
        });
        return;
      }
      case "logs":
        this.capture(message.lines.map(({ atMs, line }) => ({ timestampMs: atMs, message: line })));
        return;
      case "done": {
        if (message.lines) {
          this.capture(message.lines.map(({ atMs, line }) => ({ timestampMs: atMs, message: line })));
        }
        this.maxRssKb = Math.max(this.maxRssKb, message.maxRssKb);
        if (message.fatal) this.alive = false;
        const pending = this.current;
        if (!pending || pending.id !== message.id) return;
        const throttledAfterMs =
          pending.throttledBeforeMs === undefined ? undefined : this.cgroup?.throttledMs();
        this.settle({
          kind: "done",
          ok: message.ok,
          payload: message.payload,
          durationMs: message.durationMs,
          maxMemoryUsedMb: this.maxMemoryUsedMb(),
          ...(message.runQueueWaitMs !== undefined &&
          message.onCpuMs !== undefined &&
          pending.throttledBeforeMs !== undefined &&
          throttledAfterMs !== undefined
            ? {
                hostWaitMs: hostCpuWaitMs({
                  durationMs: message.durationMs,
                  runQueueWaitMs: message.runQueueWaitMs,
                  throttledMs: throttledAfterMs - pending.throttledBeforeMs,
                  onCpuMs: message.onCpuMs,
                  memoryMb: this.memoryMb,
                }),
              }
            : {}),
          lines: pending.lines,
        });
      }
    }
  }

  /**
   * Ends INIT: applies the memory-scaled CPU quota (before any invocation can run) and returns Init Duration,
   * from the runtime's own clock: from the spawn to the end of its init, less the time it waited for this
   * process to answer "ready" (our latency, e.g. a busy event loop, is not the environment's) and less the
   * time its main thread sat on the host's run queue (other processes' CPU, not the function's).
   */
  private endInit(atEpochMs: number, waitedMs: number, runQueueWaitMs: number | undefined): number {
    this.initRunQueueWaitMs = runQueueWaitMs ?? 0;
    this.joinCgroup((group) => group.limitCpu());
    return Math.max(0, atEpochMs - this.initStartedEpochMs - waitedMs - this.initRunQueueWaitMs);
  }

  /** Time since the INIT phase began (the spawn), for an INIT that ended without a word from the runtime. */
  private initElapsedMs(): number {
    return performance.timeOrigin + performance.now() - this.initStartedEpochMs;
  }

  private capture(lines: CapturedLine[]): void {
    if (this.current) this.current.lines.push(...lines);
    else if (this.initLines) this.initLines.push(...lines);
    else this.spec.onStrayLines(this, lines);
  }

  private onOutput(text: string): void {
    const lines = text
      .split("\n")
      .filter((line) => line.length > 0)
      .map((message) => ({ timestampMs: Date.now(), message }));
    if (lines.length > 0) this.capture(lines);
  }

  private maxMemoryUsedMb(): number {
    return Math.max(1, Math.round(this.maxRssKb / 1024));
  }

  /** The RSS high-water mark from /proc while the process lives (VmHWM), e.g. before a timeout kill. */
  private readHighWaterMark(): void {
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
      if (match?.[1]) this.maxRssKb = Math.max(this.maxRssKb, Number(match[1]));
    } catch {
      // process already gone
    }
  }

  private settle(result: InvocationResult): void {
    const pending = this.current;
    if (!pending) return;
    clearTimeout(pending.timer);
    clearInterval(this.memoryWatchdog);
    this.memoryWatchdog = undefined;
    this.current = undefined;
    this.lastUsedMs = Date.now();
    pending.resolve(result);
  }

  /** True while the environment is frozen (idle between invocations). */
  get frozen(): boolean {
    return this.frozenBy !== undefined;
  }

  /**
   * Freezes the idle environment: from here its processes get no CPU until `thaw` (the next invocation, or
   * a kill). Only between invocations, never during INIT or an invocation; a no-op when `freezeWhenIdle` is
   * off or where neither the freezer nor signals work (then it keeps running while idle, as before).
   */
  freeze(): void {
    if (this.spec.freezeWhenIdle === false || this.frozenBy || this.current || !this.alive) return;
    if (this.pid < 0 || this.initResolve) return;
    if (this.cgroup?.freezable) {
      try {
        this.cgroup.freeze();
        this.frozenBy = "cgroup";
        return;
      } catch {
        // the freezer refused: stop the process by signal instead
      }
    }
    try {
      process.kill(this.pid, "SIGSTOP");
      this.frozenBy = "signal";
    } catch {
      // gone, or no SIGSTOP on this platform: it stays running while idle
    }
  }

  /** Thaws a frozen environment; its overdue timers fire now, inside what comes next. */
  private thaw(): void {
    const by = this.frozenBy;
    this.frozenBy = undefined;
    try {
      if (by === "cgroup") this.cgroup?.thaw();
      else if (by === "signal") process.kill(this.pid, "SIGCONT");
    } catch {
      // A freezer write that fails leaves the group frozen: stop it for good (the invocation then ends as a
      // crash) rather than wait for a thaw that will not come.
      if (by === "cgroup") this.kill();
    }
  }

  /** Runs one invocation; the environment must be idle. */
  invoke(id: string, payload: string, invokedArn: string, timeoutMs: number): Promise<InvocationResult> {
    return new Promise((resolve) => {
      const startedMs = performance.now();
      const expire = () => {
        const pending = this.current;
        if (!pending || pending.id !== id) return;
        // Node schedules a timer from the event loop's cached clock, so it can fire up to ~1 ms before
        // timeoutMs has passed on performance.now(); Lambda never stops a function before its timeout (its
        // REPORT shows Duration >= Timeout), so wait out the remainder.
        const leftMs = timeoutMs - (performance.now() - startedMs);
        if (leftMs > 0) {
          pending.timer = setTimeout(expire, Math.max(1, Math.ceil(leftMs)));
          return;
        }
        this.readHighWaterMark();
        this.kill();
        this.settle({
          kind: "timeout",
          durationMs: performance.now() - startedMs,
          maxMemoryUsedMb: this.maxMemoryUsedMb(),
          lines: pending.lines,
        });
      };
      const timer = setTimeout(expire, timeoutMs);
      // Only inside a CPU cgroup: the throttled time is the group's.
      const throttledBeforeMs = this.cgroup?.throttledMs();
      this.current = { id, startedMs, throttledBeforeMs, lines: [], timer, resolve };
      if (!this.cgroup) this.watchMemory();
      if (!this.alive || !this.child.connected) {
        this.settleCrash(null, null);
        return;
      }
      this.send({
        t: "invoke",
        id,
        payload,
        deadlineMs: Date.now() + timeoutMs,
        arn: invokedArn,
        ...(throttledBeforeMs !== undefined ? { measureWait: true } : {}),
      });
      // Thawed once the event waits in its channel: the main thread, interrupted in epoll_wait by the freeze,
      // finds it on its way back instead of sleeping once more until it arrives (one wake-up less per
      // invocation). The invocation's clock starts in the runtime when it reads the event, so the time it sat
      // frozen is neither its Duration nor part of its timeout's.
      this.thaw();
    });
  }

  private watchMemory(): void {
    const limitBytes = this.memoryMb * 1024 * 1024;
    this.memoryWatchdog = setInterval(() => {
      let rssBytes = 0;
      try {
        const pages = Number(readFileSync(`/proc/${this.pid}/statm`, "utf8").split(" ")[1]);
        rssBytes = pages * 4096;
      } catch {
        return;
      }
      if (rssBytes > limitBytes) {
        this.killedForMemory = true;
        this.kill();
      }
    }, MEMORY_POLL_MS);
  }

  private settleCrash(code: number | null, signal: NodeJS.Signals | null): void {
    const pending = this.current;
    if (!pending) return;
    const heapExhausted = /heap out of memory|Reached heap limit/.test(this.stderrTail);
    const oom = heapExhausted || this.killedForMemory || (this.cgroup?.oomKilled() ?? false);
    const exitText = signal
      ? (SIGNAL_TEXT[signal] ?? `signal: ${signal}`)
      : `exit status ${code ?? "unknown"}`;
    this.settle({
      kind: "crash",
      durationMs: performance.now() - pending.startedMs,
      maxMemoryUsedMb: oom ? this.memoryMb : this.maxMemoryUsedMb(),
      errorType: oom ? "Runtime.OutOfMemory" : "Runtime.ExitError",
      exitText,
      lines: pending.lines,
    });
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.alive = false;
    this.frozenBy = undefined;
    if (this.initResolve) {
      this.finishInit({
        ok: false,
        initDurationMs: this.initElapsedMs(),
        errorType: "Runtime.ExitError",
        errorMessage: `Runtime exited with error: ${signal ? (SIGNAL_TEXT[signal] ?? signal) : `exit status ${code}`}`,
        trace: [],
        lines: this.initLines ?? [],
      });
    }
    this.settleCrash(code, signal);
    const group = this.cgroup;
    this.cgroup = undefined;
    if (group) this.cgroupRemoved = group.remove().catch(() => {});
    this.spec.onExit(this);
  }

  /** Kills the process (SIGKILL) without waiting; a frozen one is thawed after the signal, so it dies at once. */
  kill(): void {
    this.alive = false;
    // Environments are unref'd while idle; hold the event loop until the exit is seen and the cgroup removed.
    this.child.ref();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    // A task frozen by cgroup v1's freezer does not die of SIGKILL until it is thawed (a stopped one does).
    if (this.frozenBy) this.thaw();
  }

  /** Kills the process and waits until it is gone and its cgroups are removed. */
  async dispose(): Promise<void> {
    this.kill();
    await this.exited;
    await this.cgroupRemoved;
  }
}
