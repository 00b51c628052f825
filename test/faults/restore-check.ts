/** Shared assertions of the fault tests: the gateway's documented 5xx shape, and "nothing left over". */
import { expect } from "vitest";
import type { ApiAnswer, FaultStage } from "./fault-stage.ts";

/** API Gateway's own 5xx answer: `{"message": ...}` only, with x-amzn-ErrorType; no internals. */
export function expectGatewayError(answer: ApiAnswer, status: number, message: string): void {
  expect(answer.status).toBe(status);
  expect(answer.json).toEqual({ message });
  expect(answer.headers.get("x-amzn-errortype")).toBe("InternalServerErrorException");
  expect(answer.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
}

/** After restore(): the same versions, aliases and configuration as before the test. */
export async function expectRestored(fault: FaultStage): Promise<void> {
  await fault.restore();
  expect(await fault.functionState()).toEqual(fault.initialState);
}

/** The stage serves again: a write and a read of it succeed. */
export async function expectServing(fault: FaultStage, id: string): Promise<void> {
  const created = await fault.api("POST", "/items", { id, note: "after the fault" });
  expect(created.status).toBe(201);
  const read = await fault.api("GET", `/items/${id}`);
  expect(read.status).toBe(200);
  expect(read.json).toEqual({ id, note: "after the fault" });
}
