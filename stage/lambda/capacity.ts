/**
 * How many invocations the host can run at once at each memory size without making them wait for its CPU.
 * On Lambda every sandbox has its CPU share to itself; here the environments share the host's cores with the
 * API front, the emulator, dynalite and the load engine. So the stage reserves cores for those and admits
 * at most as many invocations at once as the rest can give their CPU shares:
 *
 *     hostCores        = min(os.availableParallelism(), this process's cgroup CPU quota in cores)
 *     reservedCores    = 1 when hostCores >= 2, else 0   (the front, dynalite and the load engine)
 *     environmentCores = hostCores - reservedCores
 *     shareCores(m)    = min(1, m / 1769)                 (a single-threaded handler uses at most one core)
 *     invocationCap(m) = max(1, floor(environmentCores / shareCores(m)))
 *
 * On 2 cores: 13 at 128 MB, 6 at 256, 3 at 512, 1 from 1,024 MB (0.58 vCPU) up: 1,769 MB wants the one core
 * and 3,008 MB (1.7 vCPU) more than it. An invocation beyond the cap waits before it starts (not part of its
 * Duration: the caller sees it as latency, the host's cost, as with the boot gate). The bench turns it on;
 * `startStage` leaves it off unless asked (tests oversubscribe on purpose).
 *
 * The reservation is real where the CPUs allow it (`pinToCapacity`): this process (the API front, the
 * emulator, dynalite, and what it spawns later, such as k6) runs on the first `reservedCores` CPUs and the
 * environments on the rest (`taskset`), so an environment woken by an answer does not queue behind them.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { MB_PER_VCPU } from "./cgroups.ts";

export interface HostCapacity {
  /** Cores this process can use: the CPUs it may run on, or its cgroup's CPU quota when lower. */
  hostCores: number;
  /** Cores left to the API front, dynalite and the load engine. */
  reservedCores: number;
  /** Cores the execution environments' invocations share: hostCores - reservedCores. */
  environmentCores: number;
}

/** The capacity split of a host with `hostCores` (pure). `reservedCores` overrides the default of 1 (0 on one core). */
export function deriveCapacity(hostCores: number, reservedCores?: number): HostCapacity {
  if (!(hostCores > 0)) throw new RangeError(`invalid hostCores ${hostCores}: expected a number above 0`);
  const reserved = reservedCores ?? (hostCores >= 2 ? 1 : 0);
  if (!(reserved >= 0) || reserved >= hostCores) {
    throw new RangeError(
      `invalid reservedCores ${reserved}: expected at least 0 and fewer than the host's ${hostCores} cores`,
    );
  }
  return { hostCores, reservedCores: reserved, environmentCores: hostCores - reserved };
}

/** The CPU share one invocation can use, in cores: memory/1769, at most one (a single thread). */
export function invocationShareCores(memoryMb: number): number {
  return Math.min(1, memoryMb / MB_PER_VCPU);
}

/** Invocations the environments' cores can run at once at `memoryMb`, each at its full share (pure). */
export function invocationCap(memoryMb: number, environmentCores: number): number {
  // The epsilon keeps 1769 MB at exactly one per core despite floating point.
  return Math.max(1, Math.floor(environmentCores / invocationShareCores(memoryMb) + 1e-9));
}

/**
 * This process's CPU quota in cores from its cgroup (v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`),
 * the lowest along its group's ancestors; undefined when unlimited or unreadable.
 */
export function cgroupQuotaCores(
  read: (file: string) => string = (file) => readFileSync(file, "utf8"),
): number | undefined {
  let membership: string;
  try {
    membership = read("/proc/self/cgroup");
  } catch {
    return undefined;
  }
  const quotas: number[] = [];
  for (const line of membership.split("\n")) {
    const [, controllers, groupPath] = line.split(":");
    if (controllers === undefined || groupPath === undefined) continue;
    const v2 = controllers === "";
    if (!v2 && !controllers.split(",").includes("cpu")) continue;
    const mounts = v2 ? ["/sys/fs/cgroup"] : [`/sys/fs/cgroup/${controllers}`, "/sys/fs/cgroup/cpu"];
    for (const mount of mounts) {
      for (let dir = groupPath; ; dir = path.posix.dirname(dir)) {
        const quota = readQuota(read, path.posix.join(mount, dir), v2);
        if (quota !== undefined) quotas.push(quota);
        if (dir === "/" || dir === ".") break;
      }
    }
  }
  return quotas.length > 0 ? Math.min(...quotas) : undefined;
}

function readQuota(read: (file: string) => string, dir: string, v2: boolean): number | undefined {
  try {
    if (v2) {
      const [quota, period] = read(path.posix.join(dir, "cpu.max")).trim().split(/\s+/);
      if (quota === undefined || quota === "max" || period === undefined) return undefined;
      return Number(quota) / Number(period);
    }
    const quota = Number(read(path.posix.join(dir, "cpu.cfs_quota_us")).trim());
    const period = Number(read(path.posix.join(dir, "cpu.cfs_period_us")).trim());
    return quota > 0 && period > 0 ? quota / period : undefined;
  } catch {
    return undefined;
  }
}

