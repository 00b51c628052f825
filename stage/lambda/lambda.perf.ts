/**
 * Benchmark of the Lambda emulator (npm run perf -- lambda.perf): prints a Markdown section.
 *
 * 1. Invoke throughput and latency of a trivial handler through LocalLambda.invoke (an OS process per
 *    environment, IPC, START/END/REPORT lines, metrics) against calling the same handler in-process with the
 *    same JSON parse/stringify, side by side in this process. Goal: ≥ 0.25× the in-process rate.
 *    Also the RSS of each warm environment (goal ≤ 60 MB).
 * 2. CPU scaling fidelity: Duration of a CPU-bound handler at 128, 512, 1024 and 1769 MB, as a ratio to the
 *    1769 MB Duration, against the ideal 1769/memory. Goal: within 10 % where cgroups exist.
 * 3. INIT at one vCPU: Init Duration of a CPU-bound INIT at 128 MB against 1769 MB. Goal: a ratio near 1
 *    (held to the 128 MB share it would be 1769/128 = 13.8). npm test checks the quotas themselves
 *    (init-phase.integration.test.ts); this prints the time they make.
 * 4. Freezing idle environments: CPU per invocation (this process and the environments) and rate with
 *    freezing on against off (`freezeIdleEnvironments`), two emulators side by side in alternating blocks: the
 *    cost of a freeze and a thaw per invocation.
 */

import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import { CFS_PERIOD_US } from "./cgroups.ts";
import { LocalLambda } from "./local-lambda.ts";
import { MemoryLogSink, MemoryMetricSink, TEST_FUNCTIONS_DIR } from "./test-support/memory-sinks.ts";

const THROUGHPUT_INVOCATIONS = 16_000;
/** Calls before measuring: the environments' JIT (each its own V8) and the emulator's settle. */
const WARMUP_INVOCATIONS = 4000;
/** Per block. */
const THROUGHPUT_TIME_LIMIT_MS = 5_000;
const BLOCKS = 8;
const CONCURRENCIES = [1, 8] as const;
const CPU_ITERATIONS = 20_000_000;
const CPU_ROUNDS = 4;
const MEMORY_SIZES = [128, 512, 1024, 1769] as const;
const PAYLOAD = JSON.stringify({
  httpMethod: "GET",
  path: "/items/1",
  headers: { accept: "application/json" },
});

