/**
 * Every Lambda operation of the local endpoint through the real @aws-sdk/client-lambda, including the waiters,
 * against the real Lambda emulator (stage/lambda) running stage/lambda/test-functions.
 */
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteAliasCommand,
  DeleteFunctionCommand,
  DeleteFunctionConcurrencyCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConcurrencyCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  PutFunctionConcurrencyCommand,
  ResourceConflictException,
  ResourceNotFoundException,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { TEST_FUNCTIONS_DIR } from "../lambda/test-support/memory-sinks.ts";
import { type AwsEndpoint, startAwsEndpoint } from "./endpoint.ts";
import { localClients } from "./test-support/clients.ts";

const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const metrics = new MetricStore();
const logs = new LogStore();
const lambda = new LocalLambda({ metricSink: metrics, logSink: logs, cpuScaling: "off", updateDelayMs: 50 });
const code = { S3Bucket: "local", S3Key: TEST_FUNCTIONS_DIR };
let endpoint: AwsEndpoint;
let clients: ReturnType<typeof localClients>;

beforeAll(async () => {
  endpoint = await startAwsEndpoint({ lambda, metrics, logs });
  clients = localClients(endpoint.url);
});
afterAll(async () => {
  clients.destroy();
  await endpoint.close();
  await lambda.close();
});

const waiter = () => ({ client: clients.lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 });

