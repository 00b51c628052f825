/**
 * The local AWS endpoint is locked like AWS (issue 20, "Found" 4: two text/plain POSTs, which a web page can
 * send without a CORS preflight, created a function from any directory with NODE_OPTIONS=--import=data:...
 * and invoked it). Now: SigV4 signatures checked with the secret, the protocols' content types only, a
 * loopback Host only, code only from allowed folders, and NODE_OPTIONS-like variables not honoured.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { honouredVariables } from "../lambda/runtime-env.ts";
import { TEST_FUNCTIONS_DIR } from "../lambda/test-support/memory-sinks.ts";
import { type AwsEndpoint, startAwsEndpoint } from "./endpoint.ts";
import { signedHeaders } from "./sigv4.ts";

const CREDENTIALS = { accessKeyId: "local", secretAccessKey: "0123456789abcdef0123456789abcdef" };
const lambda = new LocalLambda({ metricSink: new MetricStore(), logSink: new LogStore(), cpuScaling: "off" });
let endpoint: AwsEndpoint;
let client: LambdaClient;
let outside: string;

beforeAll(async () => {
  outside = mkdtempSync(path.join(tmpdir(), "powerbench-outside-"));
  writeFileSync(path.join(outside, "index.mjs"), "export const handler = async () => 'ran';\n");
  // A preload that leaves a mark if NODE_OPTIONS were honoured.
  writeFileSync(
    path.join(outside, "mark.cjs"),
    `require("node:fs").writeFileSync(${JSON.stringify(path.join(outside, "MARK"))}, "preloaded");\n`,
  );
  endpoint = await startAwsEndpoint({
    lambda,
    metrics: new MetricStore(),
    logs: new LogStore(),
    credentials: CREDENTIALS,
  });
  client = new LambdaClient({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await endpoint.close();
  await lambda.close();
  rmSync(outside, { recursive: true, force: true });
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** A raw request to the endpoint's port, with exactly these headers (Host included). */
function send(method: string, pathname: string, headers: Record<string, string>, body = ""): Promise<Answer> {
  const { port } = new URL(endpoint.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path: pathname, headers, agent: false, setHost: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["x-amzn-errortype"] ?? ""),
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const hostile = JSON.stringify({
  FunctionName: "evil",
  Handler: "index.handler",
  Runtime: "nodejs22.x",
  Role: "arn:aws:iam::123456789012:role/x",
  Code: { S3Bucket: "local", S3Key: "" },
  Environment: { Variables: { NODE_OPTIONS: "--import=data:text/javascript,console.log(1)" } },
});

async function functionNames(): Promise<string[]> {
  const listed = await client.send(new ListFunctionsCommand({}));
  return (listed.Functions ?? []).map((f) => f.FunctionName ?? "?");
}

describe("the local AWS endpoint refuses what AWS would", () => {
  it("a web page's two text/plain POSTs (create, invoke) create and run nothing", async () => {
    const host = new URL(endpoint.url).host;
    const create = await send(
      "POST",
      "/2015-03-31/functions",
      { host, "content-type": "text/plain;charset=UTF-8" },
      hostile.replace('"S3Key":""', `"S3Key":${JSON.stringify(outside)}`),
    );
    expect(create.status).toBe(415);
    const invoke = await send(
      "POST",
      "/2015-03-31/functions/evil/invocations",
      { host, "content-type": "text/plain" },
      "{}",
    );
    expect(invoke.status).toBe(415);
    expect(await functionNames()).not.toContain("evil");
  });

  it("an unsigned request: 403 MissingAuthenticationTokenException", async () => {
    const host = new URL(endpoint.url).host;
    const answer = await send("GET", "/2015-03-31/functions/", { host });
    expect(answer.status).toBe(403);
    expect(answer.type).toBe("MissingAuthenticationTokenException");
  });

  it("signed with another secret: 403 InvalidSignatureException; another key: UnrecognizedClientException", async () => {
    const url = new URL("/2015-03-31/functions/", endpoint.url);
    const wrongSecret = await signedHeaders(
      { method: "GET", url, headers: {}, body: "" },
      { ...CREDENTIALS, secretAccessKey: "local" },
    );
    expect((await send("GET", url.pathname, wrongSecret)).type).toBe("InvalidSignatureException");
    const wrongKey = await signedHeaders(
      { method: "GET", url, headers: {}, body: "" },
      { ...CREDENTIALS, accessKeyId: "AKIAOTHER" },
    );
    const answer = await send("GET", url.pathname, wrongKey);
    expect(answer.status).toBe(403);
    expect(answer.type).toBe("UnrecognizedClientException");
    // The real SDK with the stage's credentials is answered.
    expect(await functionNames()).toBeInstanceOf(Array);
  });

  it("a tampered body after signing: 403", async () => {
    const url = new URL("/2015-03-31/functions/x/invocations", endpoint.url);
    const headers = await signedHeaders(
      { method: "POST", url, headers: { "content-type": "application/json" }, body: "{}" },
      CREDENTIALS,
    );
    const answer = await send("POST", url.pathname, headers, '{"a":1}');
    expect(answer.status).toBe(403);
    expect(answer.type).toBe("InvalidSignatureException");
  });

  it("a signed request whose Host is not loopback (DNS rebinding): 403", async () => {
    const { port } = new URL(endpoint.url);
    const url = new URL(`http://rebind.example:${port}/2015-03-31/functions/`);
    const headers = await signedHeaders({ method: "GET", url, headers: {}, body: "" }, CREDENTIALS);
    expect(headers["host"]).toBe(`rebind.example:${port}`);
    const answer = await send("GET", url.pathname, headers);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatch(/loopback host/);
  });

  it("CreateFunction from a folder outside the allowed roots: AccessDeniedException, nothing created", async () => {
    const error = await client
      .send(
        new CreateFunctionCommand({
          FunctionName: "outsider",
          Handler: "index.handler",
          Runtime: "nodejs22.x",
          Role: "arn:aws:iam::123456789012:role/x",
          Code: { S3Bucket: "local", S3Key: outside },
        }),
      )
      .catch((e: unknown) => e as Error);
    expect((error as Error).name).toBe("AccessDeniedException");
    expect((error as Error).message).toMatch(/--code-root/);
    expect(await functionNames()).not.toContain("outsider");
  });

  it("NODE_OPTIONS from a function's environment is not honoured: its preload never runs", async () => {
    await client.send(
      new CreateFunctionCommand({
        FunctionName: "preloaded",
        Handler: "echo.handler",
        Runtime: "nodejs22.x",
        Role: "arn:aws:iam::123456789012:role/x",
        Code: { S3Bucket: "local", S3Key: TEST_FUNCTIONS_DIR },
        Environment: {
          Variables: { NODE_OPTIONS: `--require ${path.join(outside, "mark.cjs")}`, GREETING: "hi" },
        },
      }),
    );
    const out = await client.send(
      new InvokeCommand({ FunctionName: "preloaded", Payload: Buffer.from("{}") }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    const result = JSON.parse(Buffer.from(out.Payload ?? new Uint8Array()).toString("utf8")) as {
      env: { GREETING?: string };
    };
    expect(result.env.GREETING).toBe("hi"); // the function's own variables still arrive
    expect(existsSync(path.join(outside, "MARK"))).toBe(false);
  });

  it("process-control variables pass only when the stage allows them by name", () => {
    const vars = { NODE_OPTIONS: "--x", LD_PRELOAD: "/x.so", TABLE_NAME: "t" };
    expect(honouredVariables(vars, "")).toEqual({ TABLE_NAME: "t" });
    expect(honouredVariables(vars, "NODE_OPTIONS")).toEqual({ NODE_OPTIONS: "--x", TABLE_NAME: "t" });
  });
});
