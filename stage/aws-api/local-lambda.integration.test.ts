/**
 * End to end through the real SDK clients: the local AWS endpoint in front of the real Lambda emulator
 * (stage/lambda, execution environments as OS processes running stage/lambda/test-functions), writing into the
 * real metric and log stores. Shows invoke, LogType Tail, cold/warm REPORT lines, function errors, throttles,
 * the configure → publish → alias cycle with the waiters, and the metrics and logs a tuner reads back.
 */

import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sleep } from "../../test/support/wait.ts";
import { parseReportLine, parseReportLines } from "../../tuning/adapters/report-lines.ts";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { TEST_FUNCTIONS_DIR } from "../lambda/test-support/memory-sinks.ts";
import { type AwsEndpoint, startAwsEndpoint } from "./endpoint.ts";
import { localClients } from "./test-support/clients.ts";

const metrics = new MetricStore();
const logs = new LogStore();
let lambda: LocalLambda;
let endpoint: AwsEndpoint;
let clients: ReturnType<typeof localClients>;
const startedMs = Date.now();

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes: Uint8Array | undefined) =>
  JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
const tailOf = (logResult: string | undefined) => Buffer.from(logResult ?? "", "base64").toString("utf8");
const waiter = () => ({ client: clients.lambda, maxWaitTime: 30, minDelay: 1, maxDelay: 1 });
const code = () => ({ S3Bucket: "local", S3Key: TEST_FUNCTIONS_DIR });
const role = "arn:aws:iam::123456789012:role/local";

beforeAll(async () => {
  lambda = new LocalLambda({ metricSink: metrics, logSink: logs, cpuScaling: "off", updateDelayMs: 50 });
  endpoint = await startAwsEndpoint({ lambda, metrics, logs });
  clients = localClients(endpoint.url);
  for (const [FunctionName, Handler] of [
    ["echo", "echo.handler"],
    ["throws", "throws.handler"],
    ["sleeps", "sleeps.handler"],
  ] as const) {
    await clients.lambda.send(
      new CreateFunctionCommand({ FunctionName, Handler, Role: role, Runtime: "nodejs22.x", Code: code() }),
    );
    await waitUntilFunctionActiveV2(waiter(), { FunctionName });
  }
  // A 1 s Timeout the sleeper overruns, and 128 MB the allocator outgrows.
  for (const [FunctionName, Handler, Timeout] of [
    ["times-out", "sleeps.handler", 1],
    ["hog", "allocates.handler", 10],
  ] as const) {
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName,
        Handler,
        Timeout,
        MemorySize: 128,
        Role: role,
        Runtime: "nodejs22.x",
        Code: code(),
      }),
    );
    await waitUntilFunctionActiveV2(waiter(), { FunctionName });
  }
});
afterAll(async () => {
  clients?.destroy();
  await endpoint?.close();
  await lambda?.close();
});

