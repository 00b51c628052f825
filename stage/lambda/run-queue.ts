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
