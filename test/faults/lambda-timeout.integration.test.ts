/**
 * Fault: the function runs past its Timeout. DynamoDB hangs (the service's connection is accepted and never
 * answered), the version behind the alias has Timeout 2 s (set through UpdateFunctionConfiguration →
 * PublishVersion → UpdateAlias with the real Lambda client): Lambda kills the environment, the REPORT line says
 * Status: timeout, and API Gateway answers 502 {"message":"Internal server error"}. Then the stage serves again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultStage, startFaultStage } from "./fault-stage.ts";
import { expectGatewayError, expectRestored, expectServing } from "./restore-check.ts";

describe("fault: Lambda timeout", () => {
  let fault: FaultStage;
  beforeAll(async () => {
    fault = await startFaultStage();
  });
  afterAll(async () => {
    await fault?.stop();
  });

  it("answers 502 when the function times out, logs the timeout, then serves again", async () => {
    await fault.deploy({ Timeout: 2 });
    expect((await fault.api("POST", "/items", { id: "before" })).status).toBe(201);

    await fault.dynamo.set("blackhole");
    const answer = await fault.api("GET", "/items/before");
    expectGatewayError(answer, 502, "Internal server error");
    const logs = fault.logMessages().join("\n");
    expect(logs).toMatch(/Task timed out after 2\.\d\d seconds/);
    expect(logs).toMatch(/REPORT RequestId: [0-9a-f-]+\t.*Status: timeout/);

    await fault.dynamo.set("forward");
    await expectServing(fault, "after-timeout");
    await expectRestored(fault);
    await expectServing(fault, "after-restore");
  });
});
