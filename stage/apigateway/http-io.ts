/**
 * HTTP plumbing of the front: bounded body reading and answers to malformed HTTP, which must never take the
 * front down.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { GATEWAY_RESPONSES } from "./gateway-responses.ts";
import type { UploadBudget } from "./upload-budget.ts";

/**
 * Reads the body up to `maxBytes`; past it, stops keeping it and says so; "aborted" when the client went away;
 * "over-budget" when the bytes every request holds at once would pass the budget's cap. The bytes taken
 * from the budget are returned in `heldBytes` (give them back when the request is done).
 */
export function readBody(
  req: IncomingMessage,
  maxBytes: number,
  budget?: UploadBudget,
  held: { heldBytes: number } = { heldBytes: 0 },
): Promise<Buffer | "too-large" | "aborted" | "over-budget"> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const settle = (value: Buffer | "too-large" | "aborted" | "over-budget") => {
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
      if (budget) {
        if (!budget.take(chunk.byteLength)) {
          chunks.length = 0;
          settle("over-budget");
          return;
        }
        held.heldBytes += chunk.byteLength;
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.on("error", () => settle("aborted"));
    req.on("close", () => settle("aborted"));
  });
}

/**
 * Node's `clientError`: answers 431 for oversized headers, 408 for a client too slow to send its headers or
 * its body (the headers and request timeouts), 400 for anything else malformed, then closes.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.writable && !socket.destroyed) {
    const tooLarge = error.code === "HPE_HEADER_OVERFLOW";
    const tooSlow = error.code === "ERR_HTTP_REQUEST_TIMEOUT";
    const response = tooLarge ? GATEWAY_RESPONSES.requestHeaderTooLarge : undefined;
    const status = response
      ? `${response.statusCode} Request Header Fields Too Large`
      : tooSlow
        ? "408 Request Timeout"
        : "400 Bad Request";
    const body = response
      ? response.body
      : JSON.stringify({ message: tooSlow ? "Request Timeout" : "Bad Request" });
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `x-amzn-RequestId: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
