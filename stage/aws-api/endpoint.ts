/**
 * The one local AWS endpoint: a node:http server on 127.0.0.1 that @aws-sdk/client-lambda,
 * @aws-sdk/client-cloudwatch and @aws-sdk/client-cloudwatch-logs accept as `endpoint`, with the stage's
 * credentials. It is locked like AWS (access.ts, sigv4.ts): loopback Host only, the protocols' content types
 * only, and every request SigV4-signed with those credentials (checked for real with the secret key). Dispatch:
 *
 * - `X-Amz-Target: GraniteServiceVersion20100801.<Op>` → CloudWatch, AWS JSON 1.0 (what the installed client
 *   sends; errors also carry `x-amzn-query-error` for its awsQuery compatibility)
 * - `X-Amz-Target: Logs_20140328.<Op>` → CloudWatch Logs, AWS JSON 1.1
 * - `POST /` with a form-encoded body (`Action=<Op>&Version=2010-05-15`) → CloudFormation, awsQuery (XML answers)
 * - `X-Amz-Target: AWSPriceListService.<Op>` → the Price List Query API, AWS JSON 1.1 (pricing-api.ts)
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
import { UploadBudget } from "../apigateway/upload-budget.ts";
import { CloudWatchApiError } from "../cloudwatch/errors.ts";
import type { LogStore } from "../cloudwatch/log-store.ts";
import type { MetricStore } from "../cloudwatch/metric-store.ts";
import type { LambdaControlPlane } from "../contracts.ts";
import { checkContentType, checkLoopbackHost } from "./access.ts";
import { handleCloudFormation, queryErrorResponse } from "./cloudformation-api.ts";
import { handleCloudWatch } from "./cloudwatch-api.ts";
import { DEFAULT_CODE_ROOTS } from "./code-roots.ts";
import { AwsWireError } from "./errors.ts";
import { decodeBody, parseJsonObject, readRawBody, send, type WireResponse } from "./http-io.ts";
import { BODY_LIMIT_BYTES, lambdaErrorResponse, matchLambdaRoute, runLambdaRoute } from "./lambda-api.ts";
import { StackStore } from "./local-stack.ts";
import { handleLogs } from "./logs-api.ts";
import { handlePricing, type PriceListCatalog } from "./pricing-api.ts";
import { type StaticCredentials, verifySigV4 } from "./sigv4.ts";

export interface AwsEndpointOptions {
  lambda: LambdaControlPlane;
  metrics: MetricStore;
  logs: LogStore;
  /** The stacks CloudFormation's DescribeStacks / ListStackResources answer about; none when absent. */
  stacks?: StackStore;
  /** The only credentials whose signatures are accepted. @default LOCAL_ENDPOINT_CREDENTIALS */
  credentials?: StaticCredentials;
  /** Folders CreateFunction / UpdateFunctionCode may take code from. @default DEFAULT_CODE_ROOTS (the project) */
  codeRoots?: readonly string[];
  /** Request bytes buffered at once across all requests (Invoke bodies are up to 6 MB). @default 64 MiB */
  maxBufferedBytes?: number;
  /** The products GetProducts serves (the Price List Query API); none when absent. */
  priceList?: PriceListCatalog;
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
  AWSPriceListService: {
    contentType: "application/x-amz-json-1.1",
    name: "Price List",
    queryCompatible: false,
  },
} as const;

type JsonService = keyof typeof JSON_SERVICES;

/** What an endpoint started without credentials accepts (tests that build one directly). */
export const LOCAL_ENDPOINT_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

