/**
 * Host CPU busy fraction over an interval, from os.cpus() tick counters. The local stage runs the load
 * engine, the API front, dynalite and every execution environment on the same cores; when they are all
 * near 100 %, latencies measure the host, not the function, and the setting is flagged as distorted.
 */
import os from "node:os";

export interface CpuTicks {
  busy: number;
  total: number;
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
  return { busy, total };
}

/** Busy fraction 0–1 between two readings (0 when no ticks elapsed). */
export function busyFraction(before: CpuTicks, after: CpuTicks): number {
  const total = after.total - before.total;
  return total > 0 ? (after.busy - before.busy) / total : 0;
}

/** Above this host busy fraction during a load window, a local setting is flagged as possibly distorted. */
export const DISTORTION_BUSY_FRACTION = 0.9;
