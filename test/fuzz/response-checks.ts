/**
 * What every answer of the API must look like, whatever was sent. Pure: takes a response, returns the list of
 * problems (empty when the answer is well-formed).
 *
 * - No status of 500 or more: the documented 5xx answers (function error 502, throttle 500, integration
 *   timeout 504, DynamoDB down 500) are fault paths that do not occur in normal operation.
 * - Success: 200 or 201 with a JSON body.
 * - Errors: the service's `{"error":{"code","message","requestId"}}` with the code's documented status and
 *   `requestId` equal to the `x-request-id` header; or API Gateway's own `{"message"}` for the answers the
 *   front gives itself (400 malformed HTTP, 403 no route/stage, 413 over 10 MB or an event over Lambda's 6 MB
 *   invoke limit, 429, 431 headers too large).
 * - No internals: no stack frames, file paths or SDK exception names in a body.
 */
import { ERROR_CODES } from "../../service/errors.ts";

export interface CheckedResponse {
  method: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Statuses API Gateway (the front) answers with its own `{"message"}` body. */
export const GATEWAY_STATUSES = new Set([400, 403, 413, 429, 431]);

const INTERNALS =
  /node_modules|\/dist\/|\.(?:m?js|ts):\d+|\n\s+at |\bat [\w.<>$]+ \(|ConditionalCheckFailed|ValidationException|ResourceNotFoundException|AWS_SECRET|aws_secret/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export function checkResponse(res: CheckedResponse): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`status ${res.status} (no 5xx is expected in normal operation)`);
  if (res.method === "HEAD") return problems; // no body to check
  if (!/^application\/json\b/.test(res.headers["content-type"] ?? "")) {
    problems.push(
      `content-type is ${JSON.stringify(res.headers["content-type"])}, expected application/json`,
    );
  }
  if (INTERNALS.test(res.body)) problems.push("the body shows internals (stack, path or SDK exception)");
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    problems.push(`the body is not JSON: ${JSON.stringify(res.body.slice(0, 120))}`);
    return problems;
  }
  if (res.status < 400) {
    if (res.status !== 200 && res.status !== 201) problems.push(`unexpected success status ${res.status}`);
    return problems;
  }
  if (!isObject(body)) return [...problems, "the error body is not a JSON object"];
  const keys = Object.keys(body).sort().join(",");
  if (keys === "error") {
    const error = body["error"];
    if (!isObject(error) || Object.keys(error).sort().join(",") !== "code,message,requestId") {
      return [...problems, "error body must be {error:{code,message,requestId}} and nothing else"];
    }
    const { code, message, requestId } = error;
    if (typeof code !== "string" || !(code in ERROR_CODES))
      problems.push(`unknown error code ${String(code)}`);
    else if (ERROR_CODES[code as keyof typeof ERROR_CODES] !== res.status)
      problems.push(`code ${code} answered with status ${res.status}`);
    if (typeof message !== "string" || message.length === 0) problems.push("error.message is empty");
    if (typeof requestId !== "string" || requestId.length === 0) problems.push("error.requestId is empty");
    else if (res.headers["x-request-id"] !== requestId)
      problems.push(`x-request-id ${res.headers["x-request-id"]} differs from error.requestId ${requestId}`);
    return problems;
  }
  if (keys === "message" && typeof body["message"] === "string") {
    if (!GATEWAY_STATUSES.has(res.status))
      problems.push(`gateway-shaped body {"message"} with status ${res.status}`);
    return problems;
  }
  return [...problems, `error body has neither shape: keys ${keys}`];
}
