/**
 * Fault: the execution environment is killed in the middle of a request. DynamoDB hangs, so the request is held
 * inside the service; the moment the service opens its connection to DynamoDB, the environment's process gets
 * SIGKILL. Lambda reports Runtime.ExitError ("signal: killed"), API Gateway answers 502; the next request gets
 * a new environment and succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultStage, startFaultStage } from "./fault-stage.ts";
import { expectGatewayError, expectRestored, expectServing } from "./restore-check.ts";

describe("fault: environment killed mid-request", () => {
  let fault: FaultStage;
  beforeAll(async () => {
    fault = await startFaultStage();
  });
  afterAll(async () => {
    await fault?.stop();
  });

  it("answers 502 for the request in flight, and the next request works", async () => {
    expect((await fault.api("POST", "/items", { id: "warm" })).status).toBe(201);
    const [pid, ...others] = fault.local.lambda.environmentPids();
    expect(pid).toBeTypeOf("number");
    expect(others).toEqual([]);

    await fault.dynamo.set("blackhole");
    const inService = fault.dynamo.nextConnection();
    const pending = fault.api("GET", "/items/warm");
    await inService; // the request is inside the service, waiting for DynamoDB
    process.kill(pid as number, "SIGKILL");
    expectGatewayError(await pending, 502, "Internal server error");
    expect(fault.logMessages().join("\n")).toMatch(/Runtime exited with error: signal: killed/);
    expect(fault.local.lambda.environmentPids()).not.toContain(pid);

    await fault.dynamo.set("forward");
    const next = await fault.api("GET", "/items/warm");
    expect(next.status).toBe(200);
    expect(next.json).toEqual({ id: "warm" });
    await expectServing(fault, "after-kill");
    await expectRestored(fault);
  });
});
