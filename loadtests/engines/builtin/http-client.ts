/**
 * Sends the workload's requests to one origin over a fixed set of undici keep-alive connections (one undici
 * `Client` each, no pipelining: at most one request on a connection at a time) and reports the status (0 when
 * there was no HTTP answer) and the transport error kind. A request that finds every connection busy waits in
 * a FIFO queue for the next one to free up, as in undici's `Pool`.
 *
 * Why Clients and not a `Pool`: the engine hears of each response and sends the next request at once, while
 * undici keeps a finished connection marked busy until the next event-loop turn; a `Pool` then routes every
 * request through its own queue and drain events. Tracking idle connections here (the only state a pool of
 * one-request connections needs) saves that work on every request, with the same undici connections under it.
 *
 * The hot path allocates one small handler object per request and no promises or closures: the caller passes
 * one outcome listener for the whole run and a number (the engine's intended start time) that is handed back.
 */
import { Client } from "undici";
import { LAMBDA_REQUEST_ID_HEADER } from "../../../service/headers.ts";
import { ConfigError } from "../../errors.ts";
import type { PlannedRequest } from "../../workload/model.ts";

export type TransportError = "timeout" | "connection";

/**
 * Called exactly once per sent request. `status` is 0 when there was no HTTP answer; `cut` is true when the
 * request was cut by our own stop (abort or graceful-stop expiry), not by the server.
 */
export type OutcomeListener = (
  request: PlannedRequest,
  tag: number,
  status: number,
  transportError: TransportError | undefined,
  cut: boolean,
  /** The `x-lambda-request-id` response header, when the answer had one. */
  lambdaRequestId?: string,
  /** The transport error's code (`ECONNREFUSED`, `ECONNRESET`, `UND_ERR_SOCKET`, ...), when there was one. */
  transportErrorCode?: string,
  /** Bytes of the response body received, when there was an answer. */
  responseBytes?: number,
) => void;

export interface HttpClientOptions {
  /** Keep-alive connections to open at most (opened on demand). */
  connections: number;
  /** Limit for connecting, for the response headers and for each gap in the body. */
  requestTimeoutMs: number;
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);
const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };
const NO_BODY_HEADERS = { accept: "application/json" };

/** Splits a base URL into origin and path prefix; only http and https. */
export function parseTarget(target: string): { origin: string; basePath: string } {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new ConfigError(
      "target",
      `expected an absolute URL like http://127.0.0.1:3000/prod, got "${target}"`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError("target", `expected an http:// or https:// URL, got "${target}"`);
  }
  return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, "") };
}

/**
 * One request's dispatch handler. Methods live on the prototype, so a request costs one object, not a set of
 * closures; the body is read and dropped chunk by chunk.
 *
 * It implements undici's original handler methods (onConnect, onHeaders, onData, onComplete, onError), which
 * undici 7 still runs natively and marks deprecated in its types: a handler with the newer controller methods
 * (onRequestStart, ...) is wrapped per request in an adapter that also parses the raw response headers and
 * trailers into objects, work a load generator does not need (about 1 µs of the ~13 µs CPU per request here).
 * The engine's tests exercise every method, so an undici release that drops them fails them at once.
 */
class Exchange {
  private status = 0;
  /** The `x-lambda-request-id` header of the answer, when it had one. */
  lambdaRequestId: string | undefined;
  /** The connection carrying it, once it left the wait queue. */
  connection: Client | undefined;
  /** Bytes of the response body so far (HTTP API metering: the exchange's size). */
  responseBytes = 0;

  constructor(
    private readonly owner: HttpClient,
    readonly request: PlannedRequest,
    readonly tag: number,
  ) {}

  onConnect(): void {}

  onHeaders(statusCode: number, rawHeaders?: Buffer[] | string[] | null): boolean {
    this.status = statusCode;
    if (rawHeaders) this.lambdaRequestId = findHeader(rawHeaders, LAMBDA_REQUEST_ID_HEADER);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.responseBytes += chunk.length;
    return true;
  }

  onComplete(): void {
    this.owner.settle(this, this.status, undefined);
  }

  onError(error: Error): void {
    this.owner.settle(this, 0, error);
  }
}

/** A header's value in undici's raw list (name, value, name, value, ...); names compared case-insensitively. */
export function findHeader(rawHeaders: ReadonlyArray<Buffer | string>, name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i] as Buffer | string;
    if (key.length !== name.length) continue;
    if (key.toString().toLowerCase() === name) return (rawHeaders[i + 1] as Buffer | string).toString();
  }
  return undefined;
}

