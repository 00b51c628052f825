/**
 * Maps a Lambda response to an HTTP API's answer (payload format 2.0). With a `statusCode`, the output is a
 * structured response (statusCode, headers, body, isBase64Encoded, cookies → one set-cookie header each);
 * without one, API Gateway assumes statusCode 200, content-type application/json and the output as the body: a
 * JSON string becomes the body as it is ("Hello" → Hello), any other JSON value its JSON text. Output that is
 * not JSON, or a structured response with a bad field, is malformed (API Gateway answers 500). Pure.
 * Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { mapProxyResponse, type ProxyResponseResult } from "./proxy-response.ts";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** @example mapHttpApiResponse('"Hello from Lambda!"') // 200, content-type application/json, body Hello from Lambda! */
export function mapHttpApiResponse(payload: string): ProxyResponseResult {
  let output: unknown;
  try {
    output = JSON.parse(payload);
  } catch {
    return { kind: "malformed", reason: "the function's output is not JSON" };
  }
  if (!isRecord(output) || !("statusCode" in output)) {
    const body = typeof output === "string" ? output : payload;
    return {
      kind: "ok",
      response: {
        statusCode: 200,
        headers: [["content-type", "application/json"]],
        body: Buffer.from(body, "utf8"),
      },
    };
  }
  const cookies = output["cookies"];
  if (
    cookies !== undefined &&
    cookies !== null &&
    (!Array.isArray(cookies) || cookies.some((c) => typeof c !== "string"))
  )
    return { kind: "malformed", reason: "cookies must be a list of strings" };
  const { cookies: _cookies, multiValueHeaders: _multi, ...rest } = output;
  const mapped = mapProxyResponse(JSON.stringify(rest));
  if (mapped.kind === "malformed") return mapped;
  for (const cookie of (cookies as string[] | undefined) ?? [])
    mapped.response.headers.push(["set-cookie", cookie]);
  return mapped;
}
