/**
 * Fault: DynamoDB unreachable (its port closed). The service answers its documented 500 InternalError whose
 * message names only the request id (no address, port or exception), logs the cause in the request log
 * line's `error` field, writes nothing, and recovers as soon as DynamoDB is back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultStage, startFaultStage } from "./fault-stage.ts";
import { expectRestored, expectServing } from "./restore-check.ts";

describe("fault: DynamoDB unreachable", () => {
  let fault: FaultStage;
  beforeAll(async () => {
    fault = await startFaultStage();
  });
  afterAll(async () => {
    await fault?.stop();
  });

  it("answers 500 InternalError with a request id and no internals, then recovers", async () => {
    expect((await fault.api("POST", "/items", { id: "kept", v: 1 })).status).toBe(201);
    await fault.dynamo.set("refuse");

    for (const [method, path, body] of [
      ["GET", "/items/kept", undefined],
      ["POST", "/items", { id: "never-written" }],
      ["PATCH", "/items/kept", { v: 2 }],
      ["POST", "/dynamodbmanager", { operation: "list", payload: {} }],
    ] as const) {
      const answer = await fault.api(method, path, body);
      expect(answer.status, `${method} ${path}`).toBe(500);
      const requestId = answer.headers.get("x-request-id");
      expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(answer.json).toEqual({
        error: {
          code: "InternalError",
          message: `internal error: the request failed unexpectedly; quote request id ${requestId} when reporting it`,
          requestId,
        },
      });
      expect(answer.text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:\d{4,5}\b|Error:|at /);
      // The cause is in the log line, for the operator.
      const line = fault.logMessages().find((m) => m.includes(`"requestId":"${requestId}"`));
      expect(line).toMatch(/"level":"error".*"status":500/);
      expect(line).toMatch(/"error":"[^"]+"/);
    }

    await fault.dynamo.set("forward");
    expect((await fault.api("GET", "/items/kept")).json).toEqual({ id: "kept", v: 1 });
    expect((await fault.api("GET", "/items/never-written")).status).toBe(404);
    await expectServing(fault, "after-outage");
    await expectRestored(fault);
  });
});