export class HttpClient {
  private readonly origin: string;
  private readonly basePath: string;
  private readonly clientOptions: Client.Options;
  private readonly maxConnections: number;
  private readonly connections: Client[] = [];
  /** Connections with no request on them (a stack: the most recently used is reused first). */
  private readonly idle: Client[] = [];
  /** Requests waiting for a connection, oldest first (from `waitingHead` on). */
  private waiting: Array<Exchange | undefined> = [];
  private waitingHead = 0;
  /** Set when we cut the in-flight requests ourselves, so their failures are not counted as errors. */
  private cutting = false;

  constructor(
    target: string,
    options: HttpClientOptions,
    private readonly listener: OutcomeListener,
  ) {
    const { origin, basePath } = parseTarget(target);
    this.origin = origin;
    this.basePath = basePath;
    this.maxConnections = Math.max(1, options.connections);
    this.clientOptions = {
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connectTimeout: options.requestTimeoutMs,
    };
  }

  /**
   * Sends one request on an idle connection (opening one if fewer than `connections` are open) or queues it
   * for the next connection to free up. The listener hears of it once, when the whole response arrived or
   * the request failed. `tag` is handed back to the listener as is.
   */
  send(request: PlannedRequest, tag: number): void {
    if (this.cutting) {
      this.listener(request, tag, 0, undefined, true);
      return;
    }
    const exchange = new Exchange(this, request, tag);
    let connection = this.idle.pop();
    if (!connection && this.connections.length < this.maxConnections) {
      connection = new Client(this.origin, this.clientOptions);
      this.connections.push(connection);
    }
    if (connection) this.start(connection, exchange);
    else this.waiting.push(exchange);
  }

  private start(connection: Client, exchange: Exchange): void {
    exchange.connection = connection;
    const request = exchange.request;
    try {
      connection.dispatch(
        {
          path: this.basePath + request.path,
          method: request.method,
          headers: {
            ...(request.body === undefined ? NO_BODY_HEADERS : JSON_HEADERS),
            ...request.headers,
          },
          body: request.body ?? null,
        },
        exchange,
      );
    } catch (error) {
      exchange.onError(error as Error);
    }
  }

  /**
   * An exchange ended: its connection takes the oldest waiting request or goes idle; then the listener hears.
   *
   * After an error the connection is handed on only on the next turn of the event loop. undici calls
   * `onError` while it fails the requests queued on a Client whose connect failed (client.js `onError`), and
   * then asserts that queue is empty; a request dispatched onto that Client from inside the callback breaks
   * the assertion and undici throws an AssertionError out of its socket callback, which crashed the engine
   * under overload (issue 20). On success undici has already finished with the request, so the hand-on is
   * immediate there.
   */
  settle(exchange: Exchange, status: number, error: Error | undefined): void {
    const connection = exchange.connection;
    if (connection && !this.cutting) {
      if (error === undefined) this.handOn(connection);
      else setImmediate(() => this.handOn(connection));
    }
    if (error === undefined)
      this.listener(
        exchange.request,
        exchange.tag,
        status,
        undefined,
        false,
        exchange.lambdaRequestId,
        undefined,
        exchange.responseBytes,
      );
    else if (this.cutting) this.listener(exchange.request, exchange.tag, 0, undefined, true);
    else {
      const code = (error as { code?: string }).code || error.name || "unknown";
      const kind = TIMEOUT_CODES.has(code) ? "timeout" : "connection";
      this.listener(exchange.request, exchange.tag, 0, kind, false, undefined, code);
    }
  }

  /** A free connection takes the oldest waiting request, or goes idle. */
  private handOn(connection: Client): void {
    if (this.cutting) return;
    const next = this.waiting[this.waitingHead];
    if (next) {
      this.waiting[this.waitingHead] = undefined;
      this.waitingHead += 1;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.waitingHead);
        this.waitingHead = 0;
      }
      this.start(connection, next);
    } else this.idle.push(connection);
  }

  /** Closes every connection, cutting every request still in flight or waiting. */
  async close(): Promise<void> {
    this.cutting = true;
    const waiting = this.waiting.slice(this.waitingHead);
    this.waiting = [];
    this.waitingHead = 0;
    for (const exchange of waiting)
      if (exchange) this.listener(exchange.request, exchange.tag, 0, undefined, true);
    await Promise.all(this.connections.map((connection) => connection.destroy()));
  }
}
