/**
 * Body sizes of one k6 request, as the built-in engine measures them (the request body sent, the response body
 * received), carried to the harness as metadata of the answered-request sample (ANSWERED_COUNTER): metadata is
 * not indexed, so a value per request costs no time series, and `--out json` writes it. An HTTP API meters each
 * request in 512 KB increments (docs/cost-model.md), so the tuner needs every exchange's size, not a mean.
 * Pure (no imports): the k6 scenarios import it, and the Node side reads the metadata keys.
 */

/** Metadata key of the request body's size in bytes (decimal string) on ANSWERED_COUNTER samples. */
export const REQUEST_BYTES_METADATA = "request_bytes";
/** Metadata key of the response body's size in bytes (decimal string) on ANSWERED_COUNTER samples. */
export const RESPONSE_BYTES_METADATA = "response_bytes";

/**
 * Bytes of a string encoded as UTF-8 (what k6 sends for a string body), without TextEncoder (not every k6
 * runtime has one). A lone surrogate counts 3 bytes, as its replacement character U+FFFD is encoded.
 * @example utf8ByteLength("é€😀") // 2 + 3 + 4 = 9
 */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Size of a body as k6 holds it: a string (UTF-8), an ArrayBuffer or a typed array view (`responseType:
 * "binary"`), none (0). Undefined when it cannot tell: a response body k6 discarded (`discardResponseBodies`)
 * is `null`, which is why a response size falls back to Content-Length (`responseBodyBytes`).
 */
export function bodyBytes(body: unknown): number | undefined {
  if (body === undefined || body === "") return 0;
  if (typeof body === "string") return utf8ByteLength(body);
  if (body instanceof ArrayBuffer) return body.byteLength;
  if (ArrayBuffer.isView(body)) return body.byteLength;
  return undefined;
}

/**
 * The response body's size: the body k6 kept, else the Content-Length header (the size the server declared
 * for the body it sent), else undefined (a discarded body of a chunked answer).
 */
export function responseBodyBytes(
  body: unknown,
  headers: Readonly<Record<string, string | undefined>>,
): number | undefined {
  const kept = body === null ? undefined : bodyBytes(body);
  if (kept !== undefined) return kept;
  const declared = headers["Content-Length"] ?? headers["content-length"];
  if (declared === undefined || !/^\d+$/.test(declared.trim())) return undefined;
  return Number(declared.trim());
}

/**
 * Sets the two size entries on a k6 metadata object (`exec.vu.metrics.metadata`) and returns a function that
 * removes them again; sets nothing when either size is unknown.
 */
export function withExchangeMetadata(
  metadata: Record<string, string | number | boolean>,
  requestBytes: number | undefined,
  responseBytes: number | undefined,
): () => void {
  if (requestBytes === undefined || responseBytes === undefined) return () => {};
  metadata[REQUEST_BYTES_METADATA] = String(requestBytes);
  metadata[RESPONSE_BYTES_METADATA] = String(responseBytes);
  return () => {
    delete metadata[REQUEST_BYTES_METADATA];
    delete metadata[RESPONSE_BYTES_METADATA];
  };
}
