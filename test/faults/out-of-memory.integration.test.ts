/**
 * Fault: the function runs out of memory. The alias is pointed at a version with MemorySize 128 and a handler
 * that fills the V8 heap (test/faults/functions/heap-hog/index.mjs; the CRUD service itself cannot be made to use
 * 128 MB through its API: its body and item limits stop that). The runtime dies, Lambda reports
 * Runtime.OutOfMemory, API Gateway answers 502. With the alias back on the service, the stage serves again.
 */
import { fileURLToPath } from "node:url";
import { UpdateAliasCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultStage, startFaultStage } from "./fault-stage.ts";
import { expectGatewayError, expectRestored, expectServing } from "./restore-check.ts";

const HEAP_HOG_DIR = fileURLToPath(new URL("./functions/heap-hog/", import.meta.url));

describe("fault: out of memory", () => {
  let fault: FaultStage;
  beforeAll(async () => {
    fault = await startFaultStage();
  });
  afterAll(async () => {
    await fault?.stop();
  });

  it("answers 502 when the function dies of memory exhaustion, then serves again", async () => {
    const serviceVersion = (await fault.functionState()).aliases[0]?.version ?? "";
    await fault.deploy({ MemorySize: 128, codeDir: HEAP_HOG_DIR, Timeout: 20 });
    const pidsBefore = new Set(fault.local.lambda.environmentPids());

    const answer = await fault.api("GET", "/items/anything");
    expectGatewayError(answer, 502, "Internal server error");
    const logs = fault.logMessages().join("\n");
    expect(logs).toMatch(/Runtime\.OutOfMemory/);
    expect(logs).toMatch(/REPORT RequestId: .*Memory Size: 128 MB\tMax Memory Used: 128 MB/);
    // The environment that ran out of memory is gone; no other environment was touched.
    const pidsAfter = fault.local.lambda.environmentPids();
    expect(pidsAfter.filter((pid) => !pidsBefore.has(pid))).toEqual([]);

    await fault.lambda.send(
      new UpdateAliasCommand({
        FunctionName: fault.functionName,
        Name: fault.alias,
        FunctionVersion: serviceVersion,
      }),
    );
    await expectServing(fault, "after-oom");
    await expectRestored(fault);
    await expectServing(fault, "after-restore");
  });
});
