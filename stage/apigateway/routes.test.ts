import { describe, expect, it } from "vitest";
import { ApiGatewayConfigError } from "./errors.ts";
import { RouteTable } from "./routes.ts";

describe("RouteTable", () => {
  const table = new RouteTable([
    { method: "ANY", path: "/{proxy+}" },
    { method: "GET", path: "/items/{id}" },
    { method: "GET", path: "/items/special" },
    { method: "post", path: "/items" },
  ]);

  it("prefers literal segments, then {param}, then a greedy {proxy+}", () => {
    expect(table.match("GET", "/items/special")).toEqual({
      kind: "matched",
      resourcePath: "/items/special",
      method: "GET",
      pathParameters: {},
    });
    expect(table.match("GET", "/items/42")).toEqual({
      kind: "matched",
      resourcePath: "/items/{id}",
      method: "GET",
      pathParameters: { id: "42" },
    });
    expect(table.match("DELETE", "/a/b%2Fc/d")).toEqual({
      kind: "matched",
      resourcePath: "/{proxy+}",
      method: "ANY",
      pathParameters: { proxy: "a/b/c/d" },
    });
  });

  it("picks the resource first: a method it lacks is no route, even if {proxy+} has ANY", () => {
    expect(table.match("DELETE", "/items/42")).toEqual({ kind: "no-route" });
    expect(table.match("POST", "/items/")).toMatchObject({ kind: "matched", resourcePath: "/items" });
  });

  it("rejects resource paths API Gateway rejects", () => {
    expect(() => new RouteTable([{ method: "GET", path: "/{proxy+}/x" }])).toThrow(ApiGatewayConfigError);
    expect(() => new RouteTable([{ method: "GET", path: "/a{b}" }])).toThrow(/must be a literal or a whole/);
  });
});
