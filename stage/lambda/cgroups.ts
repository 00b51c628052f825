/**
 * CPU and memory limits per execution environment, as Lambda sizes them: memory/1769 of one CPU (1,769 MB =
 * one vCPU) through the kernel's CFS quota, and a hard memory limit of the configured size, with no swap.
 * A group starts with the quota of one vCPU whatever its memory: Lambda's INIT phase is not held to the
 * memory share (published Init Durations are flat from 128 to 10,240 MB, docs/fidelity.md); the memory-scaled
 * quota is applied once INIT is over, before the first invocation (`limitCpu`; a live group's quota can be
 * changed).
 * cgroup v1 (`cpu.cfs_quota_us`, `memory.limit_in_bytes`, `memory.memsw.limit_in_bytes`) or v2 (`cpu.max`,
 * `memory.max`, `memory.swap.max`), detected at start. Groups are created under this process's own cgroup
 * of each hierarchy (a memory cgroup like /process_api/<id>), named `powerbench-<pid>-<n>`. Where anything
 * fails, the caller runs unthrottled and reports why.
 *
 * Idle environments are frozen as Lambda freezes a sandbox between invocations: cgroup v1's `freezer` controller
 * (`freezer.state` FROZEN / THAWED, a group in the freezer hierarchy too, where it is mounted) or v2's
 * `cgroup.freeze` (1 / 0, in the same group). A group without either says so (`freezable` false) and the
 * environment stops its process with SIGSTOP instead (environment.ts).
 */

import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmdirSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CpuScaling } from "../../tuning/stage.ts";
import { CgroupError } from "./errors.ts";

/** One vCPU per 1,769 MB, as on Lambda. */
export const MB_PER_VCPU = 1769;
/**
 * Default CFS period: 20 ms, as Lambda's own throttling appears to use (measured on Lambda at 128 MB, pauses
 * come in multiples of 20 ms: github.com/pwrdrvr/lambda-throttling). A quota is enforced in whole periods and
 * an idle environment starts an invocation with its period's quota unused, so the kernel's default 100 ms
 * lets a short invocation run far faster than its share (80 ms of CPU at 1024 MB went unthrottled), while
 * 20 ms keeps each size within a few % of memory/1769 (lambda.perf.ts measures both). `cfsPeriodUs` overrides.
 */
export const CFS_PERIOD_US = 20_000;
/**
 * The CPU share of every INIT, as the memory size whose share it is: one vCPU. Published Init Durations do
 * not change from 128 to 10,240 MB (neither slower at 128 MB nor faster at 10,240 MB with its 6 vCPUs), and
 * against one vCPU they match this host's Init Durations at one core once the host's speed is taken out
 * (docs/fidelity.md). So INIT's proportion to the invocations' Durations is kept, as on Lambda.
 */
export const INIT_CPU_MB = MB_PER_VCPU;
/** Below this, the 128 MB quota would fall under the kernel's 1 ms minimum and be rounded up. */
export const MIN_CFS_PERIOD_US = 14_000;
/** The kernel refuses quotas under 1 ms. */
const MIN_QUOTA_US = 1_000;

/** CFS quota in µs per period for a memory size, capped at the machine's cores. */
export function cpuQuotaUs(
  memoryMb: number,
  cores: number = os.availableParallelism(),
  periodUs: number = CFS_PERIOD_US,
): number {
  const quota = Math.round((periodUs * memoryMb) / MB_PER_VCPU);
  return Math.min(Math.max(quota, MIN_QUOTA_US), cores * periodUs);
}

interface Hierarchy {
  /** Directory of this process's own cgroup in the hierarchy; child groups go inside it. */
  parentDir: string;
}

/** cgroup v1's freezer states (`freezer.state`) and v2's (`cgroup.freeze`). */
const V1_FROZEN = Buffer.from("FROZEN");
const V1_THAWED = Buffer.from("THAWED");
const V2_FROZEN = Buffer.from("1");
const V2_THAWED = Buffer.from("0");

