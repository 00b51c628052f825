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

  async send(request: PlannedRequest): Promise<SendOutcome> {
    try {
      const response = await this.pool.request({
        path: this.basePath + request.path,
        method: request.method,
        headers: request.body === undefined ? NO_BODY_HEADERS : JSON_HEADERS,
        body: request.body,
      });
      // Read the whole body (the latency includes it) without keeping it.
      await response.body.dump({ limit: 64 * 1024 * 1024 });
      return { status: response.statusCode };
    } catch (error) {
      if (this.cutting) return { status: 0, cut: true };
      const code = (error as { code?: string }).code ?? "";
      return { status: 0, transportError: TIMEOUT_CODES.has(code) ? "timeout" : "connection" };
    }
  }

  /** Closes the pool, cutting every request still in flight. */
  async close(): Promise<void> {
    this.cutting = true;
    await this.pool.destroy();
  }
}
