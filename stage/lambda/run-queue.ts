/**
 * The host's CPU in an invocation's Duration. The runtime reads its main thread's scheduler statistics
 * (`/proc/self/schedstat`: time on a CPU, time waiting on a run queue) around INIT and each invocation. On
 * Lambda each sandbox has its own CPU share, so time an environment spends queued behind other processes of
 * this host is the emulator's cost, not the function's: INIT leaves it out, and invocations report it as the
 * stage's HostCpuWait metric (oversubscription, docs/fidelity.md).
 */
import { MB_PER_VCPU } from "./cgroups.ts";

/**
 * How much of an invocation's Duration the host's CPU cost it: Duration less an estimate of the Duration it
 * would have had with its CPU share to itself, as on Lambda. That estimate is the larger of
 * - Duration less the main thread's run-queue wait beyond its group's throttling (the kernel counts a
 *   throttled task as waiting on its run queue; the quota's part is the memory share, which Lambda imposes
 *   too), and
 * - the main thread's time on a CPU at its share (memory/1769 of a core, at most one core for one thread):
 *   a thread that waited for the host used less of its quota in those periods and was throttled less, so
 *   the first estimate alone is too short for a CPU-bound invocation below 1,769 MB.
 */
export function hostCpuWaitMs(figures: {
  durationMs: number;
  runQueueWaitMs: number;
  throttledMs: number;
  onCpuMs: number;
  memoryMb: number;
}): number {
  const hostWaitMs = Math.max(0, figures.runQueueWaitMs - figures.throttledMs);
  const atShareMs = figures.onCpuMs / Math.min(1, figures.memoryMb / MB_PER_VCPU);
  const undisturbedMs = Math.min(figures.durationMs, Math.max(figures.durationMs - hostWaitMs, atShareMs));
  return figures.durationMs - undisturbedMs;
}
