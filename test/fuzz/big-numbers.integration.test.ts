/**
 * Regression, found by the fuzz run: an integer beyond ±(2^53 − 1) (e.g. 1e20) passed the service's validation
 * (DynamoDB's range is up to 1e126) but the DocumentClient's marshalling refused it ("Number 1e+20 is greater
 * than Number.MAX_SAFE_INTEGER"), a plain Error the service answered with 500 (fixed in service/validation.ts:
 * numbers bounded to ±(2^53 − 1)). Such a number must be stored (and read back) or refused with 400, never 500.
 */
import { describe, expect, it } from "vitest";
import { useStage } from "../support/stage.ts";

describe("numbers beyond 2^53 through the API", () => {
  const env = useStage({ cpuScaling: "off" });

  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${env.local.stage.apiUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it.each([
    ["POST /items", "POST", "/items", { id: "big1", n: 1e20 }],
    ["POST /items (negative)", "POST", "/items", { id: "big2", n: -(2 ** 53) - 2 }],
    [
      "POST /dynamodbmanager create",
      "POST",
      "/dynamodbmanager",
      { operation: "create", payload: { Item: { id: "big3", n: 1e20 } } },
    ],
  ])(
    "%s with a number beyond 2^53 is stored or refused with 400, never 500",
    async (_name, method, path, body) => {
      const res = await send(method, path, body);
      expect([201, 200, 400]).toContain(res.status);
      if (res.status === 400) expect((res.body["error"] as { code: string }).code).toBe("ValidationError");
    },
  );

  it("PATCH with a number beyond 2^53 is stored or refused with 400, never 500", async () => {
    expect((await send("POST", "/items", { id: "big4", n: 1 })).status).toBe(201);
    const res = await send("PATCH", "/items/big4", { n: 1e20 });
    expect([200, 400]).toContain(res.status);
    if (res.status === 200) expect((await send("GET", "/items/big4")).body["n"]).toBe(1e20);
  });
});