/** The cgroups of one environment. */
export interface EnvironmentCgroup {
  readonly name: string;
  /** Joins the memory limit (do it at once after spawn, so the runtime's own memory counts). */
  joinMemory(pid: number): void;
  /** Joins the CPU group, at INIT's share until `limitCpu` (do it at once after spawn, with memory). */
  joinCpu(pid: number): void;
  /** Applies the memory-scaled CPU quota: at the end of INIT, before the first invocation. */
  limitCpu(): void;
  /** True when the group can freeze its processes (v2, or v1 with the freezer hierarchy mounted). */
  readonly freezable: boolean;
  /** Joins the freezer group (v1's own hierarchy; nothing to do on v2): at once after spawn, with the others. */
  joinFreezer(pid: number): void;
  /**
   * Freezes every process of the group: none of their threads gets a CPU until `thaw` (timers do not fire,
   * V8's background work stops). Returns at once; the kernel completes it as each thread next runs. Throws
   * where the write fails.
   */
  freeze(): void;
  /** Thaws the group's processes (their overdue timers fire then). Throws where the write fails. */
  thaw(): void;
  /** Time the group has been held back by its quota so far (ms), or undefined where unreadable. */
  throttledMs(): number | undefined;
  /** True when the kernel's OOM killer killed a process of this group. */
  oomKilled(): boolean;
  /** Removes the group's directories; the processes must have exited. */
  remove(): Promise<void>;
}

/** Group names are unique per process, across managers (tests run several emulators in one process). */
let nextGroup = 0;

/** Creates and removes environment cgroups. Obtain one with `detectCgroups`. */
export class CgroupManager {
  private readonly live = new Set<EnvironmentCgroup>();

  constructor(
    readonly mode: "cgroup-v1" | "cgroup-v2",
    private readonly cpu: Hierarchy,
    private readonly memory: Hierarchy,
    readonly periodUs: number = CFS_PERIOD_US,
    /** Cores the environments may run on: a quota is capped there. Read at construction (before any pinning). */
    readonly cores: number = os.availableParallelism(),
    /** cgroup v1's freezer hierarchy, where mounted (v2 freezes in the cpu group itself). */
    private readonly freezer?: Hierarchy,
  ) {}

  /**
   * cgroup v1 only: an empty group kept FROZEN while this manager has groups. The kernel switches its freezer
   * code path on (a static key: code patched on every CPU) when the first group starts freezing and off when
   * the last one thaws; with one environment that was twice per invocation, ~100 µs of CPU each (measured
   * here: freeze + thaw 5 µs each with a frozen group beside, 100–120 µs without).
   */
  private anchor: { dir: string } | undefined;

