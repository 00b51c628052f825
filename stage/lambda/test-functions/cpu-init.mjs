// CPU-bound INIT and invocations: the module hashes INIT_ITERATIONS times with SHA-256 at load, the handler
// event.iterations times. Both report the CPU quota of the process's cgroup (cgroup v1 cpu.cfs_quota_us, v2
// the first field of cpu.max) as they ran, so a test sees which share INIT ran under.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

/** The directory of this process's cgroup in the hierarchy `mount` (mountinfo's root and mount point). */
function groupDir(mount, cgroupPath) {
  const relative =
    mount.root !== "/" && cgroupPath.startsWith(mount.root)
      ? cgroupPath.slice(mount.root.length)
      : cgroupPath;
  return `${mount.mountPoint}${relative}`;
}

function cpuQuota() {
  try {
    const mounts = readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [left = "", right = ""] = line.split(" - ");
        const fields = left.split(" ");
        const [fsType, , options = ""] = right.split(" ");
        return { root: fields[3], mountPoint: fields[4], fsType, options: options.split(",") };
      });
    const own = readFileSync("/proc/self/cgroup", "utf8").split("\n");
    const v1Path = own.find((l) => /^\d+:[^:]*\bcpu\b[^:]*:/.test(l))?.split(":")[2];
    const v1Mount = mounts.find((m) => m.fsType === "cgroup" && m.options.includes("cpu"));
    if (v1Path !== undefined && v1Mount) {
      return Number(readFileSync(`${groupDir(v1Mount, v1Path)}/cpu.cfs_quota_us`, "utf8"));
    }
    const v2Path = own.find((l) => l.startsWith("0::"))?.slice(3);
    const v2Mount = mounts.find((m) => m.fsType === "cgroup2");
    if (v2Path !== undefined && v2Mount) {
      const quota = readFileSync(`${groupDir(v2Mount, v2Path)}/cpu.max`, "utf8").split(" ")[0];
      return quota === "max" ? -1 : Number(quota);
    }
  } catch {
    // no readable CPU controller here
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
