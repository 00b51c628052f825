import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntilUpdated } from "../../test/support/wait.ts";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import { LocalLambda } from "./local-lambda.ts";
import { MemoryLogSink, MemoryMetricSink, TEST_FUNCTIONS_DIR } from "./test-support/memory-sinks.ts";

const metrics = new MemoryMetricSink();
const logs = new MemoryLogSink();
let lambda: LocalLambda;

beforeAll(async () => {
  lambda = new LocalLambda({ metricSink: metrics, logSink: logs, updateDelayMs: 20 });
  const code = { LocalPath: TEST_FUNCTIONS_DIR };
  await lambda.createFunction({
    FunctionName: "echo",
    Handler: "echo.handler",
    Code: code,
    Environment: { Variables: { GREETING: "hello" } },
  });
  await lambda.createFunction({ FunctionName: "throws", Handler: "throws.handler", Code: code });
  await lambda.createFunction({
    FunctionName: "json",
    Handler: "json-logger.handler",
    Code: code,
    LoggingConfig: { LogFormat: "JSON" },
  });
  await lambda.createFunction({ FunctionName: "broken", Handler: "init-fails.handler", Code: code });
});

afterAll(async () => {
  await lambda.close();
});

function okPayload(outcome: Awaited<ReturnType<LocalLambda["invoke"]>>): Record<string, unknown> {
  if (outcome.status !== "ok") throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.payload) as Record<string, unknown>;
}

const reportsOf = (group: string) =>
  logs
    .messages(group)
    .map((line) => parseReportLine(line))
    .filter((report) => report !== null);

