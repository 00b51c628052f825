/**
 * The API Gateway front: a REST API or HTTP API stage on 127.0.0.1 (node:http). URLs look like execute-api's:
 * `http://127.0.0.1:<port>/<stageName>/items/42`, or `http://127.0.0.1:<port>/items/42` for an HTTP API's
 * `$default` stage. A REST API sends payload format 1.0 events, an HTTP API 2.0 events (http-api-event.ts) and
 * reads 2.0 responses (http-api-response.ts); each answers with its own gateway responses. Each request is matched against the template's routes,
 * turned into a proxy event, sent through the Lambda invoker to the alias, and answered with the function's
 * response or API Gateway's own gateway response; AWS/ApiGateway metrics go to the metric sink.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { LambdaInvoker, MetricSink } from "../contracts.ts";
import { ApiGatewayConfigError } from "./errors.ts";
import { GATEWAY_RESPONSES, type GatewayResponse, HTTP_API_GATEWAY_RESPONSES } from "./gateway-responses.ts";
import { buildHttpApiEvent } from "./http-api-event.ts";
import { answerClientError, readBody } from "./http-io.ts";
import { integrate } from "./integration.ts";
import { recordRequestMetrics } from "./metrics.ts";
import { buildProxyEvent } from "./proxy-event.ts";
import { pooledRandomBytes } from "./random-pool.ts";
import { type RouteDefinition, RouteTable } from "./routes.ts";
import { ACCOUNT_THROTTLE_LIMITS, type ThrottleLimits, TokenBucket } from "./throttle.ts";
import { UploadBudget } from "./upload-budget.ts";

export const DEFAULTS = {
  /** @default 0 (any free port) */
  port: 0,
  /** API Gateway's integration timeout for REST APIs. @default 29000 */
  integrationTimeoutMs: 29_000,
  /** An HTTP API's integration timeout (its maximum). @default 30000 */
  httpApiIntegrationTimeoutMs: 30_000,
  /** API Gateway's payload limit: 10 MB. @default 10485760 */
  maxBodyBytes: 10 * 1024 * 1024,
  /** Bound on the request line and headers together (API Gateway allows 10 KB of headers). @default 16384 */
  maxHeaderBytes: 16 * 1024,
  /** Time a client has to send the whole request. @default 60000 */
  requestTimeoutMs: 60_000,
  /** Time a client has to send the headers. @default 10000 */
  headersTimeoutMs: 10_000,
  /**
   * How often node checks the two timeouts above. Its default (30 s) let a slow client hold a connection
   * up to 30 s past them. @default 1000
   */
  connectionsCheckingIntervalMs: 1_000,
  /** Request bytes buffered at once across all requests; an upload that does not fit gets 429. @default 64 MiB */
  maxBufferedBytes: 64 * 1024 * 1024,
  /** API Gateway's throttling (token bucket). @default the account-level quota: 10,000 req/s, burst 5,000 */
  throttle: ACCOUNT_THROTTLE_LIMITS,
  /** Used when the template declares no BinaryMediaTypes. @default ["application/octet-stream", "image/*", ...] */
  binaryMediaTypes: [
    "application/octet-stream",
    "application/zip",
    "application/pdf",
    "image/*",
    "audio/*",
    "video/*",
  ],
  /** @default "000000000000" */
  accountId: "000000000000",
  /**
   * Connections the kernel holds for the front before it accepts them (node's default is 511). Past it the
   * kernel drops new connections' handshakes and clients retry after 1, 2, 4, 8 s: in a 2,000 req/s overload
   * run one fresh connection waited 19 s to connect (docs/reliability.md, "A fresh connection under
   * overload"). Linux caps it at net.core.somaxconn. @default 4096
   */
  listenBacklog: 4096,
} as const;

export interface ApiGatewayFrontOptions {
  routes: readonly RouteDefinition[];
  /** A REST API (payload format 1.0) or an HTTP API (payload format 2.0). @default "REST" */
  apiType?: "REST" | "HTTP";
  /** The stage in the URL, e.g. "prod". */
  stageName: string;
  /** ApiName dimension of a REST API's AWS/ApiGateway metrics. */
  apiName: string;
  /**
   * The API's id (requestContext.apiId, the URL's domain prefix) and, for an HTTP API, the ApiId dimension of
   * its metrics; the local stage passes the id its stack lists. @default a random 10-character id
   */
  apiId?: string;
  invoker: LambdaInvoker;
  functionName: string;
  /** The alias the API invokes, e.g. "live"; "$LATEST" when absent. */
  qualifier?: string;
  metricSink?: MetricSink;
  port?: number;
  integrationTimeoutMs?: number;
  maxBodyBytes?: number;
  maxHeaderBytes?: number;
  stageVariables?: Record<string, string> | null;
  binaryMediaTypes?: readonly string[];
  /** Time a client has to send the headers / the whole request (tests shorten them). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  maxBufferedBytes?: number;
  /** Stage throttling: rate and burst of the token bucket. @default DEFAULTS.throttle */
  throttle?: ThrottleLimits;
  /** requestContext.accountId. @default DEFAULTS.accountId */
  accountId?: string;
  /** Clock in epoch ms; tests may fake it. @default Date.now */
  now?: () => number;
}

