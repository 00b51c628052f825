/**
 * Keeps the environments' CPUs from going idle while a pinned stage runs, so that a slice of a throttled
 * environment starts on a core that is running, as on a Lambda host, and not on one that has just woken from
 * idle.
 *
 * Why: at 128 MB an environment gets 1.45 ms of CPU per 20 ms period. On a Lambda worker the core goes on to
 * run other sandboxes in the other 18.5 ms; on an idle development host it halts (in a VM, the vCPU exits to
 * the hypervisor), and each slice then starts cold: measured on a 2-core VM (docs/fidelity.md, "Idle cores"),
 * the SHA-256 loop's 128 MB / full-core ratio was 14.3-27.5 with the core left idle, 13.0-15.2 with the CPUs
 * held out of idle states and 12.6-14.3 with a SCHED_IDLE filler (linear: 13.8; published 128 / 1,769 MB: 13.5).
 *
 * Two ways, the first that works:
 * - "pm-qos": a CPU latency request of 0 µs held on /dev/cpu_dma_latency (the kernel's PM QoS interface; root
 *   only): the cpuidle governor then polls instead of halting, on every CPU, until the file is closed, which the
 *   kernel does itself when the process dies. Idle time stays idle time (top, the load average, host-busy).
 * - "sched-idle": one busy loop per environment CPU at SCHED_IDLE, the lowest priority there is: it runs only
 *   when nothing else of its CPU is runnable. Costs: it shows as a busy core (the load average rises by one per
 *   CPU; tuning/adapters/host-cpu.ts counts its time as idle), and a group unthrottled by its quota timer waits
 *   for the next scheduler tick (4 ms at HZ=250) to take the CPU from it, where an idle CPU would switch at once.
 *   Each loop ends by itself as soon as the stage's process is gone, so a killed stage leaves none behind.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { closeSync, openSync, writeSync } from "node:fs";
import { countAsBusyAgain, countAsIdle } from "../../tuning/adapters/host-cpu.ts";
import { parseCpuList } from "./capacity.ts";

/** What `startCoreFiller` did: how and on which CPUs it keeps them from idling, or why it does not. */
export type CoreFiller =
  | { filling: true; how: "pm-qos" | "sched-idle"; cpus: string; pids: number[]; stop: () => Promise<void> }
  | { filling: false; reason: string };

/** The kernel's CPU latency QoS request file (Documentation/power/pm_qos_interface.rst). */
export const CPU_LATENCY_QOS_FILE = "/dev/cpu_dma_latency";

/**
 * Holds a CPU latency request of 0 µs (a binary s32) until `stop`: the cpuidle governor keeps every CPU polling
 * instead of entering an idle state. Not filling, with the reason, where the file cannot be opened for writing
 * (not root).
 */
export function holdCpuLatencyRequest(
  file: string = CPU_LATENCY_QOS_FILE,
): CoreFiller | { filling: false; reason: string } {
  let fd: number;
  try {
    fd = openSync(file, "w");
  } catch (error) {
    return {
      filling: false,
      reason: `${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  try {
    writeSync(fd, Buffer.alloc(4));
  } catch (error) {
    closeSync(fd);
    return {
      filling: false,
      reason: `${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  let open = true;
  return {
    filling: true,
    how: "pm-qos",
    cpus: "all",
    pids: [],
    stop: async () => {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}

/**
 * The shell loop of one filler: spins while the process `ownerPid` exists (`kill -0` is the shell's builtin,
 * one system call per turn), so it cannot outlive the stage.
 */
export function fillerScript(ownerPid: number): string {
  return `while kill -0 ${ownerPid} 2>/dev/null; do :; done`;
}

/**
 * Keeps the CPUs of `cpuList` from idling: the CPU latency request where this process may make it (it covers
 * every CPU), else SCHED_IDLE fillers on those CPUs. `prefer: "sched-idle"` skips the first (benchmarks).
 */
export function startCoreFiller(
  cpuList: string,
  options: { ownerPid?: number; prefer?: "pm-qos" | "sched-idle"; latencyFile?: string } = {},
): CoreFiller {
  if (options.prefer !== "sched-idle") {
    const held = holdCpuLatencyRequest(options.latencyFile);
    if (held.filling) return held;
    const fillers = startIdleFillers(cpuList, options.ownerPid);
    return fillers.filling ? fillers : { filling: false, reason: `${held.reason}; ${fillers.reason}` };
  }
  return startIdleFillers(cpuList, options.ownerPid);
}

/**
 * Starts one SCHED_IDLE filler on each CPU of `cpuList` (`chrt --idle 0 taskset -c <cpu> /bin/sh -c …`, both
 * util-linux). Starts none, and says why, where `chrt` cannot set SCHED_IDLE here.
 */
export function startIdleFillers(cpuList: string, ownerPid: number = process.pid): CoreFiller {
  const cpus = parseCpuList(cpuList).filter((cpu) => Number.isInteger(cpu) && cpu >= 0);
  if (cpus.length === 0) return { filling: false, reason: `no CPU in the list "${cpuList}"` };
  const probe = spawnSync("chrt", ["--idle", "0", "true"], { encoding: "utf8", timeout: 5_000 });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? (probe.stderr.trim() || `exit code ${probe.status}`);
    return { filling: false, reason: `chrt --idle (util-linux) is not usable here: ${why}` };
  }
  const children: ChildProcess[] = cpus.map((cpu) =>
    spawn("chrt", ["--idle", "0", "taskset", "-c", String(cpu), "/bin/sh", "-c", fillerScript(ownerPid)], {
      stdio: "ignore",
    }),
  );
  for (const child of children) {
    // A filler that cannot start (or dies) only loses the warm core; the stage goes on.
    child.on("error", () => {});
    // Its CPU time is idle time for the host-busy measure (tuning/adapters/host-cpu.ts) while it runs.
    const pid = child.pid;
    if (pid !== undefined) {
      countAsIdle(pid);
      child.once("exit", () => countAsBusyAgain(pid));
    }
    // It must never keep the stage's process alive.
    child.unref();
  }
  return {
    filling: true,
    how: "sched-idle",
    cpus: cpus.join(","),
    pids: children.flatMap((child) => (child.pid === undefined ? [] : [child.pid])),
    // Kills every filler and waits until each has exited (at most 2 s: a filler that will not die is not worth
    // holding the stage's stop for; it ends by itself once this process is gone).
    stop: async () => {
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
                return resolve();
              const timer = setTimeout(resolve, 2_000);
              timer.unref();
              child.once("exit", () => {
                clearTimeout(timer);
                resolve();
              });
              child.kill("SIGKILL");
            }),
        ),
      );
    },
  };
}