export async function startAwsEndpoint(options: AwsEndpointOptions): Promise<AwsEndpoint> {
  const host = options.host ?? "127.0.0.1";
  const budget = new UploadBudget(options.maxBufferedBytes ?? 64 * 1024 * 1024);
  const server = http.createServer((req, res) => {
    const requestId = randomUUID();
    const held = { heldBytes: 0 };
    handle(options, req, budget, held)
      .finally(() => budget.give(held.heldBytes))
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

async function handle(
  options: AwsEndpointOptions,
  req: http.IncomingMessage,
  budget: UploadBudget,
  held: { heldBytes: number },
): Promise<WireResponse> {
  const target = headerOf(req, "x-amz-target");
  let url = new URL("http://local/");
  let match: ReturnType<typeof matchLambdaRoute>;
  let matchError: unknown;
  try {
    url = new URL(req.url ?? "/", "http://local");
    match = target === undefined ? matchLambdaRoute(req.method ?? "GET", url.pathname) : undefined;
  } catch (error) {
    matchError = error; // answered once the request is known to be signed
  }
  const query = target === undefined && isQueryRequest(req, url);
  let raw: Buffer;
  try {
    checkLoopbackHost(req);
    checkContentType(req);
    raw = await readRawBody(req, match?.bodyLimitBytes ?? BODY_LIMIT_BYTES.other, budget, held);
    await verifySigV4(req, raw, options.credentials ?? LOCAL_ENDPOINT_CREDENTIALS);
  } catch (error) {
    req.resume();
    if (query) return queryErrorResponse(toWireError(error));
    return target !== undefined
      ? jsonError(serviceOf(target), error)
      : lambdaErrorResponse(toWireError(error));
  }
  if (matchError !== undefined) return lambdaErrorResponse(toWireError(matchError));
  if (target !== undefined) return handleJson(options, req, target, raw);
  if (query) return handleQuery(options, req, raw);
  return handleLambda(options, req, url, match, raw);
}

/** awsQuery (CloudFormation): a form-encoded POST to the root path. */
function isQueryRequest(req: http.IncomingMessage, url: URL): boolean {
  const type = (headerOf(req, "content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  return req.method === "POST" && url.pathname === "/" && type === "application/x-www-form-urlencoded";
}

function handleQuery(options: AwsEndpointOptions, req: http.IncomingMessage, raw: Buffer): WireResponse {
  try {
    return handleCloudFormation(decodeBody(req, raw, BODY_LIMIT_BYTES.other), options.stacks ?? NO_STACKS);
  } catch (error) {
    return queryErrorResponse(toWireError(error));
  }
}

const NO_STACKS = new StackStore();

function serviceOf(target: string): (typeof JSON_SERVICES)[JsonService] | undefined {
  const prefix = target.slice(0, Math.max(0, target.indexOf(".")));
  return prefix in JSON_SERVICES ? JSON_SERVICES[prefix as JsonService] : undefined;
}

/** A JSON 1.0/1.1 error in the service's shape (with CloudWatch's awsQuery compatibility header). */
function jsonError(service: (typeof JSON_SERVICES)[JsonService] | undefined, error: unknown): WireResponse {
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

async function handleJson(
  options: AwsEndpointOptions,
  req: http.IncomingMessage,
  target: string,
  raw: Buffer,
): Promise<WireResponse> {
  const dot = target.indexOf(".");
  const prefix = target.slice(0, dot);
  const service = serviceOf(target);
  try {
    if (!service || dot < 0) {
      throw new AwsWireError(
        "UnknownOperationException",
        400,
        `unknown X-Amz-Target "${target}": expected GraniteServiceVersion20100801.<Operation> (CloudWatch) Logs_20140328.<Operation> (CloudWatch Logs) or AWSPriceListService.<Operation> (Price List)`,
      );
    }
    const contentType = (headerOf(req, "content-type") ?? "").split(";")[0]?.trim();
    if (contentType !== service.contentType) {
      throw new AwsWireError(
        "UnsupportedMediaTypeException",
        415,
        `${service.name} expects Content-Type ${service.contentType}, got "${contentType ?? ""}"`,
      );
    }
    const body = parseJsonObject(decodeBody(req, raw, BODY_LIMIT_BYTES.other), "SerializationException");
    const operation = target.slice(dot + 1);
    if (prefix === "AWSPriceListService") return handlePricing(operation, body, options.priceList);
    return prefix === "Logs_20140328"
      ? handleLogs(operation, body, options.logs)
      : handleCloudWatch(operation, body, options.metrics);
  } catch (error) {
    return jsonError(service, error);
  }
}

async function handleLambda(
  options: AwsEndpointOptions,
  req: http.IncomingMessage,
  url: URL,
  match: ReturnType<typeof matchLambdaRoute>,
  raw: Buffer,
): Promise<WireResponse> {
  try {
    if (!match) {
      throw new AwsWireError(
        "UnknownOperationException",
        404,
        `no Lambda operation at ${req.method} ${url.pathname}: the local endpoint serves the Lambda REST-JSON paths (/2015-03-31/functions/...) and CloudWatch / CloudWatch Logs by X-Amz-Target`,
      );
    }
    const body = decodeBody(req, raw, match.bodyLimitBytes);
    return await runLambdaRoute(match.route, options.lambda, {
      params: match.params,
      query: url.searchParams,
      body,
      headers: req.headers,
      codeRoots: options.codeRoots ?? DEFAULT_CODE_ROOTS,
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
