/**
 * Idle environments are frozen between invocations, as Lambda freezes a sandbox once its runtime asks for the
 * next event: timers and work a handler leaves running after it returns do not run while the environment is
 * idle and resume at its next invocation; an idle environment uses no CPU; the time it sat frozen is not its
 * invocation's (timeouts); frozen environments are reclaimed, killed and left behind by a dead emulator without
 * orphans. Both ways of freezing: the cgroup freezer (where the stage manages cgroups) and SIGSTOP (cpuScaling
 * off). The handler: test-functions/background.mjs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { startScript } from "../../test/support/run-script.ts";
import { sleep, waitFor } from "../../test/support/wait.ts";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import { detectCgroups } from "./cgroups.ts";
import { LocalLambda, type LocalLambdaOptions } from "./local-lambda.ts";
import {
  MemoryLogSink,
  MemoryMetricSink,
  ownCgroupDirs,
  processAlive,
  TEST_FUNCTIONS_DIR,
} from "./test-support/memory-sinks.ts";

const code = { LocalPath: TEST_FUNCTIONS_DIR };
const cgroupsHere = detectCgroups().scaling.mode !== "none";

async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  await waitFor(() => (condition() ? true : undefined), `waiting until ${what}`, {
    timeoutMs: limitMs,
    intervalMs: 20,
  });
}

/** CPU time of every thread of a process so far (ms), from the kernel's scheduler statistics. */
function processCpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
  }
  return ns / 1e6;
}

function okPayload(outcome: Awaited<ReturnType<LocalLambda["invoke"]>>): Record<string, unknown> {
  if (outcome.status !== "ok") throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.payload) as Record<string, unknown>;
}

const lambdas: LocalLambda[] = [];
afterEach(async () => {
  for (const lambda of lambdas.splice(0)) await lambda.close();
});

async function emulator(options: Partial<LocalLambdaOptions>, timeoutS = 3): Promise<LocalLambda> {
  const lambda = new LocalLambda({
    metricSink: new MemoryMetricSink(),
    logSink: options.logSink ?? new MemoryLogSink(),
    ...options,
  });
  lambdas.push(lambda);
  await lambda.createFunction({
    FunctionName: "background",
    Handler: "background.handler",
    Code: code,
    MemorySize: 1024,
    Timeout: timeoutS,
  });
  return lambda;
}

const modes = [
  ...(cgroupsHere ? [{ name: "the cgroup freezer", cpuScaling: "auto" as const }] : []),
  { name: "SIGSTOP (no cgroups)", cpuScaling: "off" as const },
];

