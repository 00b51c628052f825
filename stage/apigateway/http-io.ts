/**
 * HTTP plumbing of the front: bounded body reading and answers to malformed HTTP, which must never take the
 * front down.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { GATEWAY_RESPONSES } from "./gateway-responses.ts";

export /** Reads the body up to `maxBytes`; past it, stops keeping it and says so; "aborted" when the client went away. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | "too-large" | "aborted"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const settle = (value: Buffer | "too-large" | "aborted") => {
      if (done) return;
      done = true;
      resolve(value);
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.byteLength;
      if (size > maxBytes) {
        chunks.length = 0;
        settle("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", () => settle("aborted"));
    req.on("close", () => settle("aborted"));
  });
}

/** Node's `clientError`: answers 431 for oversized headers, 400 for anything else malformed, then closes. */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.writable && !socket.destroyed) {
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const response = tooLarge ? GATEWAY_RESPONSES.requestHeaderTooLarge : undefined;
    const status = response ? `${response.statusCode} Request Header Fields Too Large` : "400 Bad Request";
    const body = response ? response.body : JSON.stringify({ message: "Bad Request" });
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-amzn-RequestId: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