  private holdFreezerOn(): void {
    if (this.anchor || this.mode !== "cgroup-v1" || !this.freezer) return;
    const dir = path.join(this.freezer.parentDir, `powerbench-${process.pid}-freezer-anchor-${nextGroup++}`);
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, "freezer.state"), V1_FROZEN);
      this.anchor = { dir };
    } catch {
      tryRmdir(dir);
    }
  }

  private releaseFreezer(): void {
    const anchor = this.anchor;
    this.anchor = undefined;
    if (anchor) tryRmdir(anchor.dir);
  }

  /** Creates `powerbench-<pid>-<n>` with the CPU quota and memory limit of `memoryMb`. Throws CgroupError. */
  create(memoryMb: number, suffix?: string): EnvironmentCgroup {
    const name = `powerbench-${process.pid}-${suffix ?? ""}${nextGroup++}`;
    const cpuDir = path.join(this.cpu.parentDir, name);
    const memoryDir = path.join(this.memory.parentDir, name);
    // v1: a group in the freezer hierarchy too, where mounted; v2: the cpu group's own cgroup.freeze.
    let freezerDir = this.mode === "cgroup-v2" ? cpuDir : undefined;
    const created: string[] = [];
    const initQuotaUs = cpuQuotaUs(INIT_CPU_MB, this.cores, this.periodUs);
    try {
      for (const dir of cpuDir === memoryDir ? [cpuDir] : [cpuDir, memoryDir]) {
        mkdirSync(dir);
        created.push(dir);
      }
      const limitBytes = memoryMb * 1024 * 1024;
      if (this.mode === "cgroup-v1") {
        writeFileSync(path.join(cpuDir, "cpu.cfs_period_us"), String(this.periodUs));
        // One vCPU during INIT; limitCpu() applies the memory share.
        writeFileSync(path.join(cpuDir, "cpu.cfs_quota_us"), String(initQuotaUs));
        writeFileSync(path.join(memoryDir, "memory.limit_in_bytes"), String(limitBytes));
        // Memory plus swap, the same size: past it the group is OOM-killed instead of swapping (as v2's
        // memory.swap.max=0). The file exists only with swap accounting on; it must follow limit_in_bytes.
        tryWrite(path.join(memoryDir, "memory.memsw.limit_in_bytes"), String(limitBytes));
      } else {
        writeFileSync(path.join(cpuDir, "cpu.max"), `${initQuotaUs} ${this.periodUs}`);
        writeFileSync(path.join(memoryDir, "memory.max"), String(limitBytes));
        tryWrite(path.join(memoryDir, "memory.swap.max"), "0");
        if (!existsSync(path.join(cpuDir, "cgroup.freeze"))) freezerDir = undefined;
      }
      if (this.mode === "cgroup-v1" && this.freezer) {
        // Optional: without it the environment freezes by signal (SIGSTOP) instead.
        const dir = path.join(this.freezer.parentDir, name);
        try {
          mkdirSync(dir);
          created.push(dir);
          freezerDir = dir;
        } catch {
          freezerDir = undefined;
        }
      }
    } catch (error) {
      for (const dir of created.reverse()) tryRmdir(dir);
      throw new CgroupError(
        `could not create cgroup ${name} (${this.mode}) for ${memoryMb} MB: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const quotaUs = cpuQuotaUs(memoryMb, this.cores, this.periodUs);
    const procsFile = "cgroup.procs";
    const oomFile = this.mode === "cgroup-v1" ? "memory.oom_control" : "memory.events";
    let cpuStatFd: number | undefined;
    const cpuStatBuffer = Buffer.alloc(1024);
    // Written twice per invocation: the descriptor stays open (each write from offset 0 is one command).
    let freezeFd: number | undefined;
    const [frozen, thawed] = this.mode === "cgroup-v1" ? [V1_FROZEN, V1_THAWED] : [V2_FROZEN, V2_THAWED];
    const writeFreezer = (state: Buffer) => {
      if (!freezerDir) throw new CgroupError(`cgroup ${name} has no freezer`);
      if (freezeFd === undefined) {
        freezeFd = openSync(
          path.join(freezerDir, this.mode === "cgroup-v1" ? "freezer.state" : "cgroup.freeze"),
          "w",
        );
      }
      writeSync(freezeFd, state, 0, state.length, 0);
    };
    const group: EnvironmentCgroup = {
      name,
      freezable: freezerDir !== undefined,
      joinMemory: (pid) => writeFileSync(path.join(memoryDir, procsFile), String(pid)),
      joinCpu: (pid) => {
        if (cpuDir !== memoryDir) writeFileSync(path.join(cpuDir, procsFile), String(pid));
      },
      joinFreezer: (pid) => {
        if (freezerDir && freezerDir !== cpuDir && freezerDir !== memoryDir)
          writeFileSync(path.join(freezerDir, procsFile), String(pid));
      },
      freeze: () => {
        this.holdFreezerOn();
        writeFreezer(frozen);
      },
      thaw: () => writeFreezer(thawed),
      limitCpu: () => {
        if (this.mode === "cgroup-v1") writeFileSync(path.join(cpuDir, "cpu.cfs_quota_us"), String(quotaUs));
        else writeFileSync(path.join(cpuDir, "cpu.max"), `${quotaUs} ${this.periodUs}`);
      },
      throttledMs: () => {
        try {
          // Read twice per invocation: the descriptor stays open (a pread from offset 0 regenerates the file).
          if (cpuStatFd === undefined) cpuStatFd = openSync(path.join(cpuDir, "cpu.stat"), "r");
          const bytes = readSync(cpuStatFd, cpuStatBuffer, 0, cpuStatBuffer.length, 0);
          const stat = cpuStatBuffer.toString("latin1", 0, bytes);
          const v1 = /^throttled_time (\d+)$/m.exec(stat)?.[1];
          if (v1 !== undefined) return Number(v1) / 1e6;
          const v2 = /^throttled_usec (\d+)$/m.exec(stat)?.[1];
          return v2 === undefined ? undefined : Number(v2) / 1e3;
        } catch {
          return undefined;
        }
      },
      oomKilled: () => {
        try {
          const match = /^oom_kill (\d+)$/m.exec(readFileSync(path.join(memoryDir, oomFile), "utf8"));
          return Number(match?.[1] ?? 0) > 0;
        } catch {
          return false;
        }
      },
      remove: async () => {
        this.live.delete(group);
        if (this.live.size === 0) this.releaseFreezer();
        if (cpuStatFd !== undefined) closeSync(cpuStatFd);
        cpuStatFd = undefined;
        if (freezeFd !== undefined) closeSync(freezeFd);
        freezeFd = undefined;
        for (const dir of created) await rmdirWithRetry(dir);
      },
    };
    this.live.add(group);
    return group;
  }

  /**
   * Removes groups left behind by emulators that died without close() (their pid is gone and the group has
   * no process): a killed test worker or a Ctrl-C'd stage must not leak cgroups forever. A frozen group of
   * such an emulator still holds its environments (a frozen process does not see its parent go): they are
   * killed and thawed, and their groups go at the next start.
   */
  removeStale(): number {
    let removed = 0;
    const parents = [this.cpu.parentDir, this.memory.parentDir, this.freezer?.parentDir];
    for (const parentDir of new Set(parents.filter((dir) => dir !== undefined))) {
      for (const entry of readdirSync(parentDir)) {
        const owner = /^powerbench-(\d+)-/.exec(entry)?.[1];
        if (!owner || existsSync(`/proc/${owner}`)) continue;
        const dir = path.join(parentDir, entry);
        try {
          const pids = readFileSync(path.join(dir, "cgroup.procs"), "utf8").trim();
          if (pids !== "") {
            killFrozen(dir, pids.split("\n").map(Number));
            continue;
          }
          rmdirSync(dir);
          removed++;
        } catch {
          // in use or already gone: leave it
        }
      }
    }
    return removed;
  }

  /** Removes every group this manager created and has not removed yet. */
  async removeAll(): Promise<void> {
    await Promise.all([...this.live].map((group) => group.remove()));
    this.releaseFreezer();
  }
}

/** SIGKILL to the processes of a stale group, then thaws it where it is frozen (a frozen process dies only once thawed). */
function killFrozen(dir: string, pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone already
    }
  }
  if (existsSync(path.join(dir, "freezer.state"))) tryWrite(path.join(dir, "freezer.state"), "THAWED");
  if (existsSync(path.join(dir, "cgroup.freeze"))) tryWrite(path.join(dir, "cgroup.freeze"), "0");
}

function tryWrite(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch {
    // optional knob (e.g. no swap accounting)
  }
}

function tryRmdir(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // best effort while unwinding a failed create
  }
}

/** A process leaves its cgroup shortly after it is reaped; rmdir answers EBUSY until then. */
async function rmdirWithRetry(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code !== "EBUSY" || attempt >= 100) {
        throw new CgroupError(`could not remove cgroup ${dir}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await sleep(10);
    }
  }
}

