/**
 * Maps a Lambda proxy integration response (payload format 1.0) to an HTTP response, or says why it is
 * malformed (API Gateway then answers 502 "Internal server error"). Pure.
 */

export interface MappedResponse {
  statusCode: number;
  /** Header name/value pairs, repeated names kept (from multiValueHeaders). */
  headers: [string, string][];
  body: Buffer;
}

export type ProxyResponseResult =
  | { kind: "ok"; response: MappedResponse }
  | { kind: "malformed"; reason: string };

const ALLOWED_KEYS = new Set([
  "statusCode",
  "headers",
  "multiValueHeaders",
  "body",
  "isBase64Encoded",
  "cookies",
]);

const malformed = (reason: string): ProxyResponseResult => ({ kind: "malformed", reason });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parses the function's output (JSON text).
 *
 * @example mapProxyResponse('{"statusCode":200,"body":"ok"}') // → { kind: "ok", response: { statusCode: 200, ... } }
 */
export function mapProxyResponse(payload: string): ProxyResponseResult {
  let output: unknown;
  try {
    output = JSON.parse(payload);
  } catch {
    return malformed("the function's output is not JSON");
  }
  if (!isRecord(output))
    return malformed(`the function's output is not a JSON object; got ${JSON.stringify(output)}`);
  for (const key of Object.keys(output)) {
    if (!ALLOWED_KEYS.has(key)) return malformed(`unexpected field "${key}" in the proxy response`);
  }
  const statusCode =
    typeof output["statusCode"] === "string" ? Number(output["statusCode"]) : output["statusCode"];
  if (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
    return malformed(
      `statusCode must be an integer from 100 to 599; got ${JSON.stringify(output["statusCode"])}`,
    );

  const headers: [string, string][] = [];
  const single = output["headers"];
  if (single !== undefined && single !== null) {
    if (!isRecord(single)) return malformed("headers must be an object of strings");
    for (const [name, value] of Object.entries(single)) {
      if (value === null || typeof value === "object") return malformed(`header "${name}" must be a string`);
      headers.push([name, String(value)]);
    }
  }
  const multi = output["multiValueHeaders"];
  if (multi !== undefined && multi !== null) {
    if (!isRecord(multi)) return malformed("multiValueHeaders must be an object of string arrays");
    for (const [name, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) return malformed(`multiValueHeaders "${name}" must be an array`);
      // A name in both maps: the multi-value list wins over the single value, as API Gateway merges them.
      if (headers.some(([n]) => n.toLowerCase() === name.toLowerCase())) {
        for (let i = headers.length - 1; i >= 0; i--) {
          if (headers[i]?.[0].toLowerCase() === name.toLowerCase()) headers.splice(i, 1);
        }
      }
      for (const value of values) {
        if (value === null || typeof value === "object")
          return malformed(`multiValueHeaders "${name}" must hold strings`);
        headers.push([name, String(value)]);
      }
    }
  }
  const body = output["body"];
  if (body !== undefined && body !== null && typeof body !== "string")
    return malformed(`body must be a string (JSON.stringify it); got ${typeof body}`);
  const isBase64Encoded = output["isBase64Encoded"];
  if (isBase64Encoded !== undefined && isBase64Encoded !== null && typeof isBase64Encoded !== "boolean")
    return malformed("isBase64Encoded must be a boolean");
  const text = typeof body === "string" ? body : "";
  return {
    kind: "ok",
    response: {
      statusCode,
      headers,
      body: isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text, "utf8"),
    },
  };
}
