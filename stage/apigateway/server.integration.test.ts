import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { InvokeOutcome, InvokeRequest, LambdaInvoker, MetricDatum } from "../contracts.ts";
import type { ApiGatewayProxyEvent } from "./proxy-event.ts";
import { type ApiGatewayFront, startApiGateway } from "./server.ts";
import { eventShapeDifferences } from "./test-support/event-shape.ts";

/** A real in-process invoker: runs a handler function per request, like a function behind an alias would. */
class HandlerInvoker implements LambdaInvoker {
  readonly requests: InvokeRequest[] = [];
  constructor(private readonly handler: (event: ApiGatewayProxyEvent) => Promise<InvokeOutcome>) {}
  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    this.requests.push(request);
    return this.handler(JSON.parse(request.payload) as ApiGatewayProxyEvent);
  }
}

const ok = (body: unknown): InvokeOutcome => ({
  status: "ok",
  requestId: "r",
  executedVersion: "1",
  payload: JSON.stringify(body),
});

const ROUTES = [
  { method: "GET", path: "/items" },
  { method: "POST", path: "/items" },
  { method: "GET", path: "/items/{id}" },
  { method: "PUT", path: "/items/{id}" },
  { method: "ANY", path: "/files/{proxy+}" },
  { method: "POST", path: "/dynamodbmanager" },
];

const fronts: ApiGatewayFront[] = [];
afterEach(async () => {
  await Promise.all(fronts.splice(0).map((f) => f.close()));
});

async function front(
  handler: (event: ApiGatewayProxyEvent) => Promise<InvokeOutcome>,
  extra: { integrationTimeoutMs?: number; maxBodyBytes?: number; metrics?: MetricDatum[] } = {},
) {
  const invoker = new HandlerInvoker(handler);
  const started = await startApiGateway({
    routes: ROUTES,
    stageName: "prod",
    apiName: "crud-api",
    invoker,
    functionName: "crud",
    qualifier: "live",
    stageVariables: { mode: "test" },
    ...(extra.metrics ? { metricSink: { put: (d: MetricDatum) => extra.metrics?.push(d) } } : {}),
    ...(extra.integrationTimeoutMs ? { integrationTimeoutMs: extra.integrationTimeoutMs } : {}),
    ...(extra.maxBodyBytes ? { maxBodyBytes: extra.maxBodyBytes } : {}),
  });
  fronts.push(started);
  return { url: started.url, invoker, port: started.port };
}

const echo = async (event: ApiGatewayProxyEvent) => ok({ statusCode: 200, body: JSON.stringify(event) });

describe("API Gateway front: proxy events", () => {
  it("builds events with the keys and types of the real sample event", async () => {
    // Prepare
    const { url, invoker } = await front(echo);
    // Act
    const res = await fetch(`${url}/files/hello/world?name=me&name=you`, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "powerbench-test" },
      body: '{"a":1}',
    });
    // Assess
    expect(res.status).toBe(200);
    const event = JSON.parse(await res.text()) as ApiGatewayProxyEvent;
    expect(eventShapeDifferences(event)).toEqual([]);
    expect(event).toMatchObject({
      resource: "/files/{proxy+}",
      path: "/files/hello/world",
      httpMethod: "POST",
      queryStringParameters: { name: "you" },
      multiValueQueryStringParameters: { name: ["me", "you"] },
      pathParameters: { proxy: "hello/world" },
      stageVariables: { mode: "test" },
      body: '{"a":1}',
      isBase64Encoded: false,
      requestContext: {
        stage: "prod",
        path: "/prod/files/hello/world",
        resourcePath: "/files/{proxy+}",
        httpMethod: "POST",
        protocol: "HTTP/1.1",
        identity: { sourceIp: "127.0.0.1", userAgent: "powerbench-test" },
      },
    });
    expect(event.headers?.["X-Forwarded-For"]).toBe("127.0.0.1");
    expect(event.requestContext["requestTime"]).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(event.requestContext["requestId"]).toBe(res.headers.get("x-amzn-requestid"));
    expect(invoker.requests[0]).toMatchObject({ functionName: "crud", qualifier: "live" });
  });

  it("passes binary bodies base64-encoded and text bodies as text; no body is null", async () => {
    const { url } = await front(echo);
    const bytes = new Uint8Array([0, 255, 1, 254]);
    const binary = (await (
      await fetch(`${url}/items`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body: bytes,
      })
    ).json()) as ApiGatewayProxyEvent;
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body ?? "", "base64")).toEqual(Buffer.from(bytes));
    const none = (await (await fetch(`${url}/items/a%20b`)).json()) as ApiGatewayProxyEvent;
    expect(none).toMatchObject({ body: null, isBase64Encoded: false, pathParameters: { id: "a b" } });
    expect(none.queryStringParameters).toBeNull();
    expect(none.multiValueQueryStringParameters).toBeNull();
  });
});

