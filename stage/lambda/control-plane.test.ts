import { afterEach, describe, expect, it } from "vitest";
import { waitUntilUpdated } from "../../test/support/wait.ts";
import { LambdaApiError } from "../contracts.ts";
import { LocalLambda } from "./local-lambda.ts";
import { MemoryLogSink, MemoryMetricSink, TEST_FUNCTIONS_DIR } from "./test-support/memory-sinks.ts";

const ARN = "arn:aws:lambda:eu-west-1:111122223333:function";
let lambda: LocalLambda;

function makeLambda(updateDelayMs = 50): LocalLambda {
  lambda = new LocalLambda({
    metricSink: new MemoryMetricSink(),
    logSink: new MemoryLogSink(),
    region: "eu-west-1",
    accountId: "111122223333",
    cpuScaling: "off",
    updateDelayMs,
  });
  return lambda;
}

async function apiError(promise: Promise<unknown>): Promise<LambdaApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LambdaApiError);
  return error as LambdaApiError;
}

const create = (extra: Record<string, unknown> = {}) =>
  lambda.createFunction({
    FunctionName: "crud",
    Handler: "echo.handler",
    Code: { LocalPath: TEST_FUNCTIONS_DIR },
    ...extra,
  });

afterEach(async () => {
  await lambda?.close();
});

