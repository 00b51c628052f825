/**
 * The idle-priority fillers of the environments' CPUs (core-filler.ts): real `chrt`/`taskset`/`sh` processes,
 * on the CPU asked for, at SCHED_IDLE, gone when stopped and gone by themselves when their owner dies.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { countAsBusyAgain, processCpuMs, readCpuTicks } from "../../tuning/adapters/host-cpu.ts";
import { allowedCpus } from "./capacity.ts";
import {
  type CoreFiller,
  CPU_LATENCY_QOS_FILE,
  fillerScript,
  startCoreFiller,
  startIdleFillers,
} from "./core-filler.ts";

/** SCHED_IDLE's number in /proc/<pid>/stat's `policy` field (the 41st). */
const SCHED_IDLE = 5;

/** Alive and not a zombie. */
function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

function policyOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command's closing parenthesis start at field 3 (state); policy is field 41.
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[41 - 3]);
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

const chrtWorks = (() => {
  const out = startIdleFillers(String(allowedCpus()?.[0] ?? 0), 999_999_999);
  if (out.filling) void out.stop();
  return out.filling;
})();

let filler: CoreFiller | undefined;
afterEach(async () => {
  if (filler?.filling) await filler.stop();
  filler = undefined;
});

/** Whether this process has `file` open (a link to it among /proc/self/fd). */
function holds(file: string): boolean {
  return readdirSync("/proc/self/fd").some((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  });
}

const latencyFileWritable = (() => {
  try {
    accessSync(CPU_LATENCY_QOS_FILE, constants.W_OK);
    return true;
  } catch {
    return false;
  }
})();

describe("the CPU latency request", () => {
  it.runIf(latencyFileWritable)("is held open while the stage runs and released by stop", async () => {
    const started = startCoreFiller("1");
    filler = started;
    expect(started).toMatchObject({ filling: true, how: "pm-qos", cpus: "all", pids: [] });
    expect(holds(CPU_LATENCY_QOS_FILE)).toBe(true);
    if (started.filling) await started.stop();
    expect(holds(CPU_LATENCY_QOS_FILE)).toBe(false);
  });

  it.runIf(chrtWorks)(
    "falls back to SCHED_IDLE fillers where the request cannot be made, and says why not",
    async () => {
      const started = startCoreFiller(String(allowedCpus()?.at(-1) ?? 0), {
        latencyFile: "/nonexistent/cpu_dma_latency",
      });
      filler = started;
      expect(started).toMatchObject({ filling: true, how: "sched-idle" });
      const neither = startCoreFiller("", { latencyFile: "/nonexistent/cpu_dma_latency" });
      expect(neither).toEqual({
        filling: false,
        reason: '/nonexistent/cpu_dma_latency: ENOENT; no CPU in the list ""',
      });
    },
  );
});

describe("core filler", () => {
  it("loops only while its owner exists", () => {
    expect(fillerScript(1234)).toBe("while kill -0 1234 2>/dev/null; do :; done");
  });

  it("says why it fills nothing for an empty CPU list", () => {
    expect(startIdleFillers("")).toEqual({ filling: false, reason: 'no CPU in the list ""' });
  });

  it.runIf(chrtWorks)("spins on the CPU asked for at SCHED_IDLE until stopped", async () => {
    const cpu = allowedCpus()?.at(-1) ?? 0;
    const started = startIdleFillers(String(cpu));
    filler = started;
    expect(started.filling).toBe(true);
    if (!started.filling) return;
    expect(started.cpus).toBe(String(cpu));
    const [pid] = started.pids;
    if (pid === undefined) throw new Error("no filler pid");
    // chrt and taskset exec into the shell: same pid, once both have run.
    expect(
      await until(() => running(pid) && readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sh", 5000),
    ).toBe(true);
    expect(policyOf(pid)).toBe(SCHED_IDLE);
    expect(/^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]).toBe(
      String(cpu),
    );
    await started.stop();
    expect(running(pid)).toBe(false);
  });

  it.runIf(chrtWorks)("ends by itself when its owner dies, whoever killed it", async () => {
    const owner = spawn("sleep", ["30"], { stdio: "ignore" });
    const ownerPid = owner.pid;
    if (ownerPid === undefined) throw new Error("sleep did not start");
    const started = startIdleFillers(String(allowedCpus()?.[0] ?? 0), ownerPid);
    filler = started;
    if (!started.filling) throw new Error(started.reason);
    const [pid] = started.pids;
    if (pid === undefined) throw new Error("no filler pid");
    expect(
      await until(() => running(pid) && readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sh", 5000),
    ).toBe(true);
    owner.kill("SIGKILL");
    expect(await until(() => !running(pid), 5000)).toBe(true);
  });
});

describe("the host-busy measure with fillers running", () => {
  it("reads a process's CPU time from /proc/<pid>/stat, 0 when it is gone", () => {
    // utime 250 and stime 50 clock ticks (fields 14 and 15) of a command with a space and parentheses.
    const stat = "42 (a (b) c) R 1 42 42 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 1 0 1000 1000 100";
    expect(processCpuMs(42, () => stat)).toBe(3000);
    expect(
      processCpuMs(42, () => {
        throw new Error("ENOENT");
      }),
    ).toBe(0);
  });

  it.runIf(chrtWorks)(
    "counts a filler's CPU time as idle while it runs",
    async () => {
      const started = startIdleFillers(String(allowedCpus()?.at(-1) ?? 0));
      filler = started;
      if (!started.filling) throw new Error(started.reason);
      const [pid] = started.pids;
      if (pid === undefined) throw new Error("no filler pid");
      // At SCHED_IDLE it runs only when its CPU has nothing else to do: on a busy host that may take a while.
      expect(await until(() => processCpuMs(pid) > 0, 20_000)).toBe(true);
      // The same instant, read with the filler's time counted and without it: they differ by its CPU time.
      const counted = readCpuTicks();
      const fillerMs = processCpuMs(pid);
      countAsBusyAgain(pid);
      const raw = readCpuTicks();
      expect(fillerMs).toBeGreaterThan(0);
      expect(raw.busy - counted.busy).toBeGreaterThan(fillerMs - 50);
      expect(raw.busy - counted.busy).toBeLessThan(fillerMs + 50);
    },
    30_000,
  );
});
