import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/support/wait.ts";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import { LocalLambda } from "./local-lambda.ts";
import {
  MemoryLogSink,
  MemoryMetricSink,
  ownCgroupDirs,
  processAlive,
  TEST_FUNCTIONS_DIR,
} from "./test-support/memory-sinks.ts";

const code = { LocalPath: TEST_FUNCTIONS_DIR };

async function until(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  await waitFor(() => (condition() ? true : undefined), `waiting until ${what}`, {
    timeoutMs: limitMs,
    intervalMs: 20,
  });
}

describe("LocalLambda limits", () => {
  const metrics = new MemoryMetricSink();
  const logs = new MemoryLogSink();
  let lambda: LocalLambda;

  beforeAll(async () => {
    lambda = new LocalLambda({ metricSink: metrics, logSink: logs });
    await lambda.createFunction({
      FunctionName: "sleeps",
      Handler: "sleeps.handler",
      Code: code,
      Timeout: 1,
    });
    await lambda.createFunction({ FunctionName: "allocates", Handler: "allocates.handler", Code: code });
    await lambda.createFunction({ FunctionName: "slow", Handler: "sleeps.handler", Code: code, Timeout: 5 });
  });
  afterAll(async () => {
    await lambda.close();
  });

  it("throttles invocations beyond the reserved concurrency", async () => {
    await lambda.putFunctionConcurrency("slow", 1);
    const [first, second] = await Promise.all([
      lambda.invoke({ functionName: "slow", payload: '{"sleepMs":300}' }),
      lambda.invoke({ functionName: "slow", payload: '{"sleepMs":300}' }),
    ]);
    expect(first.status).toBe("ok");
    expect(second).toEqual({ status: "throttled", message: "Rate Exceeded." });
    expect(metrics.values("Throttles", { FunctionName: "slow" })).toEqual([1]);
    expect(metrics.values("Invocations", { FunctionName: "slow" })).toEqual([1]);
    // The slot is free again once the first invocation ended.
    expect((await lambda.invoke({ functionName: "slow", payload: '{"sleepMs":1}' })).status).toBe("ok");
    await lambda.putFunctionConcurrency("slow", 0);
    expect((await lambda.invoke({ functionName: "slow", payload: "{}" })).status).toBe("throttled");
  });

  it("kills an invocation past its Timeout and reports it as Lambda does", async () => {
    const outcome = await lambda.invoke({ functionName: "sleeps", payload: "{}", logTail: true });
    expect(outcome).toMatchObject({ status: "function-error", functionError: "Unhandled" });
    if (outcome.status !== "function-error") throw new Error("unreachable");
    expect(JSON.parse(outcome.payload)).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: `RequestId: ${outcome.requestId} Error: Task timed out after 1.00 seconds`,
    });
    const lines = outcome.logTail?.replace(/\n$/, "").split("\n") ?? [];
    expect(lines.some((l) => l.endsWith(`\tINFO\tgoing to sleep`))).toBe(true);
    expect(lines.at(-3)).toMatch(
      new RegExp(
        `^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${outcome.requestId} Task timed out after 1\\.\\d\\d seconds$`,
      ),
    );
    expect(lines.at(-2)).toBe(`END RequestId: ${outcome.requestId}`);
    const report = parseReportLine(lines.at(-1) ?? "");
    expect(report?.durationMs).toBeGreaterThanOrEqual(1000);
    // Billed its 1 s timeout (plus its INIT: a cold start), not the Duration measured past it. The REPORT
    // shows Init Duration to 2 decimals, so the bill is within one rounding step of 1000 + that figure.
    const initMs = report?.initDurationMs ?? 0;
    expect(report?.billedDurationMs).toBeGreaterThanOrEqual(Math.ceil(1000 + initMs - 0.005));
    expect(report?.billedDurationMs).toBeLessThanOrEqual(Math.ceil(1000 + initMs + 0.005));
    expect(lines.at(-1)).toContain("\tStatus: timeout\t");
    expect(metrics.values("Errors", { FunctionName: "sleeps" })).toEqual([1]);
    // The environment was discarded: the next invocation starts a new one.
    await lambda.invoke({ functionName: "sleeps", payload: '{"sleepMs":1}' });
    expect(logs.streamNames("/aws/lambda/sleeps")).toHaveLength(2);
  });

  it("fails an invocation that exceeds the memory size with Runtime.OutOfMemory", async () => {
    const outcome = await lambda.invoke({ functionName: "allocates", payload: "{}", logTail: true });
    expect(outcome).toMatchObject({ status: "function-error", functionError: "Unhandled" });
    if (outcome.status !== "function-error") throw new Error("unreachable");
    const payload = JSON.parse(outcome.payload) as { errorType: string; errorMessage: string };
    expect(payload.errorType).toBe("Runtime.OutOfMemory");
    const signal = lambda.cpuScaling.mode === "none" ? "signal: [a-z]+" : "signal: killed";
    expect(payload.errorMessage).toMatch(
      new RegExp(`^RequestId: ${outcome.requestId} Error: Runtime exited with error: ${signal}`),
    );
    const report = outcome.logTail?.replace(/\n$/, "").split("\n").at(-1) ?? "";
    expect(parseReportLine(report)).toMatchObject({ memorySizeMb: 128, maxMemoryUsedMb: 128 });
    expect(report).toContain("\tStatus: error\tError Type: Runtime.OutOfMemory\t");
    // A small allocation works again in a fresh environment.
    const retry = await lambda.invoke({ functionName: "allocates", payload: '{"limitMb":8}' });
    expect(retry.status).toBe("ok");
  });
});

