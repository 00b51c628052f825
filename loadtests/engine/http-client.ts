/**
 * Sends the workload's requests over an undici keep-alive pool to one origin and reports the status (0 when
 * there was no HTTP answer) and the transport error kind.
 */
import { Pool } from "undici";
import { ConfigError } from "../errors.ts";
import type { PlannedRequest } from "../workload.ts";

export interface SendOutcome {
  status: number;
  transportError?: "timeout" | "connection";
  /** True when the request was cut by our own stop (abort or graceful-stop expiry), not by the server. */
  cut?: boolean;
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

export class HttpClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  /** Set when we cut the in-flight requests ourselves, so their failures are not counted as errors. */
  private cutting = false;

  constructor(target: string, options: { connections: number; requestTimeoutMs: number }) {
    const { origin, basePath } = parseTarget(target);
    this.basePath = basePath;
    this.pool = new Pool(origin, {
      connections: options.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs,
      bodyTimeout: options.requestTimeoutMs,
      connectTimeout: options.requestTimeoutMs,
    });
  }

  /**
   * Sends one request through the pool's low-level dispatch (no response stream objects: the body is read and
   * dropped chunk by chunk), resolving when the whole response arrived or the request failed.
   */
  send(request: PlannedRequest): Promise<SendOutcome> {
    return new Promise((resolve) => {
      let status = 0;
      const fail = (error: Error) => {
        if (this.cutting) return resolve({ status: 0, cut: true });
        const code = (error as { code?: string }).code ?? "";
        resolve({ status: 0, transportError: TIMEOUT_CODES.has(code) ? "timeout" : "connection" });
      };
      try {
        this.pool.dispatch(
          {
            path: this.basePath + request.path,
            method: request.method,
            headers: request.body === undefined ? NO_BODY_HEADERS : JSON_HEADERS,
            body: request.body ?? null,
          },
          {
            // undici treats a handler as the (v7) controller kind only when it has onRequestStart.
            onRequestStart: () => {},
            onResponseStart: (_controller, statusCode) => {
              status = statusCode;
            },
            onResponseData: () => {},
            onResponseEnd: () => resolve({ status }),
            onResponseError: (_controller, error) => fail(error),
          },
        );
      } catch (error) {
        fail(error as Error);
      }
    });
  }

  /** Closes the pool, cutting every request still in flight. */
  async close(): Promise<void> {
    this.cutting = true;
    await this.pool.destroy();
  }
}
