import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitUntilUpdated } from "../../test/support/wait.ts";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import { cpuQuotaUs, detectCgroups } from "./cgroups.ts";
import { LocalLambda } from "./local-lambda.ts";
import {
  MemoryLogSink,
  MemoryMetricSink,
  ownCgroupParents,
  TEST_FUNCTIONS_DIR,
} from "./test-support/memory-sinks.ts";

// Decided when the file is collected, so the skip shows up with its reason.
const { scaling } = detectCgroups();
const metrics = new MemoryMetricSink();
const lambda = new LocalLambda({ metricSink: metrics, logSink: new MemoryLogSink() });

afterAll(async () => {
  await lambda.close();
});

/**
 * Runs the CPU-bound handler; returns the REPORT Duration less the time the environment waited for the host's
 * CPU beyond its quota (the stage's HostCpuWait: other test workers share the machine), and the CPU time the
 * loop consumed.
 */
async function measure(
  qualifier: string,
  iterations: number,
): Promise<{ durationMs: number; cpuMs: number }> {
  const outcome = await lambda.invoke({
    functionName: "cpu",
    qualifier,
    payload: JSON.stringify({ iterations }),
    logTail: true,
  });
  if (outcome.status !== "ok") throw new Error(`cpu-bound invocation failed: ${JSON.stringify(outcome)}`);
  const report = outcome.logTail?.replace(/\n$/, "").split("\n").at(-1) ?? "";
  const durationMs = parseReportLine(report)?.durationMs;
  if (durationMs === undefined) throw new Error(`no Duration in ${report}`);
  const hostWaitMs = metrics.values("HostCpuWait", { FunctionName: "cpu" }).at(-1) ?? 0;
  return {
    durationMs: durationMs - hostWaitMs,
    cpuMs: (JSON.parse(outcome.payload) as { cpuMs: number }).cpuMs,
  };
}

/** The powerbench-* group among `parents` whose processes include `pid` (other tests' groups come and go). */
function groupOf(parents: string[], pid: string): string | undefined {
  for (const parent of parents) {
    for (const entry of readdirSync(parent)) {
      if (!entry.startsWith("powerbench-")) continue;
      try {
        const procs = readFileSync(path.join(parent, entry, "cgroup.procs"), "utf8").split("\n");
        if (procs.includes(pid)) return path.join(parent, entry);
      } catch {
        // removed meanwhile
      }
    }
  }
  return undefined;
}

