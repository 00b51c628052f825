/**
 * Bounded AWS calls (issue 20, "Found" 2: with the endpoint blackholed the run hung in collect for ever, the
 * SDK clients had no request timeout): against an endpoint that accepts connections and never answers, a call
 * fails after its attempts' timeouts, and the clients say the endpoint is lost until it answers again.
 */
import { GetFunctionConfigurationCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../../stage/stage.ts";
import { startTcpSwitch, type TcpSwitch } from "../../test/faults/tcp-switch.ts";
import { createAwsClients, INVOKE_MAX_ATTEMPTS, isNetworkError } from "./aws-clients.ts";

let local: LocalStage;
let cut: TcpSwitch;
beforeAll(async () => {
  local = await startStage({ cpuScaling: "off" });
  const aws = new URL(local.stage.awsEndpoint as string);
  cut = await startTcpSwitch({ host: aws.hostname, port: Number(aws.port) });
});
afterAll(async () => {
  await cut?.close();
  await local?.stop();
});

describe("AWS clients with timeouts and bounded retries", () => {
  it("a blackholed endpoint fails the call after its attempts, then works again once it answers", async () => {
    const clients = createAwsClients(
      { ...local.stage, awsEndpoint: cut.endpoint },
      { requestTimeoutMs: 300, connectionTimeoutMs: 300, maxAttempts: 2 },
    );
    try {
      const get = () =>
        clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: local.stage.functionName }));
      await get();
      expect(clients.reachability.lost).toBe(false);
      await cut.set("blackhole");
      const error = await get().catch((e: unknown) => e);
      expect(isNetworkError(error)).toBe(true);
      expect(clients.reachability.lost).toBe(true);
      await cut.set("forward");
      await get();
      expect(clients.reachability.lost).toBe(false);
    } finally {
      clients.destroy();
    }
  }, 20_000);

  it("a synchronous Invoke gets one attempt (a retry would run the function twice), other calls their maxAttempts", async () => {
    const clients = createAwsClients(
      { ...local.stage, awsEndpoint: cut.endpoint },
      { requestTimeoutMs: 300, invokeTimeoutMs: 300, connectionTimeoutMs: 300, maxAttempts: 3 },
    );
    const attempts = (error: unknown) => (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
    try {
      await cut.set("blackhole");
      const invoke = await clients.lambdaInvoke
        .send(new InvokeCommand({ FunctionName: local.stage.functionName, Payload: new Uint8Array() }))
        .catch((e: unknown) => e);
      expect(isNetworkError(invoke)).toBe(true);
      expect(attempts(invoke)).toBe(INVOKE_MAX_ATTEMPTS);
      expect(INVOKE_MAX_ATTEMPTS).toBe(1);
      const get = await clients.lambda
        .send(new GetFunctionConfigurationCommand({ FunctionName: local.stage.functionName }))
        .catch((e: unknown) => e);
      expect(attempts(get)).toBe(3);
    } finally {
      await cut.set("forward");
      clients.destroy();
    }
  }, 20_000);
});
