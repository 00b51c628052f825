/**
 * The idle-priority fillers of the environments' CPUs (core-filler.ts): real `chrt`/`taskset`/`sh` processes,
 * on the CPU asked for, at SCHED_IDLE, gone when stopped and gone by themselves when their owner dies.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { allowedCpus } from "./capacity.ts";
import { type CoreFiller, fillerScript, startCoreFiller } from "./core-filler.ts";

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
  const out = startCoreFiller(String(allowedCpus()?.[0] ?? 0), 999_999_999);
  if (out.filling) void out.stop();
  return out.filling;
})();

let filler: CoreFiller | undefined;
afterEach(async () => {
  if (filler?.filling) await filler.stop();
  filler = undefined;
});

describe("core filler", () => {
  it("loops only while its owner exists", () => {
    expect(fillerScript(1234)).toBe("while kill -0 1234 2>/dev/null; do :; done");
  });

  it("says why it fills nothing for an empty CPU list", () => {
    expect(startCoreFiller("")).toEqual({ filling: false, reason: 'no CPU in the list ""' });
  });

  it.runIf(chrtWorks)("spins on the CPU asked for at SCHED_IDLE until stopped", async () => {
    const cpu = allowedCpus()?.at(-1) ?? 0;
    const started = startCoreFiller(String(cpu));
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
    const started = startCoreFiller(String(allowedCpus()?.[0] ?? 0), ownerPid);
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