describe("Lambda REST-JSON through @aws-sdk/client-lambda", () => {
  it("creates a function and waits for it to be active", async () => {
    const created = await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "crud",
        Role: "arn:aws:iam::000000000000:role/local",
        Handler: "echo.handler",
        Runtime: "nodejs22.x",
        MemorySize: 256,
        Code: code,
      }),
    );
    expect(["Pending", "Active"]).toContain(created.State);
    expect(created.MemorySize).toBe(256);
    const waited = await waitUntilFunctionActiveV2(waiter(), { FunctionName: "crud" });
    expect(waited.state).toBe("SUCCESS");
    const fn = await clients.lambda.send(new GetFunctionCommand({ FunctionName: "crud" }));
    expect(fn.Configuration?.State).toBe("Active");
    expect(fn.Code?.RepositoryType).toBe("S3");
  });

  it("updates memory, waits for the update, then publishes a version and waits for it", async () => {
    const updated = await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "crud", MemorySize: 1024 }),
    );
    expect(updated.LastUpdateStatus).toBe("InProgress");
    // A second update while the first is in progress: Lambda's ResourceConflictException.
    await expect(
      clients.lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "crud", Timeout: 9 })),
    ).rejects.toBeInstanceOf(ResourceConflictException);
    expect((await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: "crud" })).state).toBe("SUCCESS");
    const v1 = await clients.lambda.send(new PublishVersionCommand({ FunctionName: "crud" }));
    expect(v1.Version).toBe("1");
    expect(
      (await waitUntilPublishedVersionActive(waiter(), { FunctionName: "crud", Qualifier: "1" })).state,
    ).toBe("SUCCESS");
    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "crud", Qualifier: "1" }),
    );
    expect(config.MemorySize).toBe(1024);
    expect(config.State).toBe("Active");
  });

  it("keeps each version's memory size and lists versions", async () => {
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: "crud", MemorySize: 2048 }),
    );
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: "crud" });
    await clients.lambda.send(
      new UpdateFunctionCodeCommand({ FunctionName: "crud", Architectures: ["x86_64"] }),
    );
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: "crud" });
    const v2 = await clients.lambda.send(new PublishVersionCommand({ FunctionName: "crud" }));
    const listed = await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "crud" }));
    expect(listed.Versions?.map((v) => [v.Version, v.MemorySize])).toEqual([
      ["$LATEST", 2048],
      ["1", 1024],
      [v2.Version, 2048],
    ]);
  });

  it("creates, reads, updates, lists and deletes an alias (function named by ARN)", async () => {
    const arn = "arn:aws:lambda:us-east-1:123456789012:function:crud";
    const alias = await clients.lambda.send(
      new CreateAliasCommand({ FunctionName: arn, Name: "bench", FunctionVersion: "1" }),
    );
    expect(alias.AliasArn).toBe(`${arn}:bench`);
    await expect(
      clients.lambda.send(
        new CreateAliasCommand({ FunctionName: "crud", Name: "bench", FunctionVersion: "1" }),
      ),
    ).rejects.toBeInstanceOf(ResourceConflictException);
    await clients.lambda.send(
      new UpdateAliasCommand({ FunctionName: "crud", Name: "bench", FunctionVersion: "2" }),
    );
    const read = await clients.lambda.send(new GetAliasCommand({ FunctionName: "crud", Name: "bench" }));
    expect(read.FunctionVersion).toBe("2");
    const aliased = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: "crud", Qualifier: "bench" }),
    );
    expect(aliased.MemorySize).toBe(2048);
    const list = await clients.lambda.send(new ListAliasesCommand({ FunctionName: "crud" }));
    expect(list.Aliases?.map((a) => a.Name)).toEqual(["bench"]);
    await clients.lambda.send(new DeleteAliasCommand({ FunctionName: "crud", Name: "bench" }));
    await expect(
      clients.lambda.send(new GetAliasCommand({ FunctionName: "crud", Name: "bench" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("invokes with LogType Tail and reports the executed version", async () => {
    const out = await clients.lambda.send(
      new InvokeCommand({
        FunctionName: "crud",
        Qualifier: "1",
        LogType: "Tail",
        Payload: encode({ id: 7 }),
      }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("1");
    expect(JSON.parse(decode(out.Payload)).event).toEqual({ id: 7 });
    const tail = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
    expect(tail).toMatch(
      /^REPORT RequestId: [0-9a-f-]+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 1024 MB/m,
    );
  });

  it("answers DryRun with 204 and an asynchronous Event invocation with 202", async () => {
    const dry = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "crud", InvocationType: "DryRun", Payload: encode({}) }),
    );
    expect(dry.StatusCode).toBe(204);
    const queued = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "crud", InvocationType: "Event", Payload: encode({ async: true }) }),
    );
    expect(queued.StatusCode).toBe(202);
    const missing = await clients.lambda
      .send(new InvokeCommand({ FunctionName: "nope", InvocationType: "DryRun" }))
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
  });

  it("reports a function error in X-Amz-Function-Error with Lambda's error payload", async () => {
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "failing",
        Role: "arn:aws:iam::000000000000:role/local",
        Handler: "throws.handler",
        Code: code,
      }),
    );
    await waitUntilFunctionActiveV2(waiter(), { FunctionName: "failing" });
    const out = await clients.lambda.send(
      new InvokeCommand({ FunctionName: "failing", Payload: encode({}) }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(JSON.parse(decode(out.Payload))).toMatchObject({
      errorType: "TypeError",
      errorMessage: expect.stringContaining("boom"),
    });
  });

  it("puts, gets and deletes reserved concurrency (throttling itself: local-lambda.integration.test.ts)", async () => {
    await clients.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "slow",
        Role: "arn:aws:iam::123456789012:role/local",
        Handler: "sleeps.handler",
        Code: code,
      }),
    );
    await waitUntilFunctionActiveV2(waiter(), { FunctionName: "slow" });
    const put = await clients.lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: "slow", ReservedConcurrentExecutions: 1 }),
    );
    expect(put.ReservedConcurrentExecutions).toBe(1);
    const got = await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "slow" }));
    expect(got.ReservedConcurrentExecutions).toBe(1);
    await clients.lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: "slow" }));
    expect(
      (await clients.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: "slow" })))
        .ReservedConcurrentExecutions,
    ).toBeUndefined();
  });

  it("lists functions, deletes a version with a Qualifier, then the function", async () => {
    const all = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(all.Functions?.map((f) => f.FunctionName).sort()).toEqual(["crud", "failing", "slow"]);
    const paged = await clients.lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
    expect(paged.Functions).toHaveLength(2);
    const rest = await clients.lambda.send(new ListFunctionsCommand({ Marker: paged.NextMarker }));
    expect(rest.Functions).toHaveLength(1);
    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: "crud", Qualifier: "1" }));
    const versions = await clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: "crud" }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "2"]);
    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: "crud" }));
    const missing = await clients.lambda
      .send(new GetFunctionCommand({ FunctionName: "crud" }))
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as ResourceNotFoundException).message).toContain("Function not found");
    const invokeMissing = await clients.lambda
      .send(new InvokeCommand({ FunctionName: "crud", Payload: encode({}) }))
      .catch((e) => e);
    expect(invokeMissing).toBeInstanceOf(ResourceNotFoundException);
  });
});
