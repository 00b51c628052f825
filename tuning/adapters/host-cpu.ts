/**
 * Host CPU busy fraction over an interval, from os.cpus() tick counters. The local stage runs the load
 * engine, the API front, dynalite and every execution environment on the same cores; when they are all
 * near 100 %, latencies measure the host, not the function, and the setting is flagged as distorted.
 *
 * The local stage's idle-priority fillers (stage/lambda/core-filler.ts) keep the environments' CPUs busy on
 * purpose and yield to any other task at once: their CPU time counts as idle here (they register their pids).
 */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface CpuTicks {
  busy: number;
  total: number;
}

/** Processes whose CPU time is idle time for this measure (the stage's SCHED_IDLE fillers). */
const idleTimePids = new Set<number>();

/** Counts `pid`'s CPU time as idle from now on (until `countAsBusyAgain`). */
export function countAsIdle(pid: number): void {
  idleTimePids.add(pid);
}

export function countAsBusyAgain(pid: number): void {
  idleTimePids.delete(pid);
}

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every architecture Node runs on. */
const MS_PER_CLOCK_TICK = 10;

/** utime + stime of `pid` in ms (fields 14 and 15 of /proc/<pid>/stat), 0 when it is gone or unreadable. */
export function processCpuMs(
  pid: number,
  read: (file: string) => string = (f) => readFileSync(f, "utf8"),
): number {
  try {
    const stat = read(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command's parenthesis the fields start at field 3 (state): utime is field 14, stime 15.
    return (Number(fields[14 - 3]) + Number(fields[15 - 3])) * MS_PER_CLOCK_TICK || 0;
  } catch {
    return 0;
  }
}

export function readCpuTicks(): CpuTicks {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    busy += all - t.idle;
    total += all;
  }
  for (const pid of idleTimePids) busy -= processCpuMs(pid);
  return { busy, total };
}

/** Busy fraction 0–1 between two readings (0 when no ticks elapsed). */
export function busyFraction(before: CpuTicks, after: CpuTicks): number {
  const total = after.total - before.total;
  return total > 0 ? Math.max(0, Math.min(1, (after.busy - before.busy) / total)) : 0;
}

/** Above this host busy fraction during a load window, a local setting is flagged as possibly distorted. */
export const DISTORTION_BUSY_FRACTION = 0.9;
