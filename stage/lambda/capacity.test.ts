import { describe, expect, it } from "vitest";
import {
  CapacityGate,
  cgroupQuotaCores,
  deriveCapacity,
  invocationCap,
  invocationShareCores,
} from "./capacity.ts";

describe("deriveCapacity", () => {
  it("reserves one core on a host with two or more, none on one core", () => {
    expect(deriveCapacity(2)).toEqual({ hostCores: 2, reservedCores: 1, environmentCores: 1 });
    expect(deriveCapacity(8)).toEqual({ hostCores: 8, reservedCores: 1, environmentCores: 7 });
    expect(deriveCapacity(1)).toEqual({ hostCores: 1, reservedCores: 0, environmentCores: 1 });
    // A cgroup quota of 1.5 cores leaves all of it to the environments.
    expect(deriveCapacity(1.5)).toEqual({ hostCores: 1.5, reservedCores: 0, environmentCores: 1.5 });
    expect(deriveCapacity(4, 2).environmentCores).toBe(2);
  });

  it("rejects a reservation that leaves the environments nothing, naming the figures", () => {
    expect(() => deriveCapacity(2, 2)).toThrow(/invalid reservedCores 2: .*fewer than the host's 2 cores/);
    expect(() => deriveCapacity(0)).toThrow(/invalid hostCores 0/);
  });
});

describe("invocationCap = max(1, floor(environmentCores / min(1, memory/1769)))", () => {
  it("on a 2-core host (one environment core): 13, 6, 3 below 1,024 MB, then one at a time", () => {
    const caps = [128, 256, 512, 1024, 1536, 1769, 2048, 3008].map((mb) => invocationCap(mb, 1));
    expect(caps).toEqual([13, 6, 3, 1, 1, 1, 1, 1]);
  });

  it("a share is at most one core (a single thread): 3,008 MB on 7 environment cores runs 7 at once", () => {
    expect(invocationShareCores(3008)).toBe(1);
    expect(invocationCap(3008, 7)).toBe(7);
    expect(invocationCap(1769, 3)).toBe(3);
    expect(invocationCap(1024, 3)).toBe(5);
  });
});

describe("cgroupQuotaCores", () => {
  const files = (entries: Record<string, string>) => (file: string) => {
    const text = entries[file];
    if (text === undefined) throw new Error(`ENOENT ${file}`);
    return text;
  };

  it("reads cgroup v2 cpu.max along the ancestors, the lowest quota wins", () => {
    const read = files({
      "/proc/self/cgroup": "0::/user.slice/job\n",
      "/sys/fs/cgroup/user.slice/job/cpu.max": "max 100000\n",
      "/sys/fs/cgroup/user.slice/cpu.max": "150000 100000\n",
    });
    expect(cgroupQuotaCores(read)).toBe(1.5);
  });

  it("reads cgroup v1 cfs quota and period; -1 is unlimited", () => {
    const limited = files({
      "/proc/self/cgroup": "4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n",
      "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": "50000\n",
      "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
    });
    expect(cgroupQuotaCores(limited)).toBe(0.5);
    const unlimited = files({
      "/proc/self/cgroup": "4:cpu,cpuacct:/\n",
      "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
      "/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n",
    });
    expect(cgroupQuotaCores(unlimited)).toBeUndefined();
  });

  it("is undefined where /proc/self/cgroup cannot be read", () => {
    expect(cgroupQuotaCores(files({}))).toBeUndefined();
  });
});

describe("CapacityGate", () => {
  it("admits invocations while their shares fit, the next in order when one ends", async () => {
    const gate = new CapacityGate(deriveCapacity(2));
    const first = await gate.acquire(1769);
    expect(first.waitedMs).toBe(0);
    const order: string[] = [];
    const second = gate.acquire(1769).then((a) => {
      order.push("second");
      return a;
    });
    const third = gate.acquire(128).then((a) => {
      order.push("third");
      return a;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual([]);
    first.release();
    const admitted = await second;
    // The 128 MB invocation queued behind the 1,769 MB one does not overtake it, and 0.07 cores do not fit
    // beside a whole core.
    expect(order).toEqual(["second"]);
    admitted.release();
    const last = await third;
    expect(order).toEqual(["second", "third"]);
    expect(gate.waitedInvocations).toBe(2);
    expect(admitted.waitedMs).toBeGreaterThan(0);
    last.release();
  });

  it("runs 13 invocations of 128 MB at once on one environment core, the 14th waits", async () => {
    const gate = new CapacityGate(deriveCapacity(2));
    const running = await Promise.all(Array.from({ length: 13 }, () => gate.acquire(128)));
    expect(running.every((a) => a.waitedMs === 0)).toBe(true);
    let admitted = false;
    const fourteenth = gate.acquire(128).then((a) => {
      admitted = true;
      return a;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(admitted).toBe(false);
    running[0]?.release();
    (await fourteenth).release();
    for (const a of running) a.release();
    expect(gate.capAt(128)).toBe(13);
  });
});