describe("CPU scaling with memory", () => {
  it("computes the CFS quota as memory/1769 of one CPU, capped at the machine", () => {
    // Default period 20 ms: 128/1769 of it is 1,447 µs.
    expect(cpuQuotaUs(128, 2)).toBe(1447);
    expect(cpuQuotaUs(1769, 2)).toBe(20_000);
    expect(cpuQuotaUs(3538, 2)).toBe(40_000);
    expect(cpuQuotaUs(10240, 2)).toBe(40_000);
    expect(cpuQuotaUs(128, 2, 100_000)).toBe(7236);
    expect(() => detectCgroups(5_000)).toThrow(/invalid cfsPeriodUs 5000: expected an integer from 14000/);
  });

  it.skipIf(scaling.mode !== "cgroup-v1")(
    "removes cgroups left behind by an emulator that died without close()",
    () => {
      // A process that has exited: its pid names the leftover groups, in the cpu and memory hierarchies only.
      const dead = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
      const leftovers = ownCgroupParents(["cpu", "memory"]).map((dir) =>
        path.join(dir, `powerbench-${Number(dead.stdout.trim())}-7`),
      );
      expect(leftovers).toHaveLength(2);
      try {
        for (const dir of leftovers) mkdirSync(dir);
        detectCgroups();
        expect(leftovers.filter((dir) => existsSync(dir))).toEqual([]);
      } finally {
        for (const dir of leftovers) if (existsSync(dir)) rmdirSync(dir);
      }
    },
  );

  it.skipIf(scaling.mode !== "cgroup-v1")(
    "puts each environment in cgroups sized by its memory",
    async () => {
      const sized = new LocalLambda({
        metricSink: new MemoryMetricSink(),
        logSink: new MemoryLogSink(),
        cfsPeriodUs: 100_000,
      });
      try {
        await sized.createFunction({
          FunctionName: "echo",
          Handler: "echo.handler",
          Code: { LocalPath: TEST_FUNCTIONS_DIR },
        });
        const outcome = await sized.invoke({ functionName: "echo", payload: "{}" });
        if (outcome.status !== "ok") throw new Error(JSON.stringify(outcome));
        const pid = String((JSON.parse(outcome.payload) as { pid: number }).pid);
        const cpuDir = groupOf(ownCgroupParents(["cpu"]), pid);
        const memoryDir = groupOf(ownCgroupParents(["memory"]), pid);
        const read = (dir: string | undefined, file: string) =>
          readFileSync(path.join(dir ?? "", file), "utf8").trim();
        expect(read(cpuDir, "cpu.cfs_period_us")).toBe("100000");
        expect(read(cpuDir, "cpu.cfs_quota_us")).toBe("7236");
        expect(read(memoryDir, "memory.limit_in_bytes")).toBe(String(128 * 1024 * 1024));
        // Memory plus swap capped at the same size (where swap accounting is on): exceeding it OOM-kills.
        if (existsSync(path.join(memoryDir ?? "", "memory.memsw.limit_in_bytes"))) {
          expect(read(memoryDir, "memory.memsw.limit_in_bytes")).toBe(String(128 * 1024 * 1024));
        }
      } finally {
        await sized.close();
      }
    },
  );

  it.runIf(scaling.mode === "none")("records why CPU is not scaled on this machine", () => {
    expect(lambda.cpuScaling.mode).toBe("none");
    expect(lambda.cpuScaling.reason).toMatch(/\S/);
  });

  it.skipIf(scaling.mode === "none")(
    `a CPU-bound function is 8×–20× slower at 128 MB than at 1,769 MB (ideal 13.8×; ${scaling.mode})`,
    async () => {
      expect(lambda.cpuScaling.mode).toBe(scaling.mode);
      await lambda.createFunction({
        FunctionName: "cpu",
        Handler: "cpu-bound.handler",
        Code: { LocalPath: TEST_FUNCTIONS_DIR },
        MemorySize: 1769,
        Timeout: 60,
      });
      await lambda.publishVersion("cpu", {});
      await lambda.updateFunctionConfiguration("cpu", { MemorySize: 128 });
      await waitUntilUpdated(lambda, "cpu");
      await lambda.publishVersion("cpu", {});
      const iterations = 20_000_000;
      // Warm both environments (cold start, JIT) with a little work first.
      await measure("1", 1000);
      await measure("2", 1000);
      const fullCpu: Array<{ durationMs: number; cpuMs: number }> = [];
      for (let run = 0; run < 4; run++) fullCpu.push(await measure("1", iterations));
      const slice: Array<{ durationMs: number; cpuMs: number }> = [];
      for (let run = 0; run < 3; run++) slice.push(await measure("2", iterations));
      // The machine is shared (other test workers): they slow a run down, never speed it up, so each size's
      // least Duration is the one nearest its undisturbed figure.
      const least = (runs: Array<{ durationMs: number }>) => Math.min(...runs.map((r) => r.durationMs));
      // The measure: Duration at 128 MB over Duration at 1769 MB. A 1769 MB environment throttled
      // like a small one would make this ratio near 1.
      const durationRatio = least(slice) / least(fullCpu);
      // At 1769 MB a run is slowed whenever it does not get its full CPU, while 128 MB needs only 7 % of one
      // and gets it; so also against the loop's CPU time at 1769 MB (its Duration on an undisturbed CPU).
      const cpuRatio = least(slice) / Math.min(...fullCpu.map((r) => r.cpuMs));
      const detail = `128 MB ${JSON.stringify(slice)}; 1769 MB ${JSON.stringify(fullCpu)}; Duration ratio ${durationRatio.toFixed(2)}; to CPU time ${cpuRatio.toFixed(2)}`;
      expect(durationRatio, detail).toBeGreaterThan(8);
      expect(durationRatio, detail).toBeLessThan(20);
      expect(cpuRatio, detail).toBeGreaterThan(8);
      expect(cpuRatio, detail).toBeLessThan(20);
      // At 1769 MB the environment may use a whole CPU: its best run is not held to a small CPU share.
      const best = fullCpu.reduce((a, b) => (a.durationMs < b.durationMs ? a : b));
      expect(best.cpuMs / best.durationMs, detail).toBeGreaterThan(0.12);
    },
  );
});
