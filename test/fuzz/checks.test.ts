/** Unit tests of the fuzz run's pure checks: response well-formedness and the table model. */
import { describe, expect, it } from "vitest";
import { checkResponse } from "./response-checks.ts";
import { canonicalJson, TableModel } from "./table-model.ts";

const json = { "content-type": "application/json" };
const serviceError = (status: number, code: string, requestId = "r1") => ({
  method: "GET",
  status,
  headers: { ...json, "x-request-id": requestId },
  body: JSON.stringify({ error: { code, message: "what was wrong", requestId } }),
});

describe("checkResponse", () => {
  it("accepts the service's error shape with the code's status and the matching x-request-id", () => {
    expect(checkResponse(serviceError(404, "NotFound"))).toEqual([]);
    expect(checkResponse(serviceError(400, "ValidationError"))).toEqual([]);
  });

  it("rejects a code answered with another status, a missing request id, extra fields", () => {
    expect(checkResponse(serviceError(400, "NotFound"))).toContain("code NotFound answered with status 400");
    const mismatched = { ...serviceError(404, "NotFound"), headers: { ...json, "x-request-id": "other" } };
    expect(checkResponse(mismatched).join()).toMatch(/differs from error.requestId/);
    const extra = {
      ...serviceError(404, "NotFound"),
      body: '{"error":{"code":"NotFound","message":"m","requestId":"r1","stack":"x"}}',
    };
    expect(checkResponse(extra).join()).toMatch(/nothing else/);
  });

  it("accepts API Gateway's own {message} only for the front's statuses", () => {
    const gateway = (status: number) => ({
      method: "GET",
      status,
      headers: json,
      body: '{"message":"Forbidden"}',
    });
    expect(checkResponse(gateway(403))).toEqual([]);
    expect(checkResponse(gateway(431))).toEqual([]);
    expect(checkResponse(gateway(404))).toEqual(['gateway-shaped body {"message"} with status 404']);
  });

  it("flags every 5xx, non-JSON bodies and internals", () => {
    expect(checkResponse({ ...serviceError(500, "InternalError") })[0]).toMatch(/status 500/);
    expect(checkResponse({ method: "GET", status: 200, headers: json, body: "<html>" }).join()).toMatch(
      /not JSON/,
    );
    const leak = {
      method: "GET",
      status: 400,
      headers: json,
      body: '{"message":"at handler (/var/task/index.mjs:1:2)"}',
    };
    expect(checkResponse(leak).join()).toMatch(/internals/);
    expect(
      checkResponse({
        method: "GET",
        status: 200,
        headers: { "content-type": "text/html" },
        body: "{}",
      }).join(),
    ).toMatch(/content-type/);
  });
});

describe("TableModel", () => {
  it("follows creates, replaces, patches and deletes from the answers, and diffs against a scan", () => {
    const model = new TableModel();
    expect(model.apply({ method: "POST", status: 201, body: { id: "a", n: 1 } })).toEqual([]);
    expect(model.apply({ method: "POST", status: 201, body: { id: "b" } })).toEqual([]);
    expect(model.apply({ method: "PATCH", status: 200, body: { id: "a", n: 2 } })).toEqual([]);
    expect(model.apply({ method: "DELETE", status: 200, body: { id: "b" } })).toEqual([]);
    expect(model.apply({ method: "POST", status: 409, body: { error: {} } })).toEqual([]);
    expect(model.diff([{ n: 2, id: "a" }])).toEqual({ missing: [], extra: [], different: [] });
    expect(model.diff([{ id: "a", n: 1 }, { id: "c" }])).toEqual({
      missing: [],
      extra: ["c"],
      different: ["a"],
    });
    expect(model.diff([])).toEqual({ missing: ["a"], extra: [], different: [] });
  });

  it("reads the operation of a command from the body that was sent", () => {
    const model = new TableModel();
    const sent = (operation: string) => JSON.stringify({ operation, payload: {} });
    model.apply({ method: "POST", status: 200, body: { Item: { id: "x" } }, sentBody: sent("create") });
    model.apply({ method: "POST", status: 200, body: { Item: { id: "y" } }, sentBody: sent("echo") });
    expect([...model.items.keys()]).toEqual(["x"]);
    model.apply({
      method: "POST",
      status: 200,
      body: { Attributes: { id: "x", v: 1 } },
      sentBody: sent("update"),
    });
    expect(model.items.get("x")).toEqual({ id: "x", v: 1 });
    model.apply({ method: "POST", status: 200, body: { Attributes: { id: "x" } }, sentBody: sent("delete") });
    expect(model.items.size).toBe(0);
  });

  it("reports reads that disagree with the model", () => {
    const model = new TableModel();
    model.apply({ method: "POST", status: 201, body: { id: "a", n: 1 } });
    expect(model.apply({ method: "GET", status: 200, body: { n: 1, id: "a" } })).toEqual([]);
    expect(model.apply({ method: "GET", status: 200, body: { id: "a", n: 3 } })).toEqual([
      "GET a disagrees with the model",
    ]);
    expect(model.apply({ method: "GET", status: 200, body: { id: "zz" } })).toHaveLength(1);
  });

  it("canonicalJson ignores key order only", () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null })).toBe(
      canonicalJson({ a: null, b: [1, { c: 2, d: 1 }] }),
    );
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });
});
