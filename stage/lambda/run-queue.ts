/**
 * How long a process has waited for the host's CPU: the kernel's scheduler statistics
 * (`/proc/<pid>/schedstat`: time on the CPU, time waiting on a run queue, both in ns, for the main thread).
 * On Lambda each sandbox has its own CPU share, so time an environment spends queued behind other processes
 * of this host is the emulator's cost, not the function's: INIT leaves it out (environment.ts), and the
 * oversubscription check measures it.
 */
import { readFileSync } from "node:fs";

/** Main-thread CPU and run-queue wait of a process so far, in ms; undefined where schedstat is unavailable. */
export function readSchedStat(pid: number): { onCpuMs: number; runQueueWaitMs: number } | undefined {
  try {
    const [onCpuNs, waitNs] = readFileSync(`/proc/${pid}/schedstat`, "utf8").trim().split(/\s+/);
    const onCpuMs = Number(onCpuNs) / 1e6;
    const runQueueWaitMs = Number(waitNs) / 1e6;
    if (!Number.isFinite(onCpuMs) || !Number.isFinite(runQueueWaitMs)) return undefined;
    return { onCpuMs, runQueueWaitMs };
  } catch {
    return undefined;
  }
}

/**
 * Where an invocation's wait for the host's CPU is measured from: the main thread's run-queue wait and the
 * group's throttled time. The kernel counts a throttled task as waiting on its run queue, so the host's part
 * is the difference (the quota's part is the memory share, which Lambda imposes too).
 */
export interface CpuWaitMark {
  runQueueWaitMs: number;
  throttledMs: number;
}

export function markCpuWait(pid: number, throttledMs: number | undefined): CpuWaitMark | undefined {
  const sched = readSchedStat(pid);
  if (!sched) return undefined;
  return { runQueueWaitMs: sched.runQueueWaitMs, throttledMs: throttledMs ?? 0 };
}

/** Host CPU wait (ms) between two marks: run-queue wait less the quota's throttling, never negative. */
export function hostWaitMs(before: CpuWaitMark, after: CpuWaitMark): number {
  const queued = after.runQueueWaitMs - before.runQueueWaitMs;
  const throttled = after.throttledMs - before.throttledMs;
  return Math.max(0, queued - throttled);
}
