/**
 * The CloudWatch adapter reads AWS/Lambda metrics under the dimension set Lambda publishes for the way the
 * load invoked the function: through the alias (the API Gateway path) or a version directly (direct mode).
 * Real processes: the Lambda emulator with its execution environments, the AWS endpoint, the real
 * CloudWatch SDK client.
 */

import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsEndpoint, startAwsEndpoint } from "../../stage/aws-api/endpoint.ts";
import { LogStore } from "../../stage/cloudwatch/log-store.ts";
import { MetricStore } from "../../stage/cloudwatch/metric-store.ts";
import { LocalLambda } from "../../stage/lambda/local-lambda.ts";
import { TEST_FUNCTIONS_DIR } from "../../stage/lambda/test-support/memory-sinks.ts";
import { sleep } from "../../test/support/wait.ts";
import { type CollectTarget, collectLambdaMetrics, lambdaDimensions, type Window } from "./collect.ts";

const metrics = new MetricStore();
let lambda: LocalLambda;
let endpoint: AwsEndpoint;
let cloudwatch: CloudWatchClient;
let window: Window;

const target: CollectTarget = {
  functionName: "echo",
  alias: "bench",
  version: "1",
  apiName: "api",
  apiStageName: "prod",
};

async function invoke(qualifier: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const outcome = await lambda.invoke({ functionName: "echo", qualifier, payload: "{}" });
    if (outcome.status !== "ok") throw new Error(`echo:${qualifier} failed: ${JSON.stringify(outcome)}`);
  }
}

beforeAll(async () => {
  lambda = new LocalLambda({
    metricSink: metrics,
    logSink: new LogStore(),
    cpuScaling: "off",
    updateDelayMs: 10,
  });
  endpoint = await startAwsEndpoint({ lambda, metrics, logs: new LogStore() });
  cloudwatch = new CloudWatchClient({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  await lambda.createFunction({
    FunctionName: "echo",
    Handler: "echo.handler",
    Code: { LocalPath: TEST_FUNCTIONS_DIR },
  });
  await lambda.publishVersion("echo", {});
  // A second version needs a change (PublishVersion of an unchanged $LATEST returns the last version).
  await lambda.updateFunctionConfiguration("echo", { MemorySize: 256 });
  for (let i = 0; i < 500; i++) {
    if ((await lambda.getFunctionConfiguration("echo"))["LastUpdateStatus"] === "Successful") break;
    await sleep(10);
  }
  await lambda.publishVersion("echo", {});
  await lambda.createAlias("echo", { Name: "bench", FunctionVersion: "1" });
  const startMs = Date.now();
  await invoke("bench", 3); // the API Gateway path: through the alias, running version 1
  await invoke("1", 2); // version 1 invoked directly
  await invoke("2", 1); // another version invoked directly
  window = { startMs, endMs: Date.now() };
}, 60_000);

afterAll(async () => {
  cloudwatch?.destroy();
  await endpoint?.close();
  await lambda?.close();
});

describe("AWS/Lambda metrics of a setting", () => {
  it("queries the alias path with ExecutedVersion and a version invoked directly without it", () => {
    expect(lambdaDimensions(target, "1", true)).toEqual({
      FunctionName: "echo",
      Resource: "echo:bench",
      ExecutedVersion: "1",
    });
    expect(lambdaDimensions(target, "7", false)).toEqual({ FunctionName: "echo", Resource: "echo:7" });
  });

  it("reads the alias path: the invocations through the alias that ran the setting's version", async () => {
    const got = await collectLambdaMetrics(cloudwatch, target, window, "exact");
    expect(got.invocations).toBe(3);
    expect(got.errors).toBe(0);
    expect(got.maxConcurrentExecutions).toBe(1);
    expect(got.durationMs.p50).toBeGreaterThan(0);
  });

  it("reads a version invoked directly under the dimensions AWS publishes for it", async () => {
    const direct = { ...target, invokesVersion: true };
    const got = await collectLambdaMetrics(cloudwatch, direct, window, "exact");
    expect(got.invocations).toBe(2);
    expect(got.maxConcurrentExecutions).toBe(1);
    expect(got.durationMs.p50).toBeGreaterThan(0);
    // Several versions in one window (only-cold-starts mode): their counts add up.
    const both = await collectLambdaMetrics(cloudwatch, direct, window, "exact", ["1", "2"]);
    expect(both.invocations).toBe(3);
  });
});