describe("API Gateway front: responses", () => {
  it("maps status, headers, multi-value headers and base64 bodies of the proxy response", async () => {
    const { url } = await front(async () =>
      ok({
        statusCode: 201,
        headers: { "content-type": "image/png", "x-one": "1" },
        multiValueHeaders: { "set-cookie": ["a=1", "b=2"] },
        body: Buffer.from([137, 80, 78, 71]).toString("base64"),
        isBase64Encoded: true,
      }),
    );
    const res = await fetch(`${url}/items`, { method: "POST", body: "{}" });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("x-one")).toBe("1");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([137, 80, 78, 71]));
    expect(res.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ["not JSON", { status: "ok", requestId: "r", executedVersion: "1", payload: "garbage" }],
    [
      "a body that is not a string",
      { status: "ok", requestId: "r", executedVersion: "1", payload: '{"statusCode":200,"body":{"a":1}}' },
    ],
    ["no statusCode", { status: "ok", requestId: "r", executedVersion: "1", payload: '{"body":"x"}' }],
    [
      "an unexpected field",
      { status: "ok", requestId: "r", executedVersion: "1", payload: '{"statusCode":200,"message":"x"}' },
    ],
    [
      "a function error",
      {
        status: "function-error",
        functionError: "Unhandled",
        requestId: "r",
        executedVersion: "1",
        payload: "{}",
      },
    ],
  ] as [string, InvokeOutcome][])("answers 502 Internal server error for %s", async (_what, outcome) => {
    const { url } = await front(async () => outcome);
    const res = await fetch(`${url}/items`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ message: "Internal server error" });
    expect(res.headers.get("x-amzn-errortype")).toBe("InternalServerErrorException");
    expect(res.headers.get("x-amzn-requestid")).toBeTruthy();
  });

  it("answers a throttled function with 500 Internal server error, as a REST proxy integration does", async () => {
    const { url } = await front(async () => ({ status: "throttled", message: "Rate Exceeded." }));
    const res = await fetch(`${url}/items`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal server error" });
  });

  it("answers 504 Endpoint request timed out after the integration timeout", async () => {
    let release: (() => void) | undefined;
    const { url } = await front(
      () =>
        new Promise<InvokeOutcome>((resolve) => {
          release = () => resolve(ok({ statusCode: 200, body: "late" }));
        }),
      { integrationTimeoutMs: 50 },
    );
    const res = await fetch(`${url}/items`);
    release?.();
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ message: "Endpoint request timed out" });
  });

  it("answers 403 for unknown routes, methods and stages, without invoking", async () => {
    const { url, invoker, port } = await front(echo);
    for (const [method, target] of [
      ["GET", `${url}/nope`],
      ["DELETE", `${url}/items`],
      ["GET", `${url}/items/1/2`],
      ["GET", `http://127.0.0.1:${port}/other/items`],
    ] as const) {
      const res = await fetch(target, { method });
      expect(res.status, `${method} ${target}`).toBe(403);
      expect(res.headers.get("x-amzn-requestid")).toBeTruthy();
      await res.body?.cancel();
    }
    const missing = await fetch(`${url}/nope`);
    expect(await missing.json()).toEqual({ message: "Missing Authentication Token" });
    expect(invoker.requests).toHaveLength(0);
  });

  it("answers 413 for a body over the payload limit", async () => {
    const { url, invoker } = await front(echo, { maxBodyBytes: 1024 });
    const res = await fetch(`${url}/items`, { method: "POST", body: "x".repeat(2048) });
    expect(res.status).toBe(413);
    expect(invoker.requests).toHaveLength(0);
  });

  it("answers 413 Request Too Long, without invoking, when the event is over Lambda's 6 MB invoke limit", async () => {
    // 7 MB: under API Gateway's 10 MB, over Lambda's 6 MB for a synchronous event (the body and its envelope).
    const { url, invoker } = await front(echo);
    const res = await fetch(`${url}/items`, { method: "POST", body: "x".repeat(7 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(res.headers.get("x-amzn-errortype")).toBe("BadRequestException");
    expect(await res.json()).toEqual({ message: "Request Too Long" });
    expect(invoker.requests).toHaveLength(0);
    // Just under the limit still reaches the function.
    const near = await fetch(`${url}/items`, { method: "POST", body: "x".repeat(5 * 1024 * 1024) });
    expect(near.status).toBe(200);
    await near.body?.cancel();
    expect(invoker.requests).toHaveLength(1);
  });

  it("records Count, 4XXError, 5XXError, Latency and IntegrationLatency with ApiName and Stage", async () => {
    const metrics: MetricDatum[] = [];
    const { url } = await front(echo, { metrics });
    await (await fetch(`${url}/items`)).text();
    await (await fetch(`${url}/nope`)).text();
    const byName = (name: string) => metrics.filter((m) => m.metricName === name).map((m) => m.value);
    expect(byName("Count")).toEqual([1, 1]);
    expect(byName("4XXError")).toEqual([0, 1]);
    expect(byName("5XXError")).toEqual([0, 0]);
    expect(byName("Latency")).toHaveLength(2);
    expect(byName("IntegrationLatency")).toHaveLength(1);
    expect(metrics.every((m) => m.namespace === "AWS/ApiGateway")).toBe(true);
    expect(metrics[0]?.dimensions).toEqual({ ApiName: "crud-api", Stage: "prod" });
  });
});

describe("API Gateway front: start-up", () => {
  it("says which port is taken and what to do", async () => {
    const { port } = await front(echo);
    await expect(
      startApiGateway({
        routes: ROUTES,
        stageName: "prod",
        apiName: "x",
        invoker: new HandlerInvoker(echo),
        functionName: "f",
        port,
      }),
    ).rejects.toThrow(`port ${port} on 127.0.0.1 is in use: pick another port, or 0 for any free one`);
  });
});

describe("API Gateway front: hostile clients", () => {
  function raw(port: number, text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.write(text));
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk.toString();
      });
      socket.on("close", () => resolve(data));
      socket.on("error", reject);
    });
  }

  it("answers malformed HTTP with 400 and oversized headers with 431, and keeps serving", async () => {
    const { url, port } = await front(echo);
    const garbage = await raw(port, "NOT HTTP AT ALL\r\n\r\n");
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    expect(garbage).toMatch(/\r\nx-amzn-RequestId: [0-9a-f-]{36}\r\n/);
    expect(
      await raw(port, `GET /prod/items HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 431/);
    expect(await raw(port, "POST /prod/items HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")).toMatch(
      /^HTTP\/1\.1 400/,
    );
    expect((await fetch(`${url}/items`)).status).toBe(200);
  });
});