/** The host's cores as this process can use them: os.availableParallelism(), or its cgroup quota when lower. */
export function hostCores(): number {
  const quota = cgroupQuotaCores();
  const cpus = os.availableParallelism();
  return quota !== undefined && quota < cpus ? quota : cpus;
}

/**
 * Admits invocations while the CPU shares of those running fit the environments' cores (always one at a time
 * at least), first come first served. Equivalent to `invocationCap` invocations at once at one memory size.
 */
export class CapacityGate {
  private busyCores = 0;
  private running = 0;
  private readonly waiting: Array<{ shareCores: number; admit: () => void }> = [];
  /** Invocations that had to wait, and their total wait (ms). */
  waitedInvocations = 0;
  waitedMs = 0;

  constructor(readonly capacity: HostCapacity) {}

  /** The cap at a memory size, for reports. */
  capAt(memoryMb: number): number {
    return invocationCap(memoryMb, this.capacity.environmentCores);
  }

  private fits(shareCores: number): boolean {
    return this.running === 0 || this.busyCores + shareCores <= this.capacity.environmentCores + 1e-9;
  }

  /** Resolves with the ms waited and a release function once the invocation's share fits. */
  async acquire(memoryMb: number): Promise<{ waitedMs: number; release: () => void }> {
    const shareCores = invocationShareCores(memoryMb);
    let waitedMs = 0;
    if (this.waiting.length === 0 && this.fits(shareCores)) {
      this.busyCores += shareCores;
      this.running++;
    } else {
      const queuedAt = performance.now();
      // Admission (busyCores and running counted) happens in admitWaiting, in order.
      await new Promise<void>((admit) => this.waiting.push({ shareCores, admit }));
      waitedMs = performance.now() - queuedAt;
      this.waitedInvocations++;
      this.waitedMs += waitedMs;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.busyCores -= shareCores;
      this.running--;
      if (this.running === 0) this.busyCores = 0; // no drift from floating point
      this.admitWaiting();
    };
    return { waitedMs, release };
  }

  private admitWaiting(): void {
    for (let next = this.waiting[0]; next && this.fits(next.shareCores); next = this.waiting[0]) {
      this.waiting.shift();
      this.busyCores += next.shareCores;
      this.running++;
      next.admit();
    }
  }
}

/** "0-2,5" → [0, 1, 2, 5] (the kernel's CPU list format). */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(",")) {
    if (part === "") continue;
    const [from, to] = part.split("-").map(Number) as [number, number | undefined];
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** The CPUs this process may run on (`Cpus_allowed_list` of /proc/self/status); undefined where unreadable. */
export function allowedCpus(
  read: (file: string) => string = (file) => readFileSync(file, "utf8"),
): number[] | undefined {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)$/m.exec(read("/proc/self/status"))?.[1];
    return list === undefined ? undefined : parseCpuList(list);
  } catch {
    return undefined;
  }
}

/**
 * The CPUs for the reserved part and for the environments (pure): the first `reservedCores` of the allowed
 * CPUs, and the rest. Undefined when nothing is reserved, or when the host's cores come from a cgroup quota
 * rather than from CPUs (a quota is shared time, not CPUs to pin to).
 */
export function splitCpus(
  capacity: HostCapacity,
  allowed: readonly number[],
): { reservedCpus: number[]; environmentCpus: number[] } | undefined {
  const reserved = capacity.reservedCores;
  if (reserved < 1 || !Number.isInteger(reserved) || capacity.hostCores !== allowed.length) return undefined;
  return { reservedCpus: allowed.slice(0, reserved), environmentCpus: allowed.slice(reserved) };
}

/** What `pinToCapacity` did: the CPU lists, or why it pinned nothing. */
export type CpuPinning =
  | { pinned: true; reservedCpus: string; environmentCpus: string; restore: () => void }
  | { pinned: false; reason: string };

function taskset(args: string[]): string | undefined {
  const out = spawnSync("taskset", args, { encoding: "utf8", timeout: 5_000 });
  if (out.error) return out.error.message;
  return out.status === 0 ? undefined : out.stderr.trim() || `exit code ${out.status}`;
}

/**
 * Pins every thread of this process to the reserved CPUs (children spawned later inherit it) and returns the
 * environments' CPU list for `taskset -c`; `restore()` gives the process its CPUs back. Pins nothing, and says
 * why, where the split is not possible or `taskset` (util-linux) fails.
 */
export function pinToCapacity(capacity: HostCapacity): CpuPinning {
  const allowed = allowedCpus();
  if (!allowed) return { pinned: false, reason: "/proc/self/status has no Cpus_allowed_list" };
  const split = splitCpus(capacity, allowed);
  if (!split) {
    return {
      pinned: false,
      reason: `nothing to pin: ${capacity.reservedCores} reserved of ${capacity.hostCores} cores on CPUs ${allowed.join(",")}`,
    };
  }
  const reservedCpus = split.reservedCpus.join(",");
  const environmentCpus = split.environmentCpus.join(",");
  const failed = taskset(["-a", "-p", "-c", reservedCpus, String(process.pid)]);
  if (failed) return { pinned: false, reason: `taskset could not pin this process: ${failed}` };
  const previous = allowed.join(",");
  return {
    pinned: true,
    reservedCpus,
    environmentCpus,
    restore: () => void taskset(["-a", "-p", "-c", previous, String(process.pid)]),
  };
}
