import { describe, expect, it } from "vitest";
import { createHandler } from "./handler.ts";
import { isHttpApiEvent, isRestApiEvent, parseHttpEvent, readJsonBody } from "./http-event.ts";
import { matchRoute, routeName } from "./routes.ts";
import { httpApiEvent, readFixture, restEvent } from "./test-support/events.ts";

describe("the real API Gateway sample events", () => {
  it("reads the REST (1.0) sample: method, path, query, lower-cased headers, body", () => {
    const event = readFixture("apigw-request.json");
    expect(isRestApiEvent(event)).toBe(true);
    expect(isHttpApiEvent(event)).toBe(false);
    const request = parseHttpEvent(event);
    expect(request).toMatchObject({
      format: "1.0",
      method: "POST",
      path: "/hello/world",
      query: { name: "me" },
      apiRequestId: "deef4878-7910-11e6-8f14-25afc3e9ae33",
    });
    expect(request.headers["content-type"]).toBe("application/json");
    expect(readJsonBody(request)).toEqual({ a: 1 });
  });

  it("reads the HTTP API (2.0) sample", () => {
    const event = readFixture("apigw-v2-request-no-authorizer.json");
    expect(isHttpApiEvent(event)).toBe(true);
    expect(isRestApiEvent(event)).toBe(false);
    expect(parseHttpEvent(event)).toMatchObject({
      format: "2.0",
      method: "GET",
      path: "/",
      query: {},
      rawBody: undefined,
      apiRequestId: "LV7fzho-PHcEJPw=",
    });
  });

  it("strips a named HTTP API stage from rawPath", () => {
    expect(parseHttpEvent(httpApiEvent({ method: "get", path: "/items/a1?limit=2" }))).toMatchObject({
      method: "GET",
      path: "/items/a1",
      query: { limit: "2" },
    });
  });

  it.each([
    ["REST 1.0", readFixture("apigw-request.json"), "POST /hello/world"],
    ["HTTP API 2.0", readFixture("apigw-v2-request-no-authorizer.json"), "GET /"],
  ])(
    "answers the %s sample (a route the API does not have) with a clean 404 JSON error",
    async (_name, event, what) => {
      const lines: string[] = [];
      const handler = createHandler({ config: { tableName: "items" }, writeLine: (l) => lines.push(l) });
      const response = (await handler(event, { awsRequestId: "lambda-req-1" })) as {
        statusCode: number;
        headers: Record<string, string>;
        body: string;
      };
      expect(response.statusCode).toBe(404);
      expect(response.headers["content-type"]).toBe("application/json");
      expect(response.headers["x-consumed-rcu"]).toBe("0");
      expect(response.headers["x-consumed-wcu"]).toBe("0");
      const body = JSON.parse(response.body);
      expect(body.error.code).toBe("NotFound");
      expect(body.error.requestId).toBe("lambda-req-1");
      expect(body.error.message).toContain(`no route for ${what}`);
      expect(body.error.message).toContain("GET /items/{id}");
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0] as string)).toMatchObject({
        level: "info",
        msg: "request",
        requestId: "lambda-req-1",
        route: "unmatched",
        status: 404,
        consumedRcu: 0,
        consumedWcu: 0,
        errorCode: "NotFound",
      });
    },
  );
});

describe("matchRoute", () => {
  it.each([
    ["POST", "/items", "POST /items", {}],
    ["GET", "/items", "GET /items", {}],
    ["GET", "/items/abc", "GET /items/{id}", { id: "abc" }],
    ["PUT", "/items/abc", "PUT /items/{id}", { id: "abc" }],
    ["PATCH", "/items/abc", "PATCH /items/{id}", { id: "abc" }],
    ["DELETE", "/items/a%2Fb", "DELETE /items/{id}", { id: "a/b" }],
    ["POST", "/dynamodbmanager", "POST /dynamodbmanager", {}],
  ])("%s %s → %s", (method, path, name, params) => {
    const matched = matchRoute(method, path);
    expect(routeName(matched.route)).toBe(name);
    expect(matched.params).toEqual(params);
  });

  it("answers a known path with another method with 405 and the allowed methods", () => {
    expect(() => matchRoute("DELETE", "/items")).toThrow(
      /method DELETE is not allowed on \/items: use POST, GET/,
    );
  });

  it.each([
    ["GET", "/items/a/b"],
    ["GET", "/"],
    ["GET", "/item"],
  ])("answers %s %s with 404 naming the routes", (method, path) => {
    expect(() => matchRoute(method, path)).toThrow(
      /no route for .*: the API serves POST \/items, GET \/items/,
    );
  });

  it("normalises a trailing slash when reading an event", () => {
    expect(parseHttpEvent(restEvent({ method: "POST", path: "/items/" })).path).toBe("/items");
  });
});