interface RunFigures {
  invocations: number;
  ratePerSec: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Runs `call` with `concurrency` workers until `count` calls are done or the time limit is reached. */
async function drive(concurrency: number, count: number, call: () => Promise<void>, latencies: number[]) {
  const started = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < count && performance.now() - started < THROUGHPUT_TIME_LIMIT_MS) {
      issued++;
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

/**
 * Alternates blocks of the reference and the emulated calls, so both see the same machine (it is shared and
 * noisy); rates are calls over the time spent in their own blocks.
 */
async function sideBySide(
  concurrency: number,
  reference: () => Promise<void>,
  emulated: () => Promise<void>,
): Promise<{ reference: RunFigures; emulated: RunFigures }> {
  const latencies = { reference: [] as number[], emulated: [] as number[] };
  const elapsedMs = { reference: 0, emulated: 0 };
  const blockSize = Math.ceil(THROUGHPUT_INVOCATIONS / BLOCKS);
  for (let block = 0; block < BLOCKS; block++) {
    elapsedMs.reference += await drive(concurrency, blockSize, reference, latencies.reference);
    elapsedMs.emulated += await drive(concurrency, blockSize, emulated, latencies.emulated);
  }
  const figures = (values: number[], ms: number): RunFigures => {
    values.sort((a, b) => a - b);
    return {
      invocations: values.length,
      ratePerSec: (values.length / ms) * 1000,
      p50Ms: percentile(values, 50),
      p99Ms: percentile(values, 99),
    };
  };
  return {
    reference: figures(latencies.reference, elapsedMs.reference),
    emulated: figures(latencies.emulated, elapsedMs.emulated),
  };
}

/** Round trips over Node's IPC channel to a child that only echoes: the cost of the process boundary alone. */
async function ipcFloor(): Promise<RunFigures> {
  const child = spawn(process.execPath, ["-e", 'process.on("message", (m) => process.send(m))'], {
    stdio: ["ignore", "ignore", "ignore", "ipc"],
  });
  try {
    let next = 0;
    const pending = new Map<number, () => void>();
    child.on("message", (message: { id: number }) => pending.get(message.id)?.());
    const roundTrip = () =>
      new Promise<void>((resolve) => {
        const id = next++;
        pending.set(id, () => {
          pending.delete(id);
          resolve();
        });
        child.send({ id, payload: PAYLOAD });
      });
    await drive(1, WARMUP_INVOCATIONS, roundTrip, []);
    const latencies: number[] = [];
    const elapsedMs = await drive(1, THROUGHPUT_INVOCATIONS, roundTrip, latencies);
    latencies.sort((a, b) => a - b);
    return {
      invocations: latencies.length,
      ratePerSec: (latencies.length / elapsedMs) * 1000,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
    };
  } finally {
    child.kill("SIGKILL");
  }
}

function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

const fmt = (value: number, digits = 1) => value.toFixed(digits);

async function throughput(lines: string[]): Promise<void> {
  const trivial = (await import(path.join(TEST_FUNCTIONS_DIR, "trivial.mjs"))) as {
    handler: (event: unknown, context: unknown) => Promise<unknown>;
  };
  const context = { awsRequestId: "in-process", getRemainingTimeInMillis: () => 3000 };
  // Sinks that drop everything: this measures the emulator; the CloudWatch stores are benchmarked on their own.
  const lambda = new LocalLambda({ metricSink: { put: () => {} }, logSink: { append: () => {} } });
  try {
    await lambda.createFunction({
      FunctionName: "trivial",
      Handler: "trivial.handler",
      Code: { LocalPath: TEST_FUNCTIONS_DIR },
      MemorySize: 1769,
    });
    lines.push(
      "### Invoke: trivial handler through LocalLambda.invoke vs in-process",
      "",
      `${THROUGHPUT_INVOCATIONS} calls per side in ${BLOCKS} alternating blocks after ${WARMUP_INVOCATIONS} warm-up calls (each bounded to ${THROUGHPUT_TIME_LIMIT_MS / 1000} s), MemorySize 1769 MB, CPU scaling: ${lambda.cpuScaling.mode}, metric and log sinks that drop everything, load average before: ${os.loadavg()[0]?.toFixed(1)}.`,
      "",
      "| concurrency | in-process /s | LocalLambda /s | ratio (goal ≥ 0.25) | LocalLambda p50 ms | p99 ms | in-process p50 ms |",
      "|---:|---:|---:|---:|---:|---:|---:|",
    );
    let sequentialRate = Number.NaN;
    let sequentialInProcessRate = Number.NaN;
    for (const concurrency of CONCURRENCIES) {
      const invokeTrivial = async () => {
        const outcome = await lambda.invoke({ functionName: "trivial", payload: PAYLOAD });
        if (outcome.status !== "ok") throw new Error(`trivial invocation failed: ${JSON.stringify(outcome)}`);
      };
      // Warm up: start the environments and let the JIT settle on both sides.
      await drive(concurrency, WARMUP_INVOCATIONS, invokeTrivial, []);
      const { reference: inProcess, emulated } = await sideBySide(
        concurrency,
        async () => {
          JSON.stringify(await trivial.handler(JSON.parse(PAYLOAD), context));
        },
        invokeTrivial,
      );
      if (concurrency === 1) {
        sequentialRate = emulated.ratePerSec;
        sequentialInProcessRate = inProcess.ratePerSec;
      }
      lines.push(
        `| ${concurrency} | ${fmt(inProcess.ratePerSec, 0)} | ${fmt(emulated.ratePerSec, 0)} | ${fmt(emulated.ratePerSec / inProcess.ratePerSec, 4)} | ${fmt(emulated.p50Ms, 3)} | ${fmt(emulated.p99Ms, 3)} | ${fmt(inProcess.p50Ms, 4)} |`,
      );
    }
    const floor = await ipcFloor();
    lines.push(
      "",
      `Process-boundary floor: a bare child process echoing messages over the same IPC channel does ${fmt(floor.ratePerSec, 0)} round trips/s at concurrency 1 (p50 ${fmt(floor.p50Ms, 3)} ms), ` +
        `so an environment in its own process cannot approach the in-process rate: the bare round trip alone reaches ${fmt(floor.ratePerSec / sequentialInProcessRate, 3)}× ` +
        "the in-process rate, the ceiling of any emulator that runs each environment in its own process (as Lambda runs each in its own sandbox), " +
        `so the goal of 0.25× is out of reach by design. LocalLambda at concurrency 1 runs at ${fmt(sequentialRate / floor.ratePerSec, 2)}× that floor; ` +
        "the rest is its bookkeeping (START/END/REPORT lines, 12 metric data points, timers), the runtime's context and sharing two busy cores.",
    );
    const rss = lambda.environmentPids().map(rssMb);
    lines.push(
      "",
      `RSS per warm environment: ${rss.length} environments, max ${fmt(Math.max(...rss))} MB, mean ${fmt(rss.reduce((a, b) => a + b, 0) / rss.length)} MB (goal ≤ 60 MB).`,
      "",
    );
  } finally {
    await lambda.close();
  }
}

interface CpuRun {
  durationMs: number;
  cpuMs: number;
}

async function cpuRun(lambda: LocalLambda, functionName: string, iterations: number): Promise<CpuRun> {
  const outcome = await lambda.invoke({
    functionName,
    payload: JSON.stringify({ iterations }),
    logTail: true,
  });
  if (outcome.status !== "ok") throw new Error(`${functionName} failed: ${JSON.stringify(outcome)}`);
  const report = parseReportLine(outcome.logTail?.replace(/\n$/, "").split("\n").at(-1) ?? "");
  if (report?.durationMs === undefined) throw new Error(`no REPORT Duration from ${functionName}`);
  return { durationMs: report.durationMs, cpuMs: (JSON.parse(outcome.payload) as { cpuMs: number }).cpuMs };
}

async function cpuScaling(lines: string[], cfsPeriodUs: number): Promise<void> {
  const lambda = new LocalLambda({
    metricSink: new MemoryMetricSink(),
    logSink: new MemoryLogSink(),
    cfsPeriodUs,
  });
  try {
    lines.push(
      `### CPU scaling fidelity, CFS period ${cfsPeriodUs / 1000} ms${cfsPeriodUs === CFS_PERIOD_US ? " (default)" : ""}`,
      "",
    );
    if (lambda.cpuScaling.mode === "none") {
      lines.push(`Not measured: ${lambda.cpuScaling.reason}`, "");
      return;
    }
    const runs = new Map<number, CpuRun[]>();
    for (const memoryMb of MEMORY_SIZES) {
      await lambda.createFunction({
        FunctionName: `cpu-${memoryMb}`,
        Handler: "cpu-bound.handler",
        Code: { LocalPath: TEST_FUNCTIONS_DIR },
        MemorySize: memoryMb,
        Timeout: 120,
      });
      await cpuRun(lambda, `cpu-${memoryMb}`, 1000);
      runs.set(memoryMb, []);
    }
    const loadBefore = os.loadavg()[0] ?? Number.NaN;
    // Round robin over the sizes, so each sees the same (shared, noisy) machine.
    for (let round = 0; round < CPU_ROUNDS; round++) {
      for (const memoryMb of MEMORY_SIZES) {
        runs.get(memoryMb)?.push(await cpuRun(lambda, `cpu-${memoryMb}`, CPU_ITERATIONS));
      }
    }
    const minDuration = (memoryMb: number) =>
      Math.min(...(runs.get(memoryMb) ?? []).map((r) => r.durationMs));
    const median = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2
        ? (sorted[mid] ?? Number.NaN)
        : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    };
    lines.push(
      `${lambda.cpuScaling.mode}; ${CPU_ITERATIONS.toLocaleString("en")} loop iterations, ${CPU_ROUNDS} rounds over the sizes; ` +
        `load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]?.toFixed(1)} after, on ${os.availableParallelism()} CPUs.`,
      "",
      "- **Slowdown** = a run's REPORT Duration / the CPU time its loop consumed = 1 / the CPU share it got; ideal 1769/memory " +
        "(1 at 1769 MB). Median of the rounds. Other tenants of the machine inflate it only where the share is large (1769 MB).",
      "- **Duration ratio** = least Duration at the size / least Duration at 1769 MB; ideal 1769/memory. Noisier: it needs " +
        "one undisturbed full-vCPU run.",
      "",
      "| MemorySize MB | Durations ms | slowdown (median) | ideal | error (goal ±10 %) | Duration ratio | error |",
      "|---:|---|---:|---:|---:|---:|---:|",
    );
    for (const memoryMb of MEMORY_SIZES) {
      const sizeRuns = runs.get(memoryMb) ?? [];
      const ideal = 1769 / memoryMb;
      const slowdown = median(sizeRuns.map((r) => r.durationMs / r.cpuMs));
      const byDuration = minDuration(memoryMb) / minDuration(1769);
      lines.push(
        `| ${memoryMb} | ${sizeRuns.map((r) => fmt(r.durationMs)).join(", ")} | ${fmt(slowdown, 2)} | ${fmt(ideal, 2)} | ${fmt((slowdown / ideal - 1) * 100)} % | ${fmt(byDuration, 2)} | ${fmt((byDuration / ideal - 1) * 100)} % |`,
      );
    }
    lines.push("");
  } finally {
    await lambda.close();
  }
}

const INIT_SIZES = [128, 1769] as const;
const INIT_ROUNDS = 3;
/** SHA-256 rounds of cpu-init.mjs's INIT: about 150 ms of CPU at full speed, 2 s at the 128 MB share. */
const INIT_ITERATIONS = 50_000;

/** Init Duration of a fresh environment: a configuration nudge makes a new version, so a new pool. */
async function coldInitMs(lambda: LocalLambda, functionName: string, round: number): Promise<number> {
  await lambda.updateFunctionConfiguration(functionName, { Description: `round ${round}` });
  for (let i = 0; i < 500; i++) {
    if ((await lambda.getFunctionConfiguration(functionName))["LastUpdateStatus"] === "Successful") break;
    await sleep(20);
  }
  const outcome = await lambda.invoke({
    functionName,
    payload: JSON.stringify({ iterations: 1 }),
    logTail: true,
  });
  if (outcome.status !== "ok") throw new Error(`${functionName} failed: ${JSON.stringify(outcome)}`);
  const report = parseReportLine(outcome.logTail?.replace(/\n$/, "").split("\n").at(-1) ?? "");
  if (report?.initDurationMs === undefined) throw new Error(`no Init Duration from ${functionName}`);
  return report.initDurationMs;
}

async function initAtOneVcpu(lines: string[]): Promise<void> {
  const lambda = new LocalLambda({ metricSink: new MemoryMetricSink(), logSink: new MemoryLogSink() });
  try {
    lines.push("### INIT at one vCPU: Init Duration of a CPU-bound INIT at 128 MB vs 1769 MB", "");
    if (lambda.cpuScaling.mode === "none") {
      lines.push(`Not measured: ${lambda.cpuScaling.reason}`, "");
      return;
    }
    const initMs = new Map<number, number[]>();
    for (const memoryMb of INIT_SIZES) {
      await lambda.createFunction({
        FunctionName: `init-${memoryMb}`,
        Handler: "cpu-init.handler",
        Code: { LocalPath: TEST_FUNCTIONS_DIR },
        MemorySize: memoryMb,
        Timeout: 60,
        Environment: { Variables: { INIT_ITERATIONS: String(INIT_ITERATIONS) } },
      });
      initMs.set(memoryMb, []);
    }
    const loadBefore = os.loadavg()[0] ?? Number.NaN;
    for (let round = 0; round < INIT_ROUNDS; round++) {
      for (const memoryMb of INIT_SIZES) {
        initMs.get(memoryMb)?.push(await coldInitMs(lambda, `init-${memoryMb}`, round));
      }
    }
    // A busy machine slows a run, never speeds it: each size's least figure is its nearest to undisturbed.
    const least = (memoryMb: number) => Math.min(...(initMs.get(memoryMb) ?? []));
    lines.push(
      `${lambda.cpuScaling.mode}; cpu-init.mjs with ${INIT_ITERATIONS.toLocaleString("en")} SHA-256 rounds at load, ${INIT_ROUNDS} fresh environments per size; ` +
        `load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0]?.toFixed(1)} after.`,
      "",
      "| MemorySize MB | Init Durations ms | least ms |",
      "|---:|---|---:|",
      ...INIT_SIZES.map(
        (memoryMb) =>
          `| ${memoryMb} | ${(initMs.get(memoryMb) ?? []).map((v) => fmt(v)).join(", ")} | ${fmt(least(memoryMb))} |`,
      ),
      "",
      `Ratio of the least Init Durations, 128 MB / 1769 MB: ${fmt(least(128) / least(1769), 2)} (goal near 1; INIT held to the 128 MB share would make it ${fmt(1769 / 128, 1)}).`,
      "",
    );
  } finally {
    await lambda.close();
  }
}

/** CPU time of every thread of a process so far (ms), from the kernel's scheduler statistics; 0 when gone. */
function processCpuMs(pid: number): number {
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    }
    return ns / 1e6;
  } catch {
    return 0;
  }
}

