/**
 * The host's capacity on the real stage (`capacity: "host"`, as the bench starts it): invocations beyond the
 * cap wait instead of sharing the environments' cores, and where the CPUs allow it this process runs on the
 * reserved CPU and the environments on the rest, given back when the stage stops.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../stage.ts";
import { allowedCpus, deriveCapacity, hostCores, invocationCap, parseCpuList } from "./capacity.ts";

const cpusOf = (pid: number, tid: number = pid) =>
  /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, "utf8"))?.[1];
/** The CPU lists of a process's threads other than the main one. */
const helperCpusOf = (pid: number) =>
  readdirSync(`/proc/${pid}/task`)
    .map(Number)
    .filter((tid) => tid !== pid)
    .map((tid) => parseCpuList(cpusOf(pid, tid) ?? "").join(","));

let local: LocalStage | undefined;
afterAll(async () => {
  await local?.stop();
});

describe("the local stage at the host's capacity", () => {
  it("runs at most the cap at once at 1,769 MB, the rest wait; this process and the environments pinned apart", async () => {
    let fillerPids: number[] = [];
    const before = allowedCpus();
    // Before the stage starts: once pinned, this process sees only its reserved CPU.
    const capacity = deriveCapacity(hostCores());
    local = await startStage({ capacity: "host", memoryMb: 1769 });
    const cap = invocationCap(1769, capacity.environmentCores);
    const gate = local.lambda.capacityGate;
    expect(gate?.capacity).toEqual(capacity);

    const requests = cap + 4;
    const statuses = await Promise.all(
      Array.from({ length: requests }, () => fetch(`${local?.stage.apiUrl}/items`).then((r) => r.status)),
    );
    expect(statuses).toEqual(Array.from({ length: requests }, () => 200));
    // No more environments than may run at once: the queue waited for the first instead of booting more.
    expect(local.lambda.environmentCount).toBeLessThanOrEqual(cap);
    expect(gate?.waitedInvocations).toBeGreaterThanOrEqual(requests - cap);
    const maxConcurrent = Math.max(
      ...local.metrics.query({
        namespace: "AWS/Lambda",
        metricName: "ConcurrentExecutions",
        dimensions: { FunctionName: local.stage.functionName },
        stat: "Maximum",
        periodSeconds: 3600,
        startMs: Date.now() - 600_000,
        endMs: Date.now() + 1000,
      }).values,
    );
    expect(maxConcurrent).toBeLessThanOrEqual(cap);

    const pinning = local.cpuPinning;
    if (pinning?.pinned) {
      expect(cpusOf(process.pid)).toBe(pinning.reservedCpus);
      // The main thread on the environments' CPUs; the threads Node started beside it (V8's) on the reserved
      // ones, as on a sandbox's second vCPU.
      const reserved = parseCpuList(pinning.reservedCpus).join(",");
      for (const pid of local.lambda.environmentPids()) {
        expect(cpusOf(pid)).toBe(pinning.environmentCpus);
        const helpers = helperCpusOf(pid);
        expect(helpers.length).toBeGreaterThan(0);
        expect(helpers.filter((cpus) => cpus === reserved).length, JSON.stringify(helpers)).toBeGreaterThan(
          0,
        );
      }
      // The environments' CPUs kept busy at idle priority (core-filler.ts), where chrt can set SCHED_IDLE.
      const filler = local.coreFiller;
      if (filler?.filling) {
        // A CPU latency request covers every CPU (root); SCHED_IDLE fillers sit on the environments' CPUs.
        expect(filler.cpus).toBe(
          filler.how === "pm-qos" ? "all" : parseCpuList(pinning.environmentCpus).join(","),
        );
        fillerPids = filler.pids;
        for (const pid of fillerPids) expect(existsSync(`/proc/${pid}`)).toBe(true);
      } else {
        expect(filler?.reason).toMatch(/cpu_dma_latency.*chrt/);
      }
    } else {
      // Only a host without a spare CPU (or a cgroup quota instead of CPUs) pins nothing, and says why.
      expect(pinning?.reason).toMatch(/nothing to pin|taskset|Cpus_allowed_list/);
      expect(capacity.reservedCores === 0 || capacity.hostCores !== before?.length).toBe(true);
    }
    await local.stop();
    local = undefined;
    expect(allowedCpus()).toEqual(before);
    // Stopping the stage stops its fillers.
    for (const pid of fillerPids) expect(existsSync(`/proc/${pid}`)).toBe(false);
  }, 60_000);
});