interface Mount {
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function readMounts(): Mount[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const [left = "", right = ""] = line.split(" - ");
      const fields = left.split(" ");
      const [fsType = "", , superOptions = ""] = right.split(" ");
      return {
        root: fields[3] ?? "/",
        mountPoint: fields[4] ?? "",
        fsType,
        superOptions: superOptions.split(","),
      };
    });
}

/** This process's cgroup path per hierarchy: controller name (or "" for v2) → path. */
function readOwnCgroups(): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, controllers = "", cgroupPath = "/"] = match;
    if (controllers === "") own.set("", cgroupPath);
    for (const controller of controllers.split(",")) if (controller) own.set(controller, cgroupPath);
  }
  return own;
}

function ownDir(mount: Mount, cgroupPath: string): string {
  const relative =
    mount.root !== "/" && cgroupPath.startsWith(mount.root)
      ? cgroupPath.slice(mount.root.length)
      : cgroupPath;
  return path.join(mount.mountPoint, relative);
}

function locateV1(): { cpu: Hierarchy; memory: Hierarchy; freezer?: Hierarchy } | string {
  const mounts = readMounts().filter((m) => m.fsType === "cgroup");
  const own = readOwnCgroups();
  const find = (controller: string): Hierarchy | string => {
    const mount = mounts.find((m) => m.superOptions.includes(controller));
    if (!mount) return `no cgroup v1 "${controller}" hierarchy is mounted`;
    return { parentDir: ownDir(mount, own.get(controller) ?? "/") };
  };
  const cpu = find("cpu");
  const memory = find("memory");
  // Optional: without it idle environments are frozen by signal instead.
  const freezer = find("freezer");
  if (typeof cpu === "string") return cpu;
  if (typeof memory === "string") return memory;
  return { cpu, memory, ...(typeof freezer === "string" ? {} : { freezer }) };
}

/** Environment variable naming a cgroup v2 directory to create environment groups in (delegated to us). */
export const CGROUP_DIR_ENV = "POWERBENCH_CGROUP_DIR";

