/**
 * The local stage end to end: real dynalite, real execution environments, the real front, plain fetch.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  GetAliasCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiGatewayFront, startApiGateway } from "./apigateway/server.ts";
import { eventShapeDifferences } from "./apigateway/test-support/event-shape.ts";
import { type LocalStage, startStage } from "./stage.ts";

/** Tiny functions for the paths the service never takes: slow, garbage output, echo of the event. */
const TEST_FUNCTIONS = `
export const echo = async (event) => ({ statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(event) });
export const slow = async (event) => {
  const ms = Number(event.queryStringParameters?.ms ?? 1500);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return { statusCode: 200, body: "slow" };
};
export const garbage = async () => "this is not a proxy response";
export const thrower = async () => { throw new Error("boom"); };
`;

let local: LocalStage;
let codeDir: string;

beforeAll(async () => {
  codeDir = mkdtempSync(path.join(tmpdir(), "powerbench-stage-test-"));
  writeFileSync(path.join(codeDir, "index.mjs"), TEST_FUNCTIONS);
  local = await startStage({ idleTimeoutMs: 60_000 });
});

afterAll(async () => {
  await local?.stop();
  rmSync(codeDir, { recursive: true, force: true });
});

async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

describe("local stage: the service through the API URL", () => {
  it("fills every field of the Stage port with local endpoints", () => {
    const { stage } = local;
    expect(stage).toMatchObject({
      name: "local",
      apiType: "REST",
      alias: local.template.function.aliasName,
      functionName: local.template.function.name,
      tableName: local.template.tableName,
      apiStageName: local.template.apiStageName,
      // The AWS endpoint's secret is fresh at each start (it checks SigV4 signatures with it).
      credentials: { accessKeyId: "local", secretAccessKey: expect.stringMatching(/^[0-9a-f]{32}$/) },
      supportsArchitectures: false,
    });
    for (const url of [stage.apiUrl, stage.awsEndpoint, stage.dynamodbEndpoint]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    }
    expect(stage.apiUrl.endsWith(`/${stage.apiStageName}`)).toBe(true);
    expect(["cgroup-v1", "cgroup-v2", "none"]).toContain(stage.cpuScaling?.mode);
  });

  it("serves the full CRUD route set", async () => {
    const api = local.stage.apiUrl;
    const created = await fetch(`${api}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "stage-1", name: "first", count: 1 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-amzn-requestid")).toBeTruthy();
    expect(await json(created)).toMatchObject({ id: "stage-1", name: "first" });

    const read = await fetch(`${api}/items/stage-1`);
    expect(read.status).toBe(200);
    expect(await json(read)).toMatchObject({ id: "stage-1", count: 1 });

    const replaced = await fetch(`${api}/items/stage-1`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id: "stage-1", name: "second" }),
    });
    expect(replaced.status).toBe(200);

    const patched = await fetch(`${api}/items/stage-1`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 2 }),
    });
    expect(patched.status).toBe(200);
    expect(await json(patched)).toMatchObject({ id: "stage-1", name: "second", count: 2 });

    const listed = await fetch(`${api}/items?limit=10`);
    expect(listed.status).toBe(200);
    expect(((await json(listed))["items"] as { id: string }[]).map((i) => i.id)).toContain("stage-1");

    const deleted = await fetch(`${api}/items/stage-1`, { method: "DELETE" });
    expect(deleted.status).toBe(200);
    const gone = await fetch(`${api}/items/stage-1`);
    expect(gone.status).toBe(404);
    await gone.body?.cancel();

    const unknown = await fetch(`${api}/nothing-here`);
    expect(unknown.status).toBe(403);
    expect(await json(unknown)).toEqual({ message: "Missing Authentication Token" });
  });

  it("serves the seed's command API at /dynamodbmanager", async () => {
    const command = (body: unknown) =>
      fetch(`${local.stage.apiUrl}/dynamodbmanager`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const created = await command({ operation: "create", payload: { Item: { id: "cmd-1", note: "x" } } });
    expect(created.status).toBe(200);
    await created.body?.cancel();
    const read = await command({ operation: "read", payload: { Key: { id: "cmd-1" } } });
    expect(read.status).toBe(200);
    expect(JSON.stringify(await json(read))).toContain("cmd-1");
    const ping = await command({ operation: "ping" });
    expect(ping.status).toBe(200);
    await ping.body?.cancel();
    const refused = await command({
      operation: "read",
      tableName: "SomeoneElsesTable",
      payload: { Key: { id: "x" } },
    });
    expect(refused.status).toBe(400);
    await refused.body?.cancel();
  });

  it("records AWS/ApiGateway metrics that GetMetricData returns through the AWS endpoint", async () => {
    // Prepare
    const { stage } = local;
    const startMs = Date.now() - 60_000;
    for (const path of ["/items?limit=1", "/items/does-not-exist", "/no-such-route"]) {
      await (await fetch(`${stage.apiUrl}${path}`)).text();
    }
    const client = new CloudWatchClient({
      endpoint: stage.awsEndpoint,
      region: stage.region,
      credentials: stage.credentials,
      maxAttempts: 1,
    });
    // Act
    const dimensions = [
      { Name: "ApiName", Value: stage.apiName },
      { Name: "Stage", Value: stage.apiStageName },
    ];
    const query = (id: string, metricName: string, stat: string) => ({
      Id: id,
      MetricStat: {
        Metric: { Namespace: "AWS/ApiGateway", MetricName: metricName, Dimensions: dimensions },
        Period: 3600,
        Stat: stat,
      },
    });
    const out = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(startMs),
        EndTime: new Date(Date.now() + 60_000),
        MetricDataQueries: [
          query("count", "Count", "Sum"),
          query("e4", "4XXError", "Sum"),
          query("latency", "Latency", "p50"),
          query("integration", "IntegrationLatency", "SampleCount"),
        ],
      }),
    );
    client.destroy();
    // Assess: the requests of this file so far are in there; 404 and 403 are 4XX errors
    const value = (id: string) => out.MetricDataResults?.find((r) => r.Id === id)?.Values?.[0] ?? 0;
    expect(value("count")).toBeGreaterThanOrEqual(3);
    expect(value("e4")).toBeGreaterThanOrEqual(2);
    expect(value("latency")).toBeGreaterThan(0);
    expect(value("integration")).toBeGreaterThanOrEqual(2);
    expect(value("integration")).toBeLessThan(value("count"));
  });
});

describe("local stage: failure paths through the front and the real Lambda", () => {
  const fronts: ApiGatewayFront[] = [];
  const frontFor = async (functionName: string, integrationTimeoutMs?: number) => {
    const front = await startApiGateway({
      routes: [{ method: "ANY", path: "/{proxy+}" }],
      stageName: "test",
      apiName: "failure-paths",
      stageVariables: { suite: "failure-paths" },
      invoker: local.lambda,
      functionName,
      ...(integrationTimeoutMs ? { integrationTimeoutMs } : {}),
    });
    fronts.push(front);
    return front.url;
  };
  const register = async (name: string, handler: string, extra: Record<string, unknown> = {}) => {
    await local.lambda.createFunction({
      FunctionName: name,
      Handler: `index.${handler}`,
      Runtime: "nodejs22.x",
      MemorySize: 128,
      Timeout: 10,
      Environment: { Variables: {} },
      Code: { LocalPath: codeDir },
      ...extra,
    });
  };

  beforeAll(async () => {
    await register("test-echo", "echo");
    await register("test-slow", "slow");
    await register("test-slow-timeout", "slow", { Timeout: 1 });
    await register("test-garbage", "garbage");
    await register("test-thrower", "thrower");
    await local.lambda.putFunctionConcurrency("test-slow", 1);
  });
  afterAll(async () => {
    await Promise.all(fronts.map((f) => f.close()));
  });

  it("sends the function an event shaped like the real sample event", async () => {
    const url = await frontFor("test-echo");
    const res = await fetch(`${url}/hello/world?name=me`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"a":1}',
    });
    expect(res.status).toBe(200);
    const event = await json(res);
    expect(eventShapeDifferences(event)).toEqual([]);
    expect(event).toMatchObject({
      resource: "/{proxy+}",
      path: "/hello/world",
      pathParameters: { proxy: "hello/world" },
    });
  });

  it("answers 500 when the function is throttled at its reserved concurrency", async () => {
    const url = await frontFor("test-slow");
    const statuses = await Promise.all(
      [0, 1].map(async () => {
        const res = await fetch(`${url}/x?ms=1500`);
        await res.text();
        return res.status;
      }),
    );
    expect(statuses.sort()).toEqual([200, 500]);
  });

  it("answers 504 after the integration timeout and 502 after the function's own timeout", async () => {
    const gateway = await frontFor("test-slow", 200);
    const timedOut = await fetch(`${gateway}/x?ms=1000`);
    expect(timedOut.status).toBe(504);
    expect(await json(timedOut)).toEqual({ message: "Endpoint request timed out" });

    const lambdaTimeout = await frontFor("test-slow-timeout");
    const killed = await fetch(`${lambdaTimeout}/x?ms=3000`);
    expect(killed.status).toBe(502);
    expect(await json(killed)).toEqual({ message: "Internal server error" });
  });

  it("answers 502 for a malformed proxy response and for a function error", async () => {
    for (const name of ["test-garbage", "test-thrower"]) {
      const res = await fetch(`${await frontFor(name)}/x`);
      expect(res.status, name).toBe(502);
      expect(await json(res)).toEqual({ message: "Internal server error" });
    }
  });
});

describe("local stage: the tuner's path through the real SDK clients", () => {
  it("re-pointing the alias at a new version changes which version the API invokes", async () => {
    // Prepare
    const { stage } = local;
    const config = {
      endpoint: stage.awsEndpoint,
      region: stage.region,
      credentials: stage.credentials,
      maxAttempts: 1,
    };
    const lambda = new LambdaClient(config);
    const cloudwatch = new CloudWatchClient(config);
    const before = await lambda.send(
      new GetAliasCommand({ FunctionName: stage.functionName, Name: stage.alias }),
    );
    expect(before.FunctionVersion).toBe("1");
    // Act: what the tuner does for one memory setting
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: stage.functionName, MemorySize: 256 }),
    );
    await waitUntilFunctionUpdatedV2(
      { client: lambda, maxWaitTime: 30, minDelay: 1 },
      { FunctionName: stage.functionName },
    );
    const published = await lambda.send(new PublishVersionCommand({ FunctionName: stage.functionName }));
    expect(published.MemorySize).toBe(256);
    await lambda.send(
      new UpdateAliasCommand({
        FunctionName: stage.functionName,
        Name: stage.alias,
        FunctionVersion: published.Version,
      }),
    );
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${stage.apiUrl}/dynamodbmanager`, {
        method: "POST",
        body: '{"operation":"ping"}',
      });
      expect(res.status).toBe(200);
      await res.text();
    }
    // Assess: AWS/Lambda Invocations through the alias, by executed version
    const invocations = async (version: string) => {
      const out = await cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(Date.now() - 600_000),
          EndTime: new Date(Date.now() + 60_000),
          MetricDataQueries: [
            {
              Id: "invocations",
              MetricStat: {
                Metric: {
                  Namespace: "AWS/Lambda",
                  MetricName: "Invocations",
                  Dimensions: [
                    { Name: "FunctionName", Value: stage.functionName },
                    { Name: "Resource", Value: `${stage.functionName}:${stage.alias}` },
                    { Name: "ExecutedVersion", Value: version },
                  ],
                },
                Period: 3600,
                Stat: "Sum",
              },
            },
          ],
        }),
      );
      return out.MetricDataResults?.[0]?.Values?.reduce((a, b) => a + b, 0) ?? 0;
    };
    expect(await invocations(published.Version ?? "")).toBe(3);
    expect(await invocations("1")).toBeGreaterThan(0);
    lambda.destroy();
    cloudwatch.destroy();
  });
});