describe("LocalLambda invocations", () => {
  it("cold starts once, then reuses the warm environment; Init Duration only on the first REPORT", async () => {
    const first = await lambda.invoke({ functionName: "echo", payload: '{"n":1}' });
    const second = await lambda.invoke({ functionName: "echo", payload: '{"n":2}', logTail: true });
    const a = okPayload(first);
    const b = okPayload(second);
    expect(a["event"]).toEqual({ n: 1 });
    expect(b["pid"]).toBe(a["pid"]);
    expect(lambda.environmentCount).toBe(1);
    expect(b).toMatchObject({
      functionName: "echo",
      functionVersion: "$LATEST",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:echo",
      memoryLimitInMB: "128",
      env: {
        AWS_LAMBDA_FUNCTION_NAME: "echo",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_REGION: "us-east-1",
        AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/echo",
        GREETING: "hello",
      },
    });
    expect(b["requestId"]).toBe(second.status === "ok" ? second.requestId : "");
    expect(b["remainingMs"]).toBeGreaterThan(0);
    expect(b["remainingMs"]).toBeLessThanOrEqual(3000);

    const streams = logs.streamNames("/aws/lambda/echo");
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatch(/^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/);
    expect((b["env"] as Record<string, string>)["AWS_LAMBDA_LOG_STREAM_NAME"]).toBe(streams[0]);

    const reports = reportsOf("/aws/lambda/echo");
    expect(reports).toHaveLength(2);
    expect(reports[0]?.initDurationMs).toBeGreaterThan(0);
    expect(reports[1]?.initDurationMs).toBeUndefined();
    for (const report of reports) {
      expect(report.memorySizeMb).toBe(128);
      expect(report.maxMemoryUsedMb).toBeGreaterThan(10);
      expect(report.maxMemoryUsedMb).toBeLessThanOrEqual(128);
      // Billed from the unrounded durations: at most one rounding step above the shown figures' sum.
      const shownSum = (report.durationMs ?? 0) + (report.initDurationMs ?? 0);
      expect(report.billedDurationMs).toBeGreaterThanOrEqual(Math.max(1, Math.ceil(shownSum - 1e-9)));
      expect(report.billedDurationMs).toBeLessThanOrEqual(Math.max(1, Math.ceil(shownSum + 0.01)));
    }

    const messages = logs.messages("/aws/lambda/echo");
    const requestId = first.status === "ok" ? first.requestId : "";
    expect(messages[0]).toMatch(/^INIT_START Runtime Version: nodejs:/);
    expect(messages[1]).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(messages[2]).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${requestId}\\tINFO\\techo \\{"n":1\\}$`),
    );
    expect(messages[3]).toBe(`END RequestId: ${requestId}`);
    expect(messages[4]).toMatch(
      new RegExp(
        `^REPORT RequestId: ${requestId}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t$`,
      ),
    );

    if (second.status !== "ok") throw new Error("second invocation failed");
    expect(second.logTail?.split("\n")[0]).toBe(`START RequestId: ${second.requestId} Version: $LATEST`);
    expect(second.logTail).toMatch(/REPORT RequestId: .*\t\n$/);

    // Unqualified: {FunctionName} and {FunctionName, Resource}; ExecutedVersion applies to alias invocations.
    const resource = { FunctionName: "echo", Resource: "echo" };
    expect(metrics.values("Invocations", { FunctionName: "echo" })).toEqual([1, 1]);
    expect(metrics.values("Errors", resource)).toEqual([0, 0]);
    expect(metrics.values("Duration", resource)).toHaveLength(2);
    expect(metrics.data.filter((d) => d.dimensions["ExecutedVersion"] !== undefined)).toEqual([]);
    expect(metrics.values("ConcurrentExecutions", { FunctionName: "echo" })).toEqual([1, 1]);
  });

  it("times Init Duration from the environment's start: the runtime's boot and the handler's import", async () => {
    await lambda.createFunction({
      FunctionName: "boot",
      Handler: "boot-clock.handler",
      Code: { LocalPath: TEST_FUNCTIONS_DIR },
    });
    const outcome = await lambda.invoke({ functionName: "boot", payload: "{}", logTail: true });
    const { loadedAfterProcessStartMs, runQueueWaitAtLoadMs } = okPayload(outcome) as {
      loadedAfterProcessStartMs: number;
      runQueueWaitAtLoadMs: number;
    };
    const tail = outcome.status === "ok" ? (outcome.logTail ?? "") : "";
    const report = parseReportLine(tail.replace(/\n$/, "").split("\n").at(-1) ?? "");
    // INIT began before the process existed and ended after the module loaded, so it spans the process's
    // life up to that load (Node's boot, tens of ms) less the runtime's wait for "init" after "ready" (the
    // emulator's latency, under a ms here) and less the time it waited for the host's CPU (other processes').
    // Timing the handler import alone would give about 1 ms.
    expect(loadedAfterProcessStartMs).toBeGreaterThan(0);
    expect(report?.initDurationMs).toBeGreaterThanOrEqual(
      (loadedAfterProcessStartMs - runQueueWaitAtLoadMs) * 0.5,
    );
  });

  it("leaves the emulator's own latency out of Init Duration (its event loop blocked during a cold start)", async () => {
    await lambda.createFunction({
      FunctionName: "boot-busy",
      Handler: "boot-clock.handler",
      Code: { LocalPath: TEST_FUNCTIONS_DIR },
    });
    const pending = lambda.invoke({ functionName: "boot-busy", payload: "{}", logTail: true });
    // Past the spawn (the runtime bundle is built already, so invoke reaches it within microtasks), the
    // environment boots and says "ready" while this process cannot answer for 1.5 s.
    await new Promise((resolve) => setImmediate(resolve));
    const blockedUntil = Date.now() + 1500;
    while (Date.now() < blockedUntil) {
      // busy: the parent's event loop is stalled
    }
    const outcome = await pending;
    const tail = outcome.status === "ok" ? (outcome.logTail ?? "") : "";
    const report = parseReportLine(tail.replace(/\n$/, "").split("\n").at(-1) ?? "");
    expect(report?.initDurationMs).toBeGreaterThan(0);
    // Boot and import take tens of ms; with the stall counted it would be over 1,400.
    expect(report?.initDurationMs).toBeLessThan(1000);
  });

  it("reports a thrown error as an Unhandled function error with Lambda's payload and log line", async () => {
    const outcome = await lambda.invoke({ functionName: "throws", payload: "{}" });
    expect(outcome).toMatchObject({
      status: "function-error",
      functionError: "Unhandled",
      executedVersion: "$LATEST",
    });
    if (outcome.status !== "function-error") throw new Error("unreachable");
    const payload = JSON.parse(outcome.payload) as {
      errorType: string;
      errorMessage: string;
      trace: string[];
    };
    expect(payload.errorType).toBe("TypeError");
    expect(payload.errorMessage).toBe("boom: the test function always throws");
    expect(payload.trace[0]).toBe("TypeError: boom: the test function always throws");
    const errorLine = logs.messages("/aws/lambda/throws").find((line) => line.includes("\tERROR\t"));
    expect(errorLine).toContain(`\t${outcome.requestId}\tERROR\tInvoke Error \t{"errorType":"TypeError"`);
    expect(metrics.values("Errors", { FunctionName: "throws" })).toEqual([1]);
    // The environment survives a handled throw and is reused.
    await lambda.invoke({ functionName: "throws", payload: "{}" });
    expect(logs.streamNames("/aws/lambda/throws")).toHaveLength(1);
  });

  it("writes the JSON log format: platform records, raw JSON lines as is, console lines as JSON", async () => {
    const outcome = await lambda.invoke({ functionName: "json", payload: '{"id":7}' });
    expect(outcome.status).toBe("ok");
    const lines = logs
      .messages("/aws/lambda/json")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l["type"] ?? l["message"])).toEqual([
      "platform.initStart",
      "platform.start",
      "structured",
      "plain",
      "platform.report",
    ]);
    expect(lines[2]).toEqual({ level: "INFO", message: "structured", id: 7 });
    expect(lines[3]).toMatchObject({
      level: "INFO",
      requestId: outcome.status === "ok" ? outcome.requestId : "",
    });
    const report = reportsOf("/aws/lambda/json")[0];
    expect(report).toMatchObject({ format: "json", memorySizeMb: 128, status: "success" });
    expect(report?.initDurationMs).toBeGreaterThan(0);
  });

  it("routes an alias to its version, and each version runs with its own memory size", async () => {
    await lambda.publishVersion("echo", {});
    await lambda.updateFunctionConfiguration("echo", { MemorySize: 512 });
    await waitUntilUpdated(lambda, "echo");
    await lambda.publishVersion("echo", {});
    await lambda.createAlias("echo", { Name: "live", FunctionVersion: "1" });

    const viaAlias = await lambda.invoke({ functionName: "echo", qualifier: "live", payload: "{}" });
    expect(viaAlias).toMatchObject({ status: "ok", executedVersion: "1" });
    expect(okPayload(viaAlias)).toMatchObject({
      memoryLimitInMB: "128",
      functionVersion: "1",
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:echo:live",
    });
    expect(
      okPayload(await lambda.invoke({ functionName: "echo", qualifier: "2", payload: "{}" })),
    ).toMatchObject({
      memoryLimitInMB: "512",
      functionVersion: "2",
    });
    // $LATEST got new environments with the new configuration.
    expect(okPayload(await lambda.invoke({ functionName: "echo", payload: "{}" }))["memoryLimitInMB"]).toBe(
      "512",
    );

    await lambda.updateAlias("echo", "live", { FunctionVersion: "2" });
    const moved = await lambda.invoke({ functionName: "echo", qualifier: "live", payload: "{}" });
    expect(moved).toMatchObject({ status: "ok", executedVersion: "2" });
    expect(logs.streamNames("/aws/lambda/echo").some((s) => s.includes("[2]"))).toBe(true);
    // Through the alias: also {FunctionName, Resource, ExecutedVersion}, one series per version behind it.
    const aliasDims = { FunctionName: "echo", Resource: "echo:live", ExecutedVersion: "2" };
    expect(metrics.values("Invocations", aliasDims)).toEqual([1]);
    expect(metrics.values("Invocations", { ...aliasDims, ExecutedVersion: "1" })).toEqual([1]);
    expect(metrics.values("Invocations", { FunctionName: "echo", Resource: "echo:live" })).toEqual([1, 1]);
    // A version invoked directly: {FunctionName, Resource} only, as AWS publishes it.
    const versionDims = { FunctionName: "echo", Resource: "echo:2" };
    expect(metrics.values("Invocations", versionDims)).toEqual([1]);
    expect(metrics.values("Duration", versionDims)).toHaveLength(1);
    expect(metrics.values("Invocations", { ...versionDims, ExecutedVersion: "2" })).toEqual([]);
  });

  it("fails an invocation whose INIT throws, as Lambda does, and discards that environment", async () => {
    const outcome = await lambda.invoke({ functionName: "broken", payload: "{}" });
    expect(outcome).toMatchObject({ status: "function-error", functionError: "Unhandled" });
    if (outcome.status !== "function-error") throw new Error("unreachable");
    expect(JSON.parse(outcome.payload)).toMatchObject({
      errorType: "Error",
      errorMessage: "init failed on purpose",
    });
    expect(logs.messages("/aws/lambda/broken").some((l) => l.startsWith("INIT_REPORT Init Duration:"))).toBe(
      true,
    );
  });
});

describe("LocalLambda runtime crashes", () => {
  it("ends the invocation on an uncaught exception or unhandled rejection, then starts a fresh environment", async () => {
    await lambda.createFunction({
      FunctionName: "crashes",
      Handler: "crashes.handler",
      Code: { LocalPath: TEST_FUNCTIONS_DIR },
    });
    const thrown = await lambda.invoke({ functionName: "crashes", payload: '{"kind":"throw"}' });
    if (thrown.status !== "function-error")
      throw new Error(`expected a function error, got ${thrown.status}`);
    expect(JSON.parse(thrown.payload)).toMatchObject({
      errorType: "SyntaxError",
      errorMessage: "thrown outside the handler",
    });
    const rejected = await lambda.invoke({ functionName: "crashes", payload: '{"kind":"reject"}' });
    if (rejected.status !== "function-error")
      throw new Error(`expected a function error, got ${rejected.status}`);
    expect(JSON.parse(rejected.payload)).toMatchObject({
      errorType: "Runtime.UnhandledPromiseRejection",
      errorMessage: "RangeError: rejected and never handled",
    });
    // Each crash discarded its environment: two streams, each with an Uncaught/Unhandled line.
    expect(logs.streamNames("/aws/lambda/crashes")).toHaveLength(2);
    const messages = logs.messages("/aws/lambda/crashes");
    expect(messages.some((m) => m.includes("\tERROR\tUncaught Exception \t"))).toBe(true);
    expect(messages.some((m) => m.includes("\tERROR\tUnhandled Promise Rejection \t"))).toBe(true);
  });
});