const FREEZE_BLOCKS = 10;
const FREEZE_BLOCK_INVOCATIONS = 1500;

async function freezeCost(lines: string[]): Promise<void> {
  const sides = [
    { name: "frozen while idle (default)", freeze: true },
    { name: "not frozen", freeze: false },
  ].map((side) => ({
    ...side,
    lambda: new LocalLambda({
      metricSink: { put: () => {} },
      logSink: { append: () => {} },
      freezeIdleEnvironments: side.freeze,
    }),
  }));
  try {
    for (const { lambda } of sides) {
      await lambda.createFunction({
        FunctionName: "trivial",
        Handler: "trivial.handler",
        Code: { LocalPath: TEST_FUNCTIONS_DIR },
        MemorySize: 1769,
      });
    }
    lines.push(
      "### Freezing idle environments: CPU per invocation, on vs off",
      "",
      `Two emulators in this process, one freezing its idle environments (the default) and one not; trivial handler at 1769 MB, ${FREEZE_BLOCKS} alternating blocks of ${FREEZE_BLOCK_INVOCATIONS} invocations per side and concurrency after ${WARMUP_INVOCATIONS} warm-up calls; ` +
        `CPU scaling ${sides[0]?.lambda.cpuScaling.mode} (the cgroup freezer; SIGSTOP where none); CPU = this process (process.cpuUsage) + every thread of the environments (/proc/<pid>/task/*/schedstat); load average before: ${os.loadavg()[0]?.toFixed(1)}.`,
      "",
      "| concurrency | side | invocations/s | CPU µs per invocation | of which environments | difference (on − off) |",
      "|---:|---|---:|---:|---:|---:|",
    );
    for (const concurrency of CONCURRENCIES) {
      const totals = sides.map(() => ({ invocations: 0, elapsedMs: 0, cpuMs: 0, envCpuMs: 0 }));
      for (const { lambda } of sides) {
        const call = async () => {
          const outcome = await lambda.invoke({ functionName: "trivial", payload: PAYLOAD });
          if (outcome.status !== "ok")
            throw new Error(`trivial invocation failed: ${JSON.stringify(outcome)}`);
        };
        await drive(concurrency, WARMUP_INVOCATIONS, call, []);
      }
      for (let block = 0; block < FREEZE_BLOCKS; block++) {
        // Alternate which side goes first.
        const order = block % 2 === 0 ? [0, 1] : [1, 0];
        for (const i of order) {
          const side = sides[i];
          const total = totals[i];
          if (!side || !total) continue;
          const call = async () => {
            const outcome = await side.lambda.invoke({ functionName: "trivial", payload: PAYLOAD });
            if (outcome.status !== "ok")
              throw new Error(`trivial invocation failed: ${JSON.stringify(outcome)}`);
          };
          const pids = side.lambda.environmentPids();
          const envBefore = pids.map(processCpuMs);
          const cpuBefore = process.cpuUsage();
          const latencies: number[] = [];
          total.elapsedMs += await drive(concurrency, FREEZE_BLOCK_INVOCATIONS, call, latencies);
          const cpu = process.cpuUsage(cpuBefore);
          const envMs = pids.reduce((sum, pid, j) => sum + processCpuMs(pid) - (envBefore[j] ?? 0), 0);
          total.invocations += latencies.length;
          total.cpuMs += (cpu.user + cpu.system) / 1000 + envMs;
          total.envCpuMs += envMs;
        }
      }
      const perInvocationUs = totals.map((t) => (t.cpuMs * 1000) / Math.max(1, t.invocations));
      for (const [i, side] of sides.entries()) {
        const total = totals[i];
        if (!total) continue;
        lines.push(
          `| ${concurrency} | ${side.name} | ${fmt((total.invocations / total.elapsedMs) * 1000, 0)} | ${fmt(perInvocationUs[i] ?? Number.NaN, 0)} | ` +
            `${fmt((total.envCpuMs * 1000) / Math.max(1, total.invocations), 0)} | ${i === 0 ? fmt((perInvocationUs[0] ?? 0) - (perInvocationUs[1] ?? 0), 0) : ""} |`,
        );
      }
    }
    lines.push("");
  } finally {
    for (const { lambda } of sides) await lambda.close();
  }
}

const lines = [
  "## Lambda emulator (stage/lambda/lambda.perf.ts)",
  "",
  "Command: `npm run perf -- lambda.perf`",
  "",
];
if (process.env["LAMBDA_PERF_ONLY"] === "freeze") {
  await freezeCost(lines);
  console.log(lines.join("\n"));
  process.exit(0);
}
await throughput(lines);
// The default period, and the kernel's default for comparison (LocalLambdaOptions.cfsPeriodUs).
await cpuScaling(lines, CFS_PERIOD_US);
await cpuScaling(lines, 100_000);
await initAtOneVcpu(lines);
await freezeCost(lines);
console.log(lines.join("\n"));
