/**
 * Puts a HostileRequest on the wire to 127.0.0.1: through an undici Client (the target is sent exactly as
 * generated, no URL normalisation), or, when undici refuses the request (a method, path or header it will not
 * send), as raw bytes over a TCP socket, so that every generated request reaches the server.
 */
import net from "node:net";
import { Client, errors } from "undici";
import { bodyBytes, type HostileRequest } from "./hostile-requests.ts";

export interface WireResponse {
  status: number;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: string;
  /** "undici" or "raw": how the request was sent. */
  via: "undici" | "raw";
}

/** The connection failed or closed without an HTTP answer. */
export class NoAnswerError extends Error {
  override readonly name = "NoAnswerError";
}

const TIMEOUT_MS = 30_000;

/** Sends requests to one origin (http://127.0.0.1:<port>). `close()` when done. */
export class HostileSender {
  private client: Client;
  private readonly port: number;

  constructor(private readonly origin: string) {
    this.port = Number(new URL(origin).port);
    this.client = this.newClient();
  }

  private newClient(): Client {
    return new Client(this.origin, { headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS, pipelining: 1 });
  }

  async send(request: HostileRequest): Promise<WireResponse> {
    const body = bodyBytes(request.body);
    try {
      const res = await this.client.request({
        method: request.method,
        path: request.target,
        headers: request.headers.flat(),
        ...(body ? { body } : {}),
      });
      const text = await res.body.text();
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.headers)) {
        if (value !== undefined)
          headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
      }
      return { status: res.statusCode, headers, body: text, via: "undici" };
    } catch (error) {
      if (error instanceof errors.InvalidArgumentError || error instanceof errors.NotSupportedError) {
        return this.sendRaw(request, body);
      }
      // The server closed the connection (e.g. after a 413 it did not read to the end): the client is
      // unusable for the next request; start a fresh one and report what happened.
      await this.client.destroy().catch(() => undefined);
      this.client = this.newClient();
      throw new NoAnswerError(`no HTTP answer: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Writes the request as raw bytes (Connection: close) and parses the answer. */
  sendRaw(request: HostileRequest, body: Buffer | undefined): Promise<WireResponse> {
    const head = [
      `${request.method} ${request.target} HTTP/1.1`,
      `Host: 127.0.0.1:${this.port}`,
      "Connection: close",
      ...request.headers.map(([name, value]) => `${name}: ${value}`),
      `Content-Length: ${body?.length ?? 0}`,
      "",
      "",
    ].join("\r\n");
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: "127.0.0.1", port: this.port });
      const chunks: Buffer[] = [];
      socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      // The server may answer and close before it has read the body (EPIPE, ECONNRESET): what it sent counts.
      socket.on("error", () => undefined);
      socket.on("close", () => {
        const parsed = parseRawResponse(Buffer.concat(chunks));
        if (parsed) resolve({ ...parsed, via: "raw" });
        else reject(new NoAnswerError("the connection closed without an HTTP answer"));
      });
      socket.write(Buffer.from(head, "latin1"));
      if (body) socket.write(body);
    });
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => this.client.destroy());
  }
}

/** Parses one HTTP/1.1 response (status line, headers, Content-Length body); undefined when incomplete. */
export function parseRawResponse(data: Buffer): Omit<WireResponse, "via"> | undefined {
  const end = data.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString("latin1").split("\r\n");
  const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? "");
  if (!match) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const length = Number(headers["content-length"] ?? Number.NaN);
  const rest = data.subarray(end + 4);
  const body = Number.isFinite(length) ? rest.subarray(0, length) : rest;
  return { status: Number(match[1]), headers, body: body.toString("utf8") };
}