describe("LocalLambda control plane", () => {
  it("creates a function with Lambda's configuration shape, defaults and ARN", async () => {
    makeLambda();
    const config = await create({ Environment: { Variables: { GREETING: "hi" } } });
    expect(config).toMatchObject({
      FunctionName: "crud",
      FunctionArn: `${ARN}:crud`,
      Runtime: "nodejs22.x",
      Handler: "echo.handler",
      MemorySize: 128,
      Timeout: 3,
      Version: "$LATEST",
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: "Zip",
      Architectures: ["x86_64"],
      Environment: { Variables: { GREETING: "hi" } },
      LoggingConfig: { LogFormat: "Text", LogGroup: "/aws/lambda/crud" },
    });
    expect(config["CodeSha256"]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(config["CodeSize"]).toBeGreaterThan(0);
    expect(config["LastModified"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(await lambda.listFunctions()).toHaveLength(1);
    const got = await lambda.getFunction("crud");
    expect(got["Configuration"]).toEqual(config);
    expect(got["Concurrency"]).toBeUndefined();
    expect((await apiError(create())).code).toBe("ResourceConflictException");
  });

  it("validates memory, timeout, reserved variables and the code location with Lambda's codes", async () => {
    makeLambda();
    const low = await apiError(create({ MemorySize: 64 }));
    expect(low.code).toBe("InvalidParameterValueException");
    expect(low.statusCode).toBe(400);
    expect(low.message).toContain("Value '64' at 'memorySize' failed to satisfy constraint");
    expect((await apiError(create({ MemorySize: 10241 }))).message).toContain("less than or equal to 10240");
    expect((await apiError(create({ Timeout: 901 }))).message).toContain("'timeout'");
    expect((await apiError(create({ Timeout: 0 }))).message).toContain("greater than or equal to 1");
    const reserved = await apiError(create({ Environment: { Variables: { AWS_REGION: "x" } } }));
    expect(reserved.message).toContain("Reserved keys used in this request: AWS_REGION");
    const noCode = await apiError(create({ Code: { LocalPath: `${TEST_FUNCTIONS_DIR}/missing` } }));
    expect(noCode.message).toContain("no module for handler 'echo.handler'");
    const notFound = await apiError(lambda.getFunctionConfiguration("nope"));
    expect([notFound.code, notFound.statusCode, notFound.message]).toEqual([
      "ResourceNotFoundException",
      404,
      `Function not found: ${ARN}:nope`,
    ]);
  });

  it("goes InProgress then Successful on update, and refuses a second update or a publish meanwhile", async () => {
    makeLambda(150);
    await create();
    const updating = await lambda.updateFunctionConfiguration("crud", { MemorySize: 1024 });
    expect(updating).toMatchObject({ MemorySize: 1024, LastUpdateStatus: "InProgress" });
    const second = await apiError(lambda.updateFunctionConfiguration("crud", { MemorySize: 512 }));
    expect([second.code, second.statusCode]).toEqual(["ResourceConflictException", 409]);
    expect(second.message).toContain(`An update is in progress for resource: ${ARN}:crud`);
    expect((await apiError(lambda.publishVersion("crud", {}))).code).toBe("ResourceConflictException");
    const done = await waitUntilUpdated(lambda, "crud");
    expect(done).toMatchObject({ MemorySize: 1024, LastUpdateStatus: "Successful" });
    expect(done["RevisionId"]).toBe(updating["RevisionId"]);
  });

  it("publishes versions that keep their own configuration, and republishes nothing unchanged", async () => {
    makeLambda();
    await create({ MemorySize: 256 });
    const v1 = await lambda.publishVersion("crud", { Description: "first" });
    expect(v1).toMatchObject({
      Version: "1",
      MemorySize: 256,
      FunctionArn: `${ARN}:crud:1`,
      Description: "first",
    });
    expect((await lambda.publishVersion("crud", {}))["Version"]).toBe("1");
    await lambda.updateFunctionConfiguration("crud", { MemorySize: 2048, Timeout: 10 });
    await waitUntilUpdated(lambda, "crud");
    const v2 = await lambda.publishVersion("crud", {});
    expect(v2).toMatchObject({ Version: "2", MemorySize: 2048, Timeout: 10 });
    expect(await lambda.getFunctionConfiguration("crud", "1")).toMatchObject({ MemorySize: 256, Timeout: 3 });
    const versions = await lambda.listVersionsByFunction("crud");
    expect(versions.map((v) => [v["Version"], v["MemorySize"]])).toEqual([
      ["$LATEST", 2048],
      ["1", 256],
      ["2", 2048],
    ]);
    const stale = await apiError(lambda.publishVersion("crud", { RevisionId: "not-the-revision" }));
    expect([stale.code, stale.statusCode]).toEqual(["PreconditionFailedException", 412]);
  });

  it("manages aliases and refuses to delete a version an alias points at", async () => {
    makeLambda();
    await create();
    await lambda.publishVersion("crud", {});
    const alias = await lambda.createAlias("crud", { Name: "bench", FunctionVersion: "1" });
    expect(alias).toMatchObject({ AliasArn: `${ARN}:crud:bench`, Name: "bench", FunctionVersion: "1" });
    expect((await apiError(lambda.createAlias("crud", { Name: "bench", FunctionVersion: "1" }))).code).toBe(
      "ResourceConflictException",
    );
    expect((await apiError(lambda.createAlias("crud", { Name: "x", FunctionVersion: "9" }))).message).toBe(
      `Function not found: ${ARN}:crud:9`,
    );
    const blocked = await apiError(lambda.deleteFunction("crud", "1"));
    expect(blocked.message).toBe(
      "Unable to delete version because the following aliases reference it: [bench]",
    );
    await lambda.updateAlias("crud", "bench", { FunctionVersion: "$LATEST" });
    expect((await lambda.getAlias("crud", "bench"))["FunctionVersion"]).toBe("$LATEST");
    expect(await lambda.getFunctionConfiguration("crud", "bench")).toMatchObject({ Version: "$LATEST" });
    expect(await lambda.listAliases("crud")).toHaveLength(1);
    await lambda.deleteFunction("crud", "1");
    expect((await lambda.listVersionsByFunction("crud")).map((v) => v["Version"])).toEqual(["$LATEST"]);
    expect((await apiError(lambda.deleteFunction("crud", "$LATEST"))).code).toBe(
      "InvalidParameterValueException",
    );
    await lambda.deleteAlias("crud", "bench");
    expect((await apiError(lambda.getAlias("crud", "bench"))).message).toBe(
      `Alias not found: ${ARN}:crud:bench`,
    );
    await lambda.deleteFunction("crud");
    expect(await lambda.listFunctions()).toEqual([]);
  });

  it("stores reserved concurrency", async () => {
    makeLambda();
    await create();
    expect(await lambda.getFunctionConcurrency("crud")).toEqual({});
    expect(await lambda.putFunctionConcurrency("crud", 5)).toEqual({ ReservedConcurrentExecutions: 5 });
    expect((await lambda.getFunction("crud"))["Concurrency"]).toEqual({ ReservedConcurrentExecutions: 5 });
    expect((await apiError(lambda.putFunctionConcurrency("crud", -1))).code).toBe(
      "InvalidParameterValueException",
    );
    await lambda.deleteFunctionConcurrency("crud");
    expect(await lambda.getFunctionConcurrency("crud")).toEqual({});
  });

  it("answers not-found for invocations of unknown functions or versions", async () => {
    makeLambda();
    await create();
    expect(await lambda.invoke({ functionName: "nope", payload: "{}" })).toEqual({
      status: "not-found",
      message: `Function not found: ${ARN}:nope`,
    });
    expect((await lambda.invoke({ functionName: "crud", qualifier: "7", payload: "{}" })).status).toBe(
      "not-found",
    );
    expect((await apiError(lambda.invoke({ functionName: "crud", payload: "{not json" }))).code).toBe(
      "InvalidRequestContentException",
    );
  });
});