describe("the endpoint in front of the real Lambda emulator", () => {
  it("invokes cold then warm: Init Duration only in the first REPORT of the Tail", async () => {
    const cold = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "echo", LogType: "Tail", Payload: encode({ n: 1 }) }),
    );
    const warm = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "echo", LogType: "Tail", Payload: encode({ n: 2 }) }),
    );
    expect(cold.StatusCode).toBe(200);
    expect(cold.ExecutedVersion).toBe("$LATEST");
    expect(decode(cold.Payload)["event"]).toEqual({ n: 1 });
    expect(decode(warm.Payload)["pid"]).toBe(decode(cold.Payload)["pid"]);
    const [coldReport] = parseReportLines(tailOf(cold.LogResult));
    const [warmReport] = parseReportLines(tailOf(warm.LogResult));
    expect(coldReport?.initDurationMs).toBeGreaterThan(0);
    expect(coldReport?.memorySizeMb).toBe(128);
    expect(warmReport?.durationMs).toBeGreaterThan(0);
    expect(warmReport?.initDurationMs).toBeUndefined();
    expect(tailOf(warm.LogResult)).toContain("echo");
    expect(Buffer.from(warm.LogResult ?? "", "base64").length).toBeLessThanOrEqual(4096);
  });

  it("reports a thrown error as FunctionError Unhandled with Lambda's error payload", async () => {
    const out = await clients.lambda.send(new InvokeCommand({ FunctionName: "throws", Payload: encode({}) }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    expect(decode(out.Payload)).toMatchObject({
      errorType: "TypeError",
      errorMessage: expect.stringContaining("boom"),
    });
  });

  it("reports a timeout as Lambda does: Sandbox.Timedout, the timed-out line, billed the timeout", async () => {
    // Warm the environment first, so the timed-out invocation's bill has no INIT in it.
    const warm = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "times-out", Payload: encode({ sleepMs: 1 }) }),
    );
    expect(warm.FunctionError).toBeUndefined();
    const out = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "times-out", LogType: "Tail", Payload: encode({ sleepMs: 5000 }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    const payload = decode(out.Payload);
    expect(Object.keys(payload).sort()).toEqual(["errorMessage", "errorType"]);
    expect(payload["errorType"]).toBe("Sandbox.Timedout");
    const requestId = /^RequestId: ([0-9a-f-]{36}) Error: Task timed out after 1\.00 seconds$/.exec(
      String(payload["errorMessage"]),
    )?.[1];
    expect(requestId, String(payload["errorMessage"])).toBeDefined();
    const lines = tailOf(out.LogResult).replace(/\n$/, "").split("\n");
    expect(lines.at(-3)).toMatch(
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${requestId} Task timed out after 1\\.\\d\\d seconds$`),
    );
    expect(lines.at(-2)).toBe(`END RequestId: ${requestId}`);
    expect(lines.at(-1)).toMatch(new RegExp(`^REPORT RequestId: ${requestId}\\t.*\\tStatus: timeout\\t$`));
    const report = parseReportLine(lines.at(-1) ?? "");
    expect(report?.durationMs).toBeGreaterThanOrEqual(1000);
    expect(report?.initDurationMs).toBeUndefined();
    // Lambda bills a timed-out invocation its timeout ("Duration: 3003.35 ms  Billed Duration: 3000 ms").
    expect(report?.billedDurationMs).toBe(1000);
  });

  it("reports an invocation past its memory size as Runtime.OutOfMemory, with the REPORT line", async () => {
    const out = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "hog", LogType: "Tail", Payload: encode({ limitMb: 1024 }) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    const payload = decode(out.Payload);
    expect(Object.keys(payload).sort()).toEqual(["errorMessage", "errorType"]);
    expect(payload["errorType"]).toBe("Runtime.OutOfMemory");
    const requestId = /^RequestId: ([0-9a-f-]{36}) Error: Runtime exited with error: signal: killed$/.exec(
      String(payload["errorMessage"]),
    )?.[1];
    expect(requestId, String(payload["errorMessage"])).toBeDefined();
    const tail = tailOf(out.LogResult);
    expect(tail).toContain(
      `RequestId: ${requestId} Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory\n`,
    );
    const report = tail.replace(/\n$/, "").split("\n").at(-1) ?? "";
    expect(report).toMatch(
      new RegExp(
        `^REPORT RequestId: ${requestId}\\t.*\\tStatus: error\\tError Type: Runtime\\.OutOfMemory\\t$`,
      ),
    );
    expect(parseReportLine(report)).toMatchObject({ memorySizeMb: 128, maxMemoryUsedMb: 128 });
  });

  it("throttles past the reserved concurrency with TooManyRequestsException (429, Reason)", async () => {
    await clients.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "sleeps", ReservedConcurrentExecutions: 1 }),
    );
    const first = clients.lambda.send(
      new InvokeCommand({ FunctionName: "sleeps", Payload: encode({ sleepMs: 1500 }) }),
    );
    // The first invocation holds the only slot while it sleeps; poll until it is running (bounded).
    let second: unknown;
    for (let attempt = 0; attempt < 50; attempt++) {
      second = await clients.lambda
        .send(new InvokeCommand({ FunctionName: "sleeps", Payload: encode({ sleepMs: 1 }) }))
        .catch((e: unknown) => e);
      if (second instanceof TooManyRequestsException) break;
      await sleep(20);
    }
    expect(second).toBeInstanceOf(TooManyRequestsException);
    expect((second as TooManyRequestsException).$metadata.httpStatusCode).toBe(429);
    expect((second as TooManyRequestsException).Reason).toBe(
      "ReservedFunctionConcurrentInvocationLimitExceeded",
    );
    expect(decode((await first).Payload)).toEqual({ slept: true });
  });

  it("configures memory, publishes, aliases; versions keep their memory; metrics and logs read back", async () => {
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "echo", MemorySize: 256 }),
    );
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: "echo" });
    const v1 = await clients.lambda.send(new PublishVersionCommand({ FunctionName: "echo" }));
    await waitUntilPublishedVersionActive(waiter(), { FunctionName: "echo", Qualifier: v1.Version });
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "echo", MemorySize: 512 }),
    );
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: "echo" });
    await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: "echo", Name: "bench", FunctionVersion: v1.Version }),
    );
    const version = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "echo", Qualifier: "bench" }),
    );
    expect(version.MemorySize).toBe(256);

    const windowStartMs = Date.now();
    for (let i = 0; i < 3; i++) {
      const out = await clients.lambda.send(
        new InvokeCommand({ FunctionName: "echo", Qualifier: "bench", Payload: encode({ i }) }),
      );
      expect(out.ExecutedVersion).toBe(v1.Version);
      expect(decode(out.Payload)["memoryLimitInMB"]).toBe("256");
    }
    const windowEndMs = Date.now() + 1;

    const dims = [
      { Name: "FunctionName", Value: "echo" },
      { Name: "Resource", Value: "echo:bench" },
      { Name: "ExecutedVersion", Value: v1.Version ?? "" },
    ];
    const period = Math.ceil((windowEndMs - windowStartMs) / 1000);
    const got = await clients.cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(windowStartMs),
        EndTime: new Date(windowStartMs + period * 1000),
        MetricDataQueries: [
          {
            Id: "inv",
            MetricStat: {
              Metric: { Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: dims },
              Period: period,
              Stat: "Sum",
            },
          },
          {
            Id: "p99",
            MetricStat: {
              Metric: { Namespace: "AWS/Lambda", MetricName: "Duration", Dimensions: dims },
              Period: period,
              Stat: "p99",
            },
          },
        ],
      }),
    );
    const [invocations, p99] = got.MetricDataResults ?? [];
    expect(invocations?.Values).toEqual([3]);
    expect(p99?.Values?.[0]).toBeGreaterThan(0);

    const found = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: "/aws/lambda/echo",
        filterPattern: '"REPORT RequestId"',
        startTime: startedMs,
      }),
    );
    const reports = (found.events ?? [])
      .filter((e) => e.logStreamName?.includes(`[${v1.Version}]`))
      .map((e) => parseReportLine(e.message ?? ""));
    expect(reports).toHaveLength(3);
    expect(reports.every((r) => r?.memorySizeMb === 256)).toBe(true);
    expect(reports.filter((r) => r?.initDurationMs !== undefined)).toHaveLength(1);
  });
});
