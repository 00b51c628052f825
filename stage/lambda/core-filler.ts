/**
 * Keeps the environments' CPUs busy at the lowest priority the kernel has (SCHED_IDLE), so that a slice of a
 * throttled environment starts on a core that is running, as on a Lambda host, and not on one that has just
 * woken from idle.
 *
 * Why: at 128 MB an environment gets 1.45 ms of CPU per 20 ms period. On a Lambda worker the core goes on to
 * run other sandboxes in the other 18.5 ms; on an idle development host it halts (in a VM, the vCPU exits to
 * the hypervisor), and each slice then starts cold: measured on a 2-core VM (docs/fidelity.md, "Idle cores"),
 * the SHA-256 loop needed 20-60 % more CPU per iteration at 128 MB than unthrottled, and its 128 MB / 1,769 MB
 * ratio was 17.9-23.4 against 13.5 published; with a SCHED_IDLE filler on the core, 12.2-15.7.
 *
 * A filler never takes CPU from anything else: SCHED_IDLE runs only when no other task of the CPU is runnable
 * and is preempted at once when one wakes. It does show as one busy core in `top` and the load average while
 * the stage runs. Each filler is a `/bin/sh` loop that ends by itself as soon as the stage's process is gone,
 * so a killed stage leaves none behind.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { countAsBusyAgain, countAsIdle } from "../../tuning/adapters/host-cpu.ts";
import { parseCpuList } from "./capacity.ts";

/** What `startCoreFiller` did: the CPUs it keeps busy, or why it keeps none. */
export type CoreFiller =
  | { filling: true; cpus: string; pids: number[]; stop: () => Promise<void> }
  | { filling: false; reason: string };

/**
 * The shell loop of one filler: spins while the process `ownerPid` exists (`kill -0` is the shell's builtin,
 * one system call per turn), so it cannot outlive the stage.
 */
export function fillerScript(ownerPid: number): string {
  return `while kill -0 ${ownerPid} 2>/dev/null; do :; done`;
}

/**
 * Starts one SCHED_IDLE filler on each CPU of `cpuList` (`chrt --idle 0 taskset -c <cpu> /bin/sh -c …`, both
 * util-linux). Starts none, and says why, where `chrt` cannot set SCHED_IDLE here.
 */
export function startCoreFiller(cpuList: string, ownerPid: number = process.pid): CoreFiller {
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
