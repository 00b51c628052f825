/** Reading request bodies with a size cap, and writing JSON responses, for the local AWS endpoint. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync } from "node:zlib";
import type { UploadBudget } from "../apigateway/upload-budget.ts";
import { AwsWireError, BodyTooLargeError } from "./errors.ts";

/**
 * Reads the whole body as received, rejecting it as soon as it passes `limitBytes` (the rest is drained), or
 * with 429 when the bytes all requests hold at once would pass the budget (bytes taken go into `held`).
 */
export async function readRawBody(
  req: IncomingMessage,
  limitBytes: number,
  budget?: UploadBudget,
  held: { heldBytes: number } = { heldBytes: 0 },
): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw new BodyTooLargeError(limitBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  let overBudget = false;
  for await (const chunk of req) {
    if (tooLarge || overBudget) continue;
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limitBytes) tooLarge = true;
    else if (budget && !budget.take(buf.length)) overBudget = true;
    else {
      if (budget) held.heldBytes += buf.length;
      chunks.push(buf);
    }
  }
  if (tooLarge) throw new BodyTooLargeError(limitBytes);
  if (overBudget) {
    throw new AwsWireError(
      "TooManyRequestsException",
      429,
      "Rate Exceeded: too many request bytes in flight on the local endpoint; retry with backoff",
    );
  }
  return Buffer.concat(chunks);
}

/**
 * Undoes a gzip Content-Encoding (the CloudWatch client compresses large PutMetricData bodies), with the same
 * cap on the inflated size.
 */
export function decodeBody(req: IncomingMessage, body: Buffer, limitBytes: number): Buffer {
  const encoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
  if (encoding === "" || encoding === "identity") return body;
  if (encoding !== "gzip") {
    throw new AwsWireError(
      "UnsupportedMediaTypeException",
      415,
      `unsupported Content-Encoding "${encoding}": expected gzip or none`,
    );
  }
  try {
    return gunzipSync(body, { maxOutputLength: limitBytes });
  } catch (cause) {
    const tooBig = (cause as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
    if (tooBig) throw new BodyTooLargeError(limitBytes);
    throw new AwsWireError(
      "SerializationException",
      400,
      "the gzip request body could not be inflated: send valid gzip or no Content-Encoding",
    );
  }
}

/** Reads the whole body with a cap and undoes its Content-Encoding. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return decodeBody(req, await readRawBody(req, limitBytes), limitBytes);
}

/** Parses a JSON object body; an empty body is `{}`. */
export function parseJsonObject(body: Buffer, errorCode: string): Record<string, unknown> {
  const text = body.toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new AwsWireError(
      errorCode,
      400,
      `the request body is not valid JSON (${(cause as Error).message}): send a JSON object`,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AwsWireError(
      errorCode,
      400,
      `the request body must be a JSON object, got ${Array.isArray(parsed) ? "an array" : typeof parsed}`,
    );
  }
  return parsed as Record<string, unknown>;
}

/** A response: status, headers and a body (JSON-serialised unless it is already bytes or text). */
export interface WireResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export function send(res: ServerResponse, response: WireResponse, requestId: string): void {
  const headers: Record<string, string> = { "x-amzn-RequestId": requestId, ...response.headers };
  let payload: Buffer | undefined;
  if (response.body instanceof Uint8Array) payload = Buffer.from(response.body);
  else if (typeof response.body === "string") payload = Buffer.from(response.body, "utf8");
  else if (response.body !== undefined) payload = Buffer.from(JSON.stringify(response.body), "utf8");
  if (payload) {
    headers["content-length"] = String(payload.length);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type"))
      headers["content-type"] = "application/json";
  } else headers["content-length"] = "0";
  res.writeHead(response.statusCode, headers);
  res.end(payload);
}