export interface ApiGatewayFront {
  /** Base URL of the stage, e.g. "http://127.0.0.1:41234/prod". */
  url: string;
  port: number;
  apiId: string;
  close(): Promise<void>;
}

const ALPHANUM = "abcdefghijklmnopqrstuvwxyz0123456789";
function randomId(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHANUM[b % ALPHANUM.length]).join("");
}

function traceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${pooledRandomBytes(12).toString("hex")}`;
}

/**
 * Starts the front on 127.0.0.1.
 *
 * @example const front = await startApiGateway({ routes, stageName: "prod", apiName: "crud", invoker: lambda, functionName: "crud", qualifier: "live" });
 */
export async function startApiGateway(options: ApiGatewayFrontOptions): Promise<ApiGatewayFront> {
  const routes = new RouteTable(options.routes);
  const httpApi = options.apiType === "HTTP";
  if (!/^[A-Za-z0-9_-]+$/.test(options.stageName) && !(httpApi && options.stageName === "$default"))
    throw new ApiGatewayConfigError(
      `invalid stage name "${options.stageName}": expected letters, digits, - or _${httpApi ? ", or $default" : ""}`,
    );
  const now = options.now ?? Date.now;
  const apiId = options.apiId ?? randomId(10);
  // An HTTP API's $default stage is served at the root: no stage name in the URL.
  const stagePrefix = httpApi && options.stageName === "$default" ? "" : `/${options.stageName}`;
  const responses = httpApi ? HTTP_API_GATEWAY_RESPONSES : GATEWAY_RESPONSES;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
  const integrationTimeoutMs =
    options.integrationTimeoutMs ??
    (httpApi ? DEFAULTS.httpApiIntegrationTimeoutMs : DEFAULTS.integrationTimeoutMs);
  const binaryMediaTypes = options.binaryMediaTypes ?? DEFAULTS.binaryMediaTypes;
  // A REST API publishes its metrics by ApiName and Stage, an HTTP API by ApiId and Stage (AWS API Gateway
  // developer guide: "Amazon API Gateway dimensions and metrics", "Monitor CloudWatch metrics for HTTP APIs").
  // Frozen, so the metric store keys their series once (metric-store.ts).
  const metricsOf = httpApi
    ? { apiType: "HTTP" as const, dimensions: Object.freeze({ ApiId: apiId, Stage: options.stageName }) }
    : {
        apiType: "REST" as const,
        dimensions: Object.freeze({ ApiName: options.apiName, Stage: options.stageName }),
      };
  const resourceIds = new Map<string, string>();
  const resourceId = (path: string) => {
    let id = resourceIds.get(path);
    if (!id) {
      id = createHash("sha1").update(path).digest("hex").slice(0, 6);
      resourceIds.set(path, id);
    }
    return id;
  };
  let port = 0;
  const budget = new UploadBudget(options.maxBufferedBytes ?? DEFAULTS.maxBufferedBytes);
  const bucket = new TokenBucket(options.throttle ?? DEFAULTS.throttle);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const held = { heldBytes: 0 };
    try {
      await handleHeld(req, res, held);
    } finally {
      budget.give(held.heldBytes);
    }
  }

  async function handleHeld(
    req: IncomingMessage,
    res: ServerResponse,
    held: { heldBytes: number },
  ): Promise<void> {
    const startMs = performance.now();
    const requestTimeEpochMs = now();
    const requestId = randomUUID();
    const extendedRequestId = `${pooledRandomBytes(9).toString("base64")}=`;
    const trace = traceId(requestTimeEpochMs);
    let integrationLatencyMs: number | undefined;

    const finish = (statusCode: number, headers: [string, string][], body: Buffer) => {
      const flat: string[] = [];
      let hasContentType = false;
      for (const [name, value] of headers) {
        if (name.toLowerCase() === "content-type") hasContentType = true;
        flat.push(name, value);
      }
      if (!hasContentType) flat.push("Content-Type", "application/json");
      if (httpApi) flat.push("apigw-requestid", extendedRequestId);
      else
        flat.push(
          "x-amzn-RequestId",
          requestId,
          "x-amz-apigw-id",
          extendedRequestId,
          "X-Amzn-Trace-Id",
          trace,
        );
      flat.push("Content-Length", String(body.byteLength));
      res.writeHead(statusCode, flat);
      res.end(body);
      if (options.metricSink) {
        recordRequestMetrics(options.metricSink, metricsOf, {
          statusCode,
          latencyMs: performance.now() - startMs,
          ...(integrationLatencyMs !== undefined ? { integrationLatencyMs } : {}),
          timestampMs: requestTimeEpochMs,
        });
      }
    };
    const answer = (response: GatewayResponse) =>
      finish(
        response.statusCode,
        response.errorType ? [["x-amzn-ErrorType", response.errorType]] : [],
        Buffer.from(response.body),
      );

    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? "" : url.slice(q + 1);
    if (stagePrefix !== "" && rawPath !== stagePrefix && !rawPath.startsWith(`${stagePrefix}/`)) {
      req.resume();
      return answer(responses.forbidden);
    }
    const declaredLength = Number(req.headers["content-length"] ?? 0);
    if (declaredLength > maxBodyBytes) {
      res.shouldKeepAlive = false;
      req.resume();
      return answer(responses.requestTooLarge);
    }
    if (!bucket.take()) {
      req.resume();
      return answer(responses.throttled);
    }
    const body = await readBody(req, maxBodyBytes, budget, held);
    if (body === "aborted") {
      res.destroy();
      return;
    }
    if (body === "over-budget") {
      // The rest of the upload is not read: close the connection after the answer.
      res.shouldKeepAlive = false;
      req.resume();
      return answer(responses.throttled);
    }
    if (body === "too-large") {
      res.shouldKeepAlive = false;
      return answer(responses.requestTooLarge);
    }
    const path = rawPath.slice(stagePrefix.length) || "/";
    const match = routes.match(req.method ?? "GET", path);
    if (match.kind === "no-route") return answer(responses.missingAuthenticationToken);

    const host = req.headers.host ?? `127.0.0.1:${port}`;
    const build = httpApi
      ? (r: Parameters<typeof buildProxyEvent>[0], c: Parameters<typeof buildProxyEvent>[1]) =>
          buildHttpApiEvent(r, c, `${match.method} ${match.resourcePath}`)
      : buildProxyEvent;
    const event = build(
      {
        method: req.method ?? "GET",
        rawPath: path,
        rawQuery,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
        protocol: `HTTP/${req.httpVersion}`,
        localPort: port,
      },
      {
        stageName: options.stageName,
        resourcePath: match.resourcePath,
        pathParameters: match.pathParameters,
        stageVariables: options.stageVariables ?? null,
        requestId,
        extendedRequestId,
        apiId,
        accountId: options.accountId ?? DEFAULTS.accountId,
        resourceId: resourceId(match.resourcePath),
        domainName: host,
        domainPrefix: apiId,
        requestTimeEpochMs,
        traceId: trace,
        binaryMediaTypes,
      },
    );
    const integrationStartMs = performance.now();
    const result = await integrate(
      {
        invoker: options.invoker,
        functionName: options.functionName,
        ...(options.qualifier ? { qualifier: options.qualifier } : {}),
        timeoutMs: integrationTimeoutMs,
        format: httpApi ? "2.0" : "1.0",
      },
      event,
    );
    integrationLatencyMs = performance.now() - integrationStartMs;
    if (result.kind === "gateway") return answer(result.gateway);
    try {
      finish(result.response.statusCode, result.response.headers, result.response.body);
    } catch (error) {
      // A header name or value node refuses (control characters, ...): API Gateway rejects such output too.
      if (res.headersSent) throw error;
      answer(responses.badGateway);
    }
  }

  const server = createServer(
    {
      maxHeaderSize: options.maxHeaderBytes ?? DEFAULTS.maxHeaderBytes,
      requestTimeout: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
      headersTimeout: options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs,
      connectionsCheckingInterval: DEFAULTS.connectionsCheckingIntervalMs,
      keepAliveTimeout: 5_000,
    },
    (req, res) => {
      handle(req, res).catch(() => {
        // Last resort: the request must not take the front down.
        if (!res.headersSent) {
          res.writeHead(500, { "Content-Type": "application/json", "x-amzn-RequestId": randomUUID() });
          res.end(GATEWAY_RESPONSES.integrationFailure.body);
        } else res.destroy();
      });
    },
  );
  server.on("clientError", answerClientError);
  // CONNECT bypasses the request handler in node; without a listener the socket was dropped unanswered.
  server.on("connect", (_req: IncomingMessage, socket: Socket) => {
    const response = GATEWAY_RESPONSES.missingAuthenticationToken;
    socket.end(
      `HTTP/1.1 ${response.statusCode} Forbidden\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(response.body)}\r\nx-amzn-RequestId: ${randomUUID()}\r\n` +
        `x-amzn-ErrorType: ${response.errorType}\r\nConnection: close\r\n\r\n${response.body}`,
    );
  });
  const wantedPort = options.port ?? DEFAULTS.port;
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) =>
      reject(
        new ApiGatewayConfigError(
          error.code === "EADDRINUSE"
            ? `port ${wantedPort} on 127.0.0.1 is in use: pick another port, or 0 for any free one`
            : `the API front could not listen on 127.0.0.1:${wantedPort}: ${error.message}`,
          { cause: error },
        ),
      );
    server.once("error", fail);
    server.listen(wantedPort, "127.0.0.1", DEFAULTS.listenBacklog, () => {
      server.off("error", fail);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${stagePrefix}`,
    port,
    apiId,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
