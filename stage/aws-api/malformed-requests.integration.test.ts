/**
 * Malformed requests answer 4xx in the protocol's own error shape and never take the server down: after each,
 * the real SDK client still gets answers from the same endpoint.
 */
import http from "node:http";
import { gzipSync } from "node:zlib";
import { ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { TEST_FUNCTIONS_DIR } from "../lambda/test-support/memory-sinks.ts";
import { type AwsEndpoint, LOCAL_ENDPOINT_CREDENTIALS, startAwsEndpoint } from "./endpoint.ts";
import { signedHeaders } from "./sigv4.ts";
import { localClients } from "./test-support/clients.ts";

const lambda = new LocalLambda({ metricSink: new MetricStore(), logSink: new LogStore(), cpuScaling: "off" });
let endpoint: AwsEndpoint;
let clients: ReturnType<typeof localClients>;

beforeAll(async () => {
  endpoint = await startAwsEndpoint({ lambda, metrics: new MetricStore(), logs: new LogStore() });
  clients = localClients(endpoint.url);
  await lambda.createFunction({
    FunctionName: "sizer",
    Handler: "echo.handler",
    Code: { LocalPath: TEST_FUNCTIONS_DIR },
  });
});
afterAll(async () => {
  clients.destroy();
  await endpoint.close();
  await lambda.close();
});

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer | string = "",
): Promise<Raw> {
  const url = new URL(path, endpoint.url);
  // Signed as the SDK signs: these cases test what comes after the signature check.
  const signed = await signedHeaders({ method, url, headers, body }, LOCAL_ENDPOINT_CREDENTIALS);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: signed, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

const cw = {
  "content-type": "application/x-amz-json-1.0",
  "x-amz-target": "GraniteServiceVersion20100801.GetMetricData",
};
const logsJson = {
  "content-type": "application/x-amz-json-1.1",
  "x-amz-target": "Logs_20140328.FilterLogEvents",
};
const MB = 1024 * 1024;
const bigJson = (bytes: number) => JSON.stringify({ pad: "x".repeat(bytes) });

// [case, method, path, headers, body, expected status, expected error code (JSON __type or x-amzn-ErrorType)]
const table: [string, string, string, Record<string, string>, Buffer | string, number, string][] = [
  ["CloudWatch: bad JSON", "POST", "/", cw, "{not json", 400, "SerializationException"],
  ["CloudWatch: a JSON array", "POST", "/", cw, "[1,2]", 400, "SerializationException"],
  [
    "CloudWatch: wrong content type",
    "POST",
    "/",
    { ...cw, "content-type": "text/plain" },
    "{}",
    415,
    "UnsupportedMediaTypeException",
  ],
  [
    "CloudWatch: unknown operation",
    "POST",
    "/",
    { ...cw, "x-amz-target": "GraniteServiceVersion20100801.PutMetricAlarm" },
    "{}",
    400,
    "UnknownOperationException",
  ],
  ["CloudWatch: missing members", "POST", "/", cw, "{}", 400, "InvalidParameterValueException"],
  [
    "CloudWatch: wrong member type",
    "POST",
    "/",
    cw,
    '{"MetricDataQueries":"x"}',
    400,
    "InvalidParameterValueException",
  ],
  [
    "unknown target service",
    "POST",
    "/",
    { ...cw, "x-amz-target": "DynamoDB_20120810.GetItem" },
    "{}",
    400,
    "UnknownOperationException",
  ],
  [
    "target without an operation",
    "POST",
    "/",
    { ...cw, "x-amz-target": "GraniteServiceVersion20100801" },
    "{}",
    400,
    "UnknownOperationException",
  ],
  ["Logs: giant body (2 MB)", "POST", "/", logsJson, bigJson(2 * MB), 413, "RequestTooLargeException"],
  [
    "Logs: gzip that is not gzip",
    "POST",
    "/",
    { ...logsJson, "content-encoding": "gzip" },
    "garbage",
    400,
    "SerializationException",
  ],
  [
    "Logs: gzip bomb over the cap",
    "POST",
    "/",
    { ...logsJson, "content-encoding": "gzip" },
    gzipSync(bigJson(3 * MB)),
    413,
    "RequestTooLargeException",
  ],
  [
    "Logs: unknown content encoding",
    "POST",
    "/",
    { ...logsJson, "content-encoding": "br" },
    "{}",
    415,
    "UnsupportedMediaTypeException",
  ],
  ["Lambda: unknown path", "GET", "/2099-01-01/nothing", {}, "", 404, "UnknownOperationException"],
  [
    "Lambda: unknown method on a known path",
    "PATCH",
    "/2015-03-31/functions/sizer",
    {},
    "",
    404,
    "UnknownOperationException",
  ],
  [
    "Lambda: bad JSON",
    "PUT",
    "/2015-03-31/functions/sizer/configuration",
    { "content-type": "application/json" },
    "{oops",
    400,
    "InvalidRequestContentException",
  ],
  [
    "Lambda: bad percent-encoding",
    "GET",
    "/2015-03-31/functions/%E0%A4%A/configuration",
    {},
    "",
    400,
    "InvalidParameterValueException",
  ],
  [
    "Lambda: invalid function name",
    "GET",
    "/2015-03-31/functions/bad%20name/configuration",
    {},
    "",
    400,
    "InvalidParameterValueException",
  ],
  [
    "Lambda: giant body (2 MB) outside Invoke",
    "POST",
    "/2015-03-31/functions/sizer/aliases",
    {},
    bigJson(2 * MB),
    413,
    "RequestTooLargeException",
  ],
  [
    "Invoke: payload not JSON",
    "POST",
    "/2015-03-31/functions/sizer/invocations",
    {},
    "not json",
    400,
    "InvalidRequestContentException",
  ],
  [
    "Invoke: over 6 MB",
    "POST",
    "/2015-03-31/functions/sizer/invocations",
    {},
    bigJson(7 * MB),
    413,
    "RequestTooLargeException",
  ],
  [
    "Invoke: bad invocation type",
    "POST",
    "/2015-03-31/functions/sizer/invocations",
    { "x-amz-invocation-type": "Later" },
    "{}",
    400,
    "InvalidParameterValueException",
  ],
];

describe("malformed requests", () => {
  it.each(table)("%s → %i", async (_name, method, path, headers, body, status, code) => {
    const res = await raw(method, path, headers, body);
    expect(res.status).toBe(status);
    const parsed = JSON.parse(res.body) as { __type?: string; message?: string };
    const errorType = res.headers["x-amzn-errortype"] ?? parsed.__type;
    expect(errorType).toBe(code);
    expect(parsed.message?.length ?? 0).toBeGreaterThan(10);
    // The server is still up and serving the real SDK client.
    const listed = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.[0]?.FunctionName).toBe("sizer");
  });

  it("accepts an Invoke payload just under 6 MB", async () => {
    const payload = bigJson(5 * MB);
    const res = await raw("POST", "/2015-03-31/functions/sizer/invocations", {}, payload);
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { event: { pad: string } }).event.pad.length).toBe(5 * MB);
  });

  it("survives a client that hangs up in the middle of a body", async () => {
    await new Promise<void>((resolve) => {
      const req = http.request(new URL("/", endpoint.url), {
        method: "POST",
        headers: { ...logsJson, "content-length": "100000" },
        agent: false,
      });
      req.on("error", () => resolve());
      req.write('{"logGroupName":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 20);
    });
    const listed = await clients.lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions).toHaveLength(1);
  });
});