describe("LocalLambda environment lifecycle", () => {
  it("reclaims idle environments after idleTimeoutMs", async () => {
    const lambda = new LocalLambda({
      metricSink: new MemoryMetricSink(),
      logSink: new MemoryLogSink(),
      idleTimeoutMs: 200,
    });
    try {
      await lambda.createFunction({ FunctionName: "echo", Handler: "echo.handler", Code: code });
      const outcome = await lambda.invoke({ functionName: "echo", payload: "{}" });
      if (outcome.status !== "ok") throw new Error(JSON.stringify(outcome));
      const pid = (JSON.parse(outcome.payload) as { pid: number }).pid;
      expect(processAlive(pid)).toBe(true);
      await until(() => lambda.environmentCount === 0, "the idle environment is reclaimed");
      await until(() => !processAlive(pid), "the reclaimed process is gone");
    } finally {
      await lambda.close();
    }
  });

  it("close() during a cold start kills the environment still initialising", async () => {
    const lambda = new LocalLambda({ metricSink: new MemoryMetricSink(), logSink: new MemoryLogSink() });
    await lambda.createFunction({ FunctionName: "slowinit", Handler: "slow-init.handler", Code: code });
    const outcome = lambda.invoke({ functionName: "slowinit", payload: "{}" });
    await until(() => lambda.environmentCount === 1, "the environment is spawned");
    const pids = lambda.environmentPids();
    await lambda.close();
    expect(pids.filter((pid) => processAlive(pid))).toEqual([]);
    expect((await outcome).status).toBe("function-error");
  });

  it("keeps at most maxIdleEnvironments idle, evicting the least recently used", async () => {
    const lambda = new LocalLambda({
      metricSink: new MemoryMetricSink(),
      logSink: new MemoryLogSink(),
      maxIdleEnvironments: 2,
    });
    try {
      await lambda.createFunction({
        FunctionName: "slow",
        Handler: "sleeps.handler",
        Code: code,
        Timeout: 5,
      });
      const outcomes = await Promise.all(
        [1, 2, 3].map(() => lambda.invoke({ functionName: "slow", payload: '{"sleepMs":100}' })),
      );
      expect(outcomes.map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
      await until(() => lambda.environmentCount === 2, "the third idle environment is evicted");
    } finally {
      await lambda.close();
    }
  });

  it("close() leaves no child processes and no cgroups", async () => {
    const lambda = new LocalLambda({ metricSink: new MemoryMetricSink(), logSink: new MemoryLogSink() });
    await lambda.createFunction({ FunctionName: "slow", Handler: "sleeps.handler", Code: code, Timeout: 5 });
    const running = Promise.all(
      [1, 2, 3].map(() => lambda.invoke({ functionName: "slow", payload: '{"sleepMs":100}' })),
    );
    expect((await running).map((o) => o.status)).toEqual(["ok", "ok", "ok"]);
    const pids = lambda.environmentPids();
    expect(pids).toHaveLength(3);
    if (lambda.cpuScaling.mode !== "none") expect(ownCgroupDirs().length).toBeGreaterThanOrEqual(3);
    // One invocation still running when close() comes.
    const inFlight = lambda.invoke({ functionName: "slow", payload: '{"sleepMs":4000}' });
    await until(() => lambda.environmentCount === 3 && lambda.environmentPids().length === 3, "busy");
    await lambda.close();
    expect(pids.filter((pid) => processAlive(pid))).toEqual([]);
    expect(ownCgroupDirs()).toEqual([]);
    expect(lambda.environmentCount).toBe(0);
    expect((await inFlight).status).toBe("function-error");
  });
});

describe("LocalLambda without cgroups (cpuScaling off)", () => {
  it("still enforces the memory size by watching the RSS, and Lambda's payload limits", async () => {
    const lambda = new LocalLambda({
      metricSink: new MemoryMetricSink(),
      logSink: new MemoryLogSink(),
      cpuScaling: "off",
    });
    try {
      expect(lambda.cpuScaling).toEqual({
        mode: "none",
        reason: 'CPU scaling was turned off (cpuScaling: "off")',
      });
      await lambda.createFunction({ FunctionName: "allocates", Handler: "allocates.handler", Code: code });
      await lambda.createFunction({ FunctionName: "big", Handler: "big-response.handler", Code: code });
      const oom = await lambda.invoke({ functionName: "allocates", payload: "{}" });
      expect(oom).toMatchObject({ status: "function-error", functionError: "Unhandled" });
      if (oom.status !== "function-error") throw new Error("unreachable");
      expect(JSON.parse(oom.payload)).toEqual({
        errorType: "Runtime.OutOfMemory",
        errorMessage: `RequestId: ${oom.requestId} Error: Runtime exited with error: signal: killed`,
      });

      const big = await lambda.invoke({ functionName: "big", payload: "{}" });
      if (big.status !== "function-error") throw new Error(`expected a function error, got ${big.status}`);
      expect(JSON.parse(big.payload)).toMatchObject({ errorType: "Function.ResponseSizeTooLarge" });
      expect((await lambda.invoke({ functionName: "big", payload: '{"bytes":10}' })).status).toBe("ok");

      const tooLarge = JSON.stringify({ data: "y".repeat(6 * 1024 * 1024) });
      await expect(lambda.invoke({ functionName: "big", payload: tooLarge })).rejects.toMatchObject({
        code: "RequestTooLargeException",
        statusCode: 413,
      });
    } finally {
      await lambda.close();
    }
    await expect(lambda.invoke({ functionName: "big", payload: "{}" })).rejects.toMatchObject({
      code: "ServiceException",
    });
  });
});