describe.each(modes)("idle environments frozen by $name", ({ cpuScaling }) => {
  it("runs no timer of the handler while idle; they resume at the next invocation, their lines in its log", async () => {
    // Prepare: a handler that leaves an interval ticking every 10 ms and a timer due 100 ms after it returns.
    const logs = new MemoryLogSink();
    const lambda = await emulator({ cpuScaling, logSink: logs });
    const started = okPayload(
      await lambda.invoke({
        functionName: "background",
        payload: '{"action":"start","everyMs":10,"lateMs":100}',
      }),
    );
    expect(lambda.cpuScaling.mode === "none").toBe(cpuScaling === "off");

    // Act: 600 ms idle, then an invocation that waits 300 ms inside and returns every tick recorded.
    const idleFromMs = Date.now();
    await sleep(600);
    const idleToMs = Date.now();
    const read = okPayload(await lambda.invoke({ functionName: "background", payload: '{"waitMs":300}' }));

    // Assess: same environment; no tick while idle (about 60 without freezing), ticks again in the invocation.
    expect(read["pid"]).toBe(started["pid"]);
    const ticks = read["ticks"] as number[];
    expect(ticks.filter((at) => at > idleFromMs && at < idleToMs)).toEqual([]);
    expect(ticks.filter((at) => at >= idleToMs).length).toBeGreaterThanOrEqual(3);
    // The timer due while idle fired in the next invocation: its line between that one's START and REPORT.
    const messages = logs.messages("/aws/lambda/background");
    const late = messages.findIndex((m) => m.includes("late timer fired"));
    const secondStart = messages.findLastIndex((m) => m.startsWith("START RequestId:"));
    const secondReport = messages.findLastIndex((m) => m.startsWith("REPORT RequestId:"));
    expect(late).toBeGreaterThan(secondStart);
    expect(late).toBeLessThan(secondReport);
  });

  it("uses no CPU while idle, and is reclaimed after idleTimeoutMs without a process or cgroup left", async () => {
    // Prepare: a background interval that spins 5 ms of every 10 (half a core while it runs).
    const lambda = await emulator({ cpuScaling, idleTimeoutMs: 2_000 });
    const { pid } = okPayload(
      await lambda.invoke({
        functionName: "background",
        payload: '{"action":"start","everyMs":10,"busyMs":5}',
      }),
    ) as { pid: number };

    // Act: 1 s idle, the environment's CPU (every thread) read before and after.
    const cpuBeforeMs = processCpuMs(pid);
    await sleep(1_000);
    const idleCpuMs = processCpuMs(pid) - cpuBeforeMs;

    // Assess: nothing ran (without freezing, at least 70 ms even at a 1,024 MB quota on a busy host: ~580 idle).
    expect(idleCpuMs).toBeLessThan(5);
    // Reclaimed while frozen: the process dies, its cgroups go.
    await until(() => lambda.environmentCount === 0, "the idle environment is reclaimed");
    await until(() => !processAlive(pid), "the reclaimed process is gone");
    await until(() => ownCgroupDirs().length === 0, "its cgroups are removed");
  });

  it("is not frozen when an invocation takes it in the turn it comes back, as a runtime that finds its next event waiting", async () => {
    // Prepare: one warm environment.
    const lambda = await emulator({ cpuScaling });
    const invoke = () => lambda.invoke({ functionName: "background", payload: '{"action":"noop"}' });
    okPayload(await invoke());
    await until(() => lambda.freezes === 1, "the warm environment is frozen once idle");

    // Act: back to back, each invocation started as soon as the previous one resolves (a queue of events).
    for (let i = 0; i < 20; i++) okPayload(await invoke());
    const freezesRightAfter = lambda.freezes;
    await until(
      () => lambda.freezes === freezesRightAfter + 1,
      "the environment is frozen once the queue is empty",
    );

    // Assess: one environment, thawed for the first, frozen again only when nothing waited: no freeze between.
    expect(lambda.environmentCount).toBe(1);
    expect(freezesRightAfter).toBe(1);
  });

  it("leaves the time it sat frozen out of the next invocation and its timeout; a timeout still kills it", async () => {
    // Prepare: Timeout 1 s; an interval ticking every 10 ms left running.
    const logs = new MemoryLogSink();
    const lambda = await emulator({ cpuScaling, logSink: logs }, 1);
    const { pid } = okPayload(
      await lambda.invoke({ functionName: "background", payload: '{"action":"start","everyMs":10}' }),
    ) as { pid: number };

    // Act: idle 1.5 s, longer than the Timeout; then a short invocation; then one past its Timeout.
    const idleFromMs = Date.now();
    await sleep(1_500);
    const idleToMs = Date.now();
    const quick = await lambda.invoke({ functionName: "background", payload: '{"waitMs":50}' });
    const slow = await lambda.invoke({ functionName: "background", payload: '{"waitMs":3000}' });

    // Assess: the short one ran in its own ~50 ms, its ticks none from the idle spell.
    const ticks = okPayload(quick)["ticks"] as number[];
    expect(ticks.filter((at) => at > idleFromMs && at < idleToMs)).toEqual([]);
    const reports = logs
      .messages("/aws/lambda/background")
      .map((line) => parseReportLine(line))
      .filter((report) => report !== null);
    expect(reports[1]?.durationMs).toBeLessThan(1_000);
    expect(reports[1]?.status).toBeUndefined();
    // The slow one timed out at its Timeout, and its environment was killed.
    expect(slow.status).toBe("function-error");
    expect(reports[2]?.status).toBe("timeout");
    expect(reports[2]?.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(reports[2]?.durationMs).toBeLessThan(2_500);
    await until(() => !processAlive(pid), "the timed-out environment is gone");
    // The next invocation starts a fresh environment.
    const again = okPayload(await lambda.invoke({ functionName: "background", payload: "{}" }));
    expect(again["pid"]).not.toBe(pid);
  });
});

describe("frozen environments of an emulator that went without close()", () => {
  it("die with it when it exits (its exit hook thaws them)", async () => {
    const run = await startScript("stage/lambda/test-support/leave-frozen.ts", ["exit"], {
      timeoutMs: 60_000,
    }).done;
    const pid = Number(/^pid (\d+)/m.exec(run.stdout)?.[1]);
    expect(run.code, run.stderr).toBe(0);
    expect(pid).toBeGreaterThan(0);
    await until(() => !processAlive(pid), "the frozen environment of the exited emulator is gone");
  });

  it.skipIf(!cgroupsHere)(
    "are killed by the next emulator's start when it was killed (a frozen group of a dead owner)",
    async () => {
      // Prepare: an emulator killed by SIGKILL (no hook runs) with one environment frozen in its cgroup.
      const run = await startScript("stage/lambda/test-support/leave-frozen.ts", ["sigkill"], {
        timeoutMs: 60_000,
      }).done;
      const pid = Number(/^pid (\d+)/m.exec(run.stdout)?.[1]);
      expect(pid, run.stderr).toBeGreaterThan(0);
      const cpuBeforeMs = processCpuMs(pid);
      await sleep(300);
      // Still there and frozen: its background interval (half a core) does not run.
      expect(processAlive(pid)).toBe(true);
      expect(processCpuMs(pid) - cpuBeforeMs).toBeLessThan(5);

      // Act: a new emulator's cgroup detection (it removes what dead emulators left).
      detectCgroups();

      // Assess: the orphan is gone.
      await until(() => !processAlive(pid), "the orphaned frozen environment is gone");
    },
  );
});
