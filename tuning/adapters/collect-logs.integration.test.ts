/**
 * The fault counts of a setting's logs: timeouts and out-of-memory kills are on each invocation's REPORT in both
 * log formats (text `Status:`/`Error Type:`, JSON status/errorType), and on Lambda's own text fault lines where
 * it writes them. Either source counts, and a fault on both is counted once. Real parts: the CloudWatch Logs
 * emulation's store and endpoint, read through the real SDK client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsEndpoint, startAwsEndpoint } from "../../stage/aws-api/endpoint.ts";
import { localClients } from "../../stage/aws-api/test-support/clients.ts";
import { LogStore } from "../../stage/cloudwatch/log-store.ts";
import { MetricStore } from "../../stage/cloudwatch/metric-store.ts";
import { LocalLambda } from "../../stage/lambda/local-lambda.ts";
import { type CollectTarget, collectLogs } from "./collect.ts";
import { cloudwatchAgrees, collectInvocationLogs, WINDOW_SLACK_MS } from "./collect-invocations.ts";

const GROUP = "/aws/lambda/crud";
const target: CollectTarget = {
  functionName: "crud",
  alias: "live",
  version: "3",
  apiName: "api",
  apiStageName: "prod",
};
const logs = new LogStore();
let lambda: LocalLambda;
let endpoint: AwsEndpoint;
let clients: ReturnType<typeof localClients>;
const t0 = Date.now() - 60_000;

const jsonReport = (requestId: string, status: string, errorType?: string) =>
  JSON.stringify({
    time: new Date(t0).toISOString(),
    type: "platform.report",
    record: {
      requestId,
      metrics: { durationMs: 1000.5, billedDurationMs: 1000, memorySizeMB: 128, maxMemoryUsedMB: 128 },
      status,
      ...(errorType ? { errorType } : {}),
    },
  });
const textReport = (requestId: string, tail: string) =>
  `REPORT RequestId: ${requestId}\tDuration: 1003.35 ms\tBilled Duration: 1000 ms\tMemory Size: 128 MB\tMax Memory Used: 60 MB\t${tail}`;

beforeAll(async () => {
  // JSON log format: faults only on the platform.report records (no text fault lines).
  logs.append(GROUP, "2026/11/27/[3]aaaa", [
    { timestampMs: t0, message: jsonReport("j1", "timeout") },
    { timestampMs: t0 + 1, message: jsonReport("j2", "error", "Runtime.OutOfMemory") },
    { timestampMs: t0 + 2, message: jsonReport("j3", "success") },
  ]);
  // Text log format: the fault line and the REPORT's Status field both tell of one timeout.
  logs.append(GROUP, "2026/11/27/[3]bbbb", [
    { timestampMs: t0 + 3, message: `${new Date(t0).toISOString()} t1 Task timed out after 1.00 seconds` },
    { timestampMs: t0 + 4, message: textReport("t1", "Status: timeout") },
    // Out of memory as the emulator writes it: the exit line names Runtime.OutOfMemory, so does the REPORT.
    {
      timestampMs: t0 + 5,
      message: "RequestId: t2 Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory",
    },
    { timestampMs: t0 + 6, message: textReport("t2", "Status: error\tError Type: Runtime.OutOfMemory") },
    // Out of memory as AWS writes it: the exit line says Runtime.ExitError; only the REPORT says out of memory.
    {
      timestampMs: t0 + 7,
      message: "RequestId: t3 Error: Runtime exited with error: signal: killed\nRuntime.ExitError",
    },
    { timestampMs: t0 + 8, message: textReport("t3", "Status: error\tError Type: Runtime.OutOfMemory") },
    // A runtime that exited on its own.
    {
      timestampMs: t0 + 9,
      message: "RequestId: t4 Error: Runtime exited with error: exit status 1\nRuntime.ExitError",
    },
    { timestampMs: t0 + 10, message: textReport("t4", "Status: error\tError Type: Runtime.ExitError") },
  ]);
  // A load window of version 5 at t0 + 100 000 .. t0 + 104 000: two measured invocations (m1, m2), and two other
  // invocations of the version while it ran (o1, o2: not measured, as a client's retry would be), and one
  // well before the window (o0) and one well after it (o3).
  const w = t0 + 100_000;
  logs.append(GROUP, "2026/11/27/[5]dddd", [
    { timestampMs: w - 5_000, message: textReport("o0", "") },
    // in the second read before the window (for the count of all invocations): not this window's log bytes
    { timestampMs: w - 500, message: "INIT_START Runtime Version: nodejs:22.v1" },
    { timestampMs: w + 500, message: textReport("m1", "") },
    { timestampMs: w + 900, message: textReport("o1", "") },
    { timestampMs: w + 2_000, message: textReport("m2", "") },
    { timestampMs: w + 3_000, message: jsonReport("o2", "success") },
    { timestampMs: w + 4_000 + WINDOW_SLACK_MS + 5_000, message: textReport("o3", "") },
  ]);
  // Another version's stream: not this setting's.
  logs.append(GROUP, "2026/11/27/[4]cccc", [{ timestampMs: t0 + 5, message: jsonReport("x1", "timeout") }]);
  lambda = new LocalLambda({ metricSink: new MetricStore(), logSink: logs, cpuScaling: "off" });
  endpoint = await startAwsEndpoint({ lambda, metrics: new MetricStore(), logs });
  clients = localClients(endpoint.url);
});

afterAll(async () => {
  clients?.destroy();
  await endpoint?.close();
  await lambda?.close();
});

describe("collectLogs fault counts", () => {
  it("counts faults from the REPORTs of both formats, once each", async () => {
    const findings = await collectLogs(clients.logs, target, { startMs: t0 - 1000, endMs: t0 + 1000 });
    expect(findings.reports).toHaveLength(7);
    expect(findings.reports.find((r) => r.requestId === "t1")).toMatchObject({
      format: "text",
      status: "timeout",
    });
    expect(findings.reports.find((r) => r.requestId === "j2")).toMatchObject({
      status: "error",
      errorType: "Runtime.OutOfMemory",
    });
    expect(findings.timeouts).toBe(2);
    expect(findings.outOfMemory).toBe(3);
    expect(findings.runtimeExits).toBe(1);
  });
});

// issue 19 audit: a clean quick run said "CloudWatch disagrees" (85 vs 80) at every setting: CloudWatch counts
// every invocation of the version in the window, the measured REPORT lines only the measured ones.
describe("collectInvocationLogs: what CloudWatch's count of the window is compared with", () => {
  const window = { startMs: t0 + 100_000, endMs: t0 + 104_000 };
  const v5 = { ...target, version: "5" };

  it("prices the measured invocations only, and counts every invocation of the version in the window", async () => {
    const found = await collectInvocationLogs(clients.logs, v5, window, new Set(["m1", "m2"]), ["5"]);
    expect(found.reports.map((r) => r.requestId)).toEqual(["m1", "m2"]);
    expect(found.window).toEqual({ measuredReports: 2, allReports: 4 });
    expect(found.unattributed).toEqual({ events: 0, bytes: 0 });
  });

  it("agrees with CloudWatch's 4 (2 measured + 2 others), flags lost measured invocations or 5 unaccounted for", async () => {
    const found = await collectInvocationLogs(clients.logs, v5, window, new Set(["m1", "m2"]), ["5"]);
    expect(cloudwatchAgrees(4, found.window, "local")).toBe(true);
    expect(cloudwatchAgrees(2, found.window, "local")).toBe(true);
    expect(cloudwatchAgrees(1, found.window, "local")).toBe(false);
    expect(cloudwatchAgrees(5, found.window, "local")).toBe(false);
  });
});