/** Enables the cpu and memory controllers for the children of a cgroup v2 directory; throws why not. */
function enableForChildren(dir: string): void {
  const controllers = readFileSync(path.join(dir, "cgroup.controllers"), "utf8").split(/\s+/);
  if (!controllers.includes("cpu") || !controllers.includes("memory")) {
    throw new Error(
      `${dir} does not offer the cpu and memory controllers (it offers: ${controllers.join(" ")})`,
    );
  }
  const enabled = readFileSync(path.join(dir, "cgroup.subtree_control"), "utf8").split(/\s+/);
  if (enabled.includes("cpu") && enabled.includes("memory")) return;
  try {
    writeFileSync(path.join(dir, "cgroup.subtree_control"), "+cpu +memory");
  } catch (error) {
    // cgroup v2's no-internal-process rule: a group other than the root that holds processes cannot hand
    // controllers to children.
    const busy = (error as NodeJS.ErrnoException).code === "EBUSY";
    throw new Error(
      `${dir} cannot enable cpu and memory for its children${busy ? " while it holds processes (EBUSY)" : ""}: ${(error as Error).message}`,
    );
  }
}

/**
 * Where environment groups go on cgroup v2, tried in order: the directory named by POWERBENCH_CGROUP_DIR;
 * this process's own cgroup (the kernel lets a group that holds processes hand controllers down only at the
 * hierarchy's root, so it works there); a `powerbench` group at the hierarchy's root, beside this
 * process's cgroup (as root on a host: the root may hold processes and hand controllers down). In a
 * container whose cgroup holds its processes, only the variable helps (a delegated, empty group).
 */
export function locateV2(env: NodeJS.ProcessEnv = process.env): Hierarchy | string {
  const mount = readMounts().find((m) => m.fsType === "cgroup2");
  if (!mount) return "no cgroup2 hierarchy is mounted";
  const candidates: Array<{ label: string; dir: string; create: boolean }> = [];
  const named = env[CGROUP_DIR_ENV];
  if (named) candidates.push({ label: CGROUP_DIR_ENV, dir: named, create: true });
  const own = ownDir(mount, readOwnCgroups().get("") ?? "/");
  candidates.push({ label: "own cgroup", dir: own, create: false });
  const dedicated = path.join(mount.mountPoint, "powerbench");
  if (dedicated !== own) candidates.push({ label: "hierarchy root", dir: dedicated, create: true });
  const reasons: string[] = [];
  for (const candidate of candidates) {
    // The directory this attempt created, if any: removed again when the attempt fails.
    let created: string | undefined;
    try {
      if (candidate.create) {
        const parent = path.dirname(candidate.dir);
        if (candidate.label === "hierarchy root") enableForChildren(parent);
        created = mkdirSync(candidate.dir, { recursive: true });
      }
      enableForChildren(candidate.dir);
      return { parentDir: candidate.dir };
    } catch (error) {
      // mkdirSync(recursive) returns the first directory it made: remove the chain it made, deepest first.
      for (let dir = candidate.dir; created && dir.startsWith(created); dir = path.dirname(dir))
        tryRmdir(dir);
      reasons.push(`${candidate.label}: ${(error as Error).message}`);
    }
  }
  return `cgroup v2: ${reasons.join("; ")} (set ${CGROUP_DIR_ENV} to an empty cgroup delegated to this user, see docs/stage.md)`;
}

/**
 * Finds out whether this process may create CPU/memory cgroups, by creating and removing a probe group.
 * Returns the scaling mode for reports and, when it works, the manager.
 */
export function detectCgroups(
  periodUs: number = CFS_PERIOD_US,
  cores: number = os.availableParallelism(),
): {
  scaling: CpuScaling;
  manager?: CgroupManager;
} {
  if (!Number.isInteger(periodUs) || periodUs < MIN_CFS_PERIOD_US || periodUs > 1_000_000) {
    throw new CgroupError(
      `invalid cfsPeriodUs ${periodUs}: expected an integer from ${MIN_CFS_PERIOD_US} to 1000000 µs (default ${CFS_PERIOD_US})`,
    );
  }
  const reasons: string[] = [];
  const attempts: Array<() => CgroupManager | string> = [
    () => {
      const v1 = locateV1();
      return typeof v1 === "string"
        ? v1
        : new CgroupManager("cgroup-v1", v1.cpu, v1.memory, periodUs, cores, v1.freezer);
    },
    () => {
      const v2 = locateV2();
      return typeof v2 === "string" ? v2 : new CgroupManager("cgroup-v2", v2, v2, periodUs, cores);
    },
  ];
  for (const attempt of attempts) {
    try {
      const manager = attempt();
      if (typeof manager === "string") {
        reasons.push(manager);
        continue;
      }
      const probe = manager.create(128, "probe-");
      void probe.remove();
      manager.removeStale();
      return { scaling: { mode: manager.mode }, manager };
    } catch (error) {
      reasons.push((error as Error).message);
    }
  }
  return { scaling: { mode: "none", reason: `CPU is not scaled with memory: ${reasons.join("; ")}` } };
}
