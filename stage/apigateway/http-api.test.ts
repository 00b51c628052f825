/**
 * HTTP API (payload format 2.0) pieces of the front, against the real sample event
 * (../shared/fixtures/apigateway/apigw-v2-request-no-authorizer.json) and the documented response rules.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isHttpApiEvent, parseHttpEvent } from "../../service/http-event.ts";
import { buildHttpApiEvent } from "./http-api-event.ts";
import { mapHttpApiResponse } from "./http-api-response.ts";
import type { IncomingProxyRequest, ProxyEventContext } from "./proxy-event.ts";

const sample = JSON.parse(
  readFileSync("../shared/fixtures/apigateway/apigw-v2-request-no-authorizer.json", "utf8"),
);
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

/** Keys of the sample missing from `actual`, or of another JSON type. Header maps hold the request's own names. */
function differences(expected: unknown, actual: unknown, at: string): string[] {
  if (typeOf(expected) !== typeOf(actual))
    return [`${at}: expected ${typeOf(expected)}, got ${typeOf(actual)}`];
  if (typeOf(expected) !== "object" || at.endsWith(".headers")) return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  return Object.keys(e).flatMap((k) =>
    k in a ? differences(e[k], a[k], `${at}.${k}`) : [`${at}.${k}: missing`],
  );
}

const request = (overrides: Partial<IncomingProxyRequest> = {}): IncomingProxyRequest => ({
  method: "GET",
  rawPath: "/items/a%20b",
  rawQuery: "limit=2&tag=x&tag=y",
  rawHeaders: [
    "Host",
    "127.0.0.1:3000",
    "User-Agent",
    "curl/8",
    "X-Multi",
    "1",
    "x-multi",
    "2",
    "Cookie",
    "a=1; b=2",
  ],
  body: new Uint8Array(),
  sourceIp: "127.0.0.1",
  protocol: "HTTP/1.1",
  localPort: 3000,
  ...overrides,
});

const context = (overrides: Partial<ProxyEventContext> = {}): ProxyEventContext => ({
  stageName: "$default",
  resourcePath: "/items/{id}",
  pathParameters: { id: "a b" },
  stageVariables: null,
  requestId: "LV7fzho-PHcEJPw=",
  extendedRequestId: "LV7fzho-PHcEJPw=",
  apiId: "aaaaaaaaaa",
  accountId: "123456789012",
  resourceId: "abc123",
  domainName: "127.0.0.1:3000",
  domainPrefix: "aaaaaaaaaa",
  requestTimeEpochMs: 1587481701067,
  traceId: "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c",
  binaryMediaTypes: ["application/octet-stream"],
  ...overrides,
});

describe("buildHttpApiEvent", () => {
  it("has every key of a real HTTP API event with the same JSON types", () => {
    const event = buildHttpApiEvent(request(), context(), "GET /items/{id}");
    // requestContext.authentication is there only with mutual TLS (the sample's client certificate).
    const { authentication: _mtlsOnly, ...requestContext } = sample.requestContext;
    expect(differences({ ...sample, requestContext }, event, "event")).toEqual([]);
    expect(event.requestContext.time).toBe(sample.requestContext.time);
  });

  it("joins repeated headers and query values with commas, lower-cases names, splits cookies", () => {
    const event = buildHttpApiEvent(request(), context(), "GET /items/{id}");
    expect(event.headers["x-multi"]).toBe("1,2");
    expect(event.headers["user-agent"]).toBe("curl/8");
    expect(event.queryStringParameters).toEqual({ limit: "2", tag: "x,y" });
    expect(event.cookies).toEqual(["a=1", "b=2"]);
    expect(event.headers["cookie"]).toBeUndefined();
    expect(event.routeKey).toBe("GET /items/{id}");
    expect(event.rawPath).toBe("/items/a%20b");
    expect(event.pathParameters).toEqual({ id: "a b" });
  });

  it("puts a named stage in rawPath, and the service reads the path without it", () => {
    const event = buildHttpApiEvent(
      request({ rawQuery: "" }),
      context({ stageName: "prod" }),
      "GET /items/{id}",
    );
    expect(event.rawPath).toBe("/prod/items/a%20b");
    expect(event.queryStringParameters).toBeUndefined();
    expect(isHttpApiEvent(event)).toBe(true);
    expect(parseHttpEvent(event as unknown as Record<string, unknown>)).toMatchObject({
      format: "2.0",
      method: "GET",
      path: "/items/a%20b",
      pathParameters: { id: "a b" },
    });
  });

  it("passes a binary body base64-encoded and a text body as it is", () => {
    const text = buildHttpApiEvent(
      request({
        method: "POST",
        body: Buffer.from('{"a":1}'),
        rawHeaders: ["Content-Type", "application/json"],
      }),
      context(),
      "POST /items",
    );
    expect(text).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = buildHttpApiEvent(
      request({
        method: "POST",
        body: Buffer.from([0xff, 0]),
        rawHeaders: ["Content-Type", "application/octet-stream"],
      }),
      context(),
      "POST /items",
    );
    expect(binary).toMatchObject({ body: "/wA=", isBase64Encoded: true });
  });
});

describe("mapHttpApiResponse (payload format 2.0)", () => {
  const ok = (payload: string) => {
    const mapped = mapHttpApiResponse(payload);
    if (mapped.kind !== "ok") throw new Error(mapped.reason);
    return { ...mapped.response, text: mapped.response.body.toString("utf8") };
  };

  it("reads a structured response, the simple {statusCode, body} included, cookies as set-cookie", () => {
    expect(ok('{"statusCode":201,"body":"made"}')).toMatchObject({ statusCode: 201, text: "made" });
    const withCookies = ok('{"statusCode":200,"headers":{"x-a":"1"},"cookies":["s=1","t=2"],"body":"{}"}');
    expect(withCookies.headers).toEqual([
      ["x-a", "1"],
      ["set-cookie", "s=1"],
      ["set-cookie", "t=2"],
    ]);
  });

  it("turns output without statusCode into 200 application/json: a raw string as the body, other JSON as its text", () => {
    expect(ok('"Hello from Lambda!"')).toMatchObject({
      statusCode: 200,
      headers: [["content-type", "application/json"]],
      text: "Hello from Lambda!",
    });
    expect(ok('{"message":"hi"}')).toMatchObject({ statusCode: 200, text: '{"message":"hi"}' });
    expect(ok("[1,2]")).toMatchObject({ statusCode: 200, text: "[1,2]" });
  });

  it("calls output that is not JSON, or a bad structured response, malformed", () => {
    expect(mapHttpApiResponse("not json").kind).toBe("malformed");
    expect(mapHttpApiResponse('{"statusCode":"abc"}').kind).toBe("malformed");
    expect(mapHttpApiResponse('{"statusCode":200,"cookies":"s=1"}').kind).toBe("malformed");
  });
});
