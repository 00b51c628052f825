// CPU-bound INIT and invocations: the module hashes INIT_ITERATIONS times with SHA-256 at load, the handler
// event.iterations times. Both report the CPU quota of the process's cgroup (cgroup v1) as they ran, so a
// test sees which share INIT ran under.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

function cpuQuota() {
  try {
    const line = readFileSync("/proc/self/cgroup", "utf8")
      .split("\n")
      .find((l) => /^\d+:[^:]*\bcpu\b[^:]*:/.test(l));
    const group = line?.split(":")[2];
    for (const mount of ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct"]) {
      try {
        return Number(readFileSync(`${mount}${group}/cpu.cfs_quota_us`, "utf8"));
      } catch {
        // not this mount point
      }
    }
  } catch {
    // no cgroup v1 here
  }
  return null;
}

function hashLoop(iterations) {
  let data = Buffer.from("powerbench INIT and invoke CPU test");
  for (let i = 0; i < iterations; i++) data = createHash("sha256").update(data).digest();
  return data.toString("hex");
}

const initQuotaUs = cpuQuota();
hashLoop(Number(process.env.INIT_ITERATIONS ?? 0));

export const handler = async (event) => {
  const before = process.cpuUsage();
  const hash = hashLoop(event?.iterations ?? 0);
  const used = process.cpuUsage(before);
  return { hash, initQuotaUs, invokeQuotaUs: cpuQuota(), cpuMs: (used.user + used.system) / 1000 };
};
