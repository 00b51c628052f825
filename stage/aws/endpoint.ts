/**
 * The one local AWS endpoint: a node:http server on 127.0.0.1 that @aws-sdk/client-lambda,
 * @aws-sdk/client-cloudwatch and @aws-sdk/client-cloudwatch-logs accept as `endpoint`, with any static
 * credentials (SigV4 signatures are not checked). Dispatch:
 *
 * - `X-Amz-Target: GraniteServiceVersion20100801.<Op>` → CloudWatch, AWS JSON 1.0 (what the installed client
 *   sends; errors also carry `x-amzn-query-error` for its awsQuery compatibility)
 * - `X-Amz-Target: Logs_20140328.<Op>` → CloudWatch Logs, AWS JSON 1.1
 * - any other request → Lambda REST-JSON by method and path (`/2015-03-31/functions/...`, ...)
 *
 * Malformed requests (bad JSON, wrong content type, unknown target or path, bodies over 6 MB for Invoke and
 * 1 MB elsewhere) answer 4xx in the protocol's error shape; no request can crash the server.
 *
 * @example
 * const endpoint = await startAwsEndpoint({ lambda, metrics: new MetricStore(), logs: new LogStore() });
 * const client = new LambdaClient({ endpoint: endpoint.url, region: "us-east-1",
 *   credentials: { accessKeyId: "local", secretAccessKey: "local" } });
 * await endpoint.close();
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { CloudWatchApiError } from "../cloudwatch/errors.ts";
import type { LogStore } from "../cloudwatch/log-store.ts";
import type { MetricStore } from "../cloudwatch/metric-store.ts";
import type { LambdaControlPlane } from "../contracts.ts";
import { handleCloudWatch } from "./cloudwatch-api.ts";
import { AwsWireError } from "./errors.ts";
import { parseJsonObject, readBody, send, type WireResponse } from "./http-io.ts";
import { BODY_LIMIT_BYTES, lambdaErrorResponse, matchLambdaRoute, runLambdaRoute } from "./lambda-api.ts";
import { handleLogs } from "./logs-api.ts";

export interface AwsEndpointOptions {
  lambda: LambdaControlPlane;
  metrics: MetricStore;
  logs: LogStore;
  /** @default "127.0.0.1" */
  host?: string;
  /** @default 0 (any free port) */
  port?: number;
}

export interface AwsEndpoint {
  /** e.g. "http://127.0.0.1:41234": give it to the SDK clients as `endpoint`. */
  url: string;
  close(): Promise<void>;
}

const JSON_SERVICES = {
  GraniteServiceVersion20100801: {
    contentType: "application/x-amz-json-1.0",
    name: "CloudWatch",
    queryCompatible: true,
  },
  Logs_20140328: {
    contentType: "application/x-amz-json-1.1",
    name: "CloudWatch Logs",
    queryCompatible: false,
  },
} as const;

type JsonService = keyof typeof JSON_SERVICES;

export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<AwsEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    handle(options, req)
      .then((response) => send(res, response, requestId))
      .catch((error: unknown) => {
        // Last resort: never let one request take the server down.
        if (!res.headersSent) {
          send(
            res,
            { statusCode: 500, body: { __type: "ServiceException", message: String(error) } },
            requestId,
          );
        } else res.destroy();
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function handle(options: AwsEndpointOptions, req: http.IncomingMessage): Promise<WireResponse> {
  const target = headerOf(req, "x-amz-target");
  if (target !== undefined) return handleJson(options, req, target);
  return handleLambda(options, req);
}

async function handleJson(
  options: AwsEndpointOptions,
  req: http.IncomingMessage,
  target: string,
): Promise<WireResponse> {
  const dot = target.indexOf(".");
  const prefix = target.slice(0, dot);
  const service = prefix in JSON_SERVICES ? JSON_SERVICES[prefix as JsonService] : undefined;
  try {
    if (!service || dot < 0) {
      req.resume();
      throw new AwsWireError(
        "UnknownOperationException",
        400,
        `unknown X-Amz-Target "${target}": expected GraniteServiceVersion20100801.<Operation> (CloudWatch) or Logs_20140328.<Operation> (CloudWatch Logs)`,
      );
    }
    const contentType = (headerOf(req, "content-type") ?? "").split(";")[0]?.trim();
    if (contentType !== service.contentType) {
      req.resume();
      throw new AwsWireError(
        "UnsupportedMediaTypeException",
        415,
        `${service.name} expects Content-Type ${service.contentType}, got "${contentType ?? ""}"`,
      );
    }
    const body = parseJsonObject(await readBody(req, BODY_LIMIT_BYTES.other), "SerializationException");
    const operation = target.slice(dot + 1);
    return prefix === "Logs_20140328"
      ? handleLogs(operation, body, options.logs)
      : handleCloudWatch(operation, body, options.metrics);
  } catch (error) {
    const wire = toWireError(error);
    const headers: Record<string, string> = {
      "content-type": service?.contentType ?? "application/x-amz-json-1.1",
    };
    if (service?.queryCompatible) {
      headers["x-amzn-query-error"] =
        `${wire.code.replace(/Exception$/, "")};${wire.statusCode >= 500 ? "Receiver" : "Sender"}`;
    }
    return {
      statusCode: wire.statusCode,
      headers,
      body: { __type: wire.code, message: wire.message, ...wire.extra },
    };
  }
}

async function handleLambda(options: AwsEndpointOptions, req: http.IncomingMessage): Promise<WireResponse> {
  try {
    const url = new URL(req.url ?? "/", "http://local");
    const match = matchLambdaRoute(req.method ?? "GET", url.pathname);
    if (!match) {
      req.resume();
      throw new AwsWireError(
        "UnknownOperationException",
        404,
        `no Lambda operation at ${req.method} ${url.pathname}: the local endpoint serves the Lambda REST-JSON paths (/2015-03-31/functions/...) and CloudWatch / CloudWatch Logs by X-Amz-Target`,
      );
    }
    const body = await readBody(req, match.bodyLimitBytes);
    return await runLambdaRoute(match.route, options.lambda, {
      params: match.params,
      query: url.searchParams,
      body,
      headers: req.headers,
    });
  } catch (error) {
    return lambdaErrorResponse(toWireError(error));
  }
}

function toWireError(error: unknown): AwsWireError {
  if (error instanceof AwsWireError) return error;
  if (error instanceof CloudWatchApiError)
    return new AwsWireError(error.code, error.statusCode, error.message);
  const message = error instanceof Error ? error.message : String(error);
  return new AwsWireError("ServiceException", 500, `the local stage failed: ${message}`);
}

function headerOf(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
