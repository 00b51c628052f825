/**
 * API Gateway proxy events in, proxy responses out. Both payload formats are read into one HttpRequest:
 * REST APIs (format 1.0: `httpMethod`, `path`) and HTTP APIs (format 2.0: `version: "2.0"`,
 * `requestContext.http.method`, `rawPath`). The response shape `{statusCode, headers, body}` suits both.
 */
import { BadRequestError, PayloadTooLargeError, ValidationError } from "./errors.ts";
import { parseJsonExact, scanJson } from "./exact-number.ts";
import { isPlainObject, isWellFormedText, MAX_BODY_BYTES, MAX_DEPTH } from "./validation.ts";

/** Deepest body nesting read at all: a document's 32 levels plus the body's own wrappers (command, payload, Item). */
export const MAX_BODY_DEPTH = MAX_DEPTH + 4;

export interface HttpRequest {
  format: "1.0" | "2.0";
  method: string;
  /**
   * Path below the stage, e.g. "/items/abc", without a trailing slash: percent-encoded in a REST API event
   * (format 1.0), already decoded in an HTTP API event (format 2.0), as API Gateway sends them.
   */
  path: string;
  /** API Gateway's decoded path parameters of the matched resource (e.g. `{ id }`); empty when none. */
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The raw body as sent: text, or base64 when `isBase64Encoded`. */
  rawBody: string | undefined;
  isBase64Encoded: boolean;
  /** API Gateway's own request id. */
  apiRequestId: string | undefined;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

export function isRestApiEvent(event: unknown): event is Record<string, unknown> {
  return isPlainObject(event) && typeof event["httpMethod"] === "string" && typeof event["path"] === "string";
}

export function isHttpApiEvent(event: unknown): event is Record<string, unknown> {
  if (!isPlainObject(event) || event["version"] !== "2.0" || !isPlainObject(event["requestContext"]))
    return false;
  const httpContext = event["requestContext"]["http"];
  return isPlainObject(httpContext) && typeof httpContext["method"] === "string";
}

function stringMap(value: unknown, lowerCaseKeys: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(value)) return out;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === "string") out[lowerCaseKeys ? key.toLowerCase() : key] = v;
  }
  return out;
}

function normalizePath(path: string): string {
  const trimmed = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
  return trimmed === "" ? "/" : trimmed;
}

/** Reads a proxy event of either format; call only when isRestApiEvent or isHttpApiEvent holds. */
export function parseHttpEvent(event: Record<string, unknown>): HttpRequest {
  const context = isPlainObject(event["requestContext"]) ? event["requestContext"] : {};
  const apiRequestId = typeof context["requestId"] === "string" ? context["requestId"] : undefined;
  const rawBody = typeof event["body"] === "string" ? event["body"] : undefined;
  const isBase64Encoded = event["isBase64Encoded"] === true;
  const query = stringMap(event["queryStringParameters"], false);
  const headers = stringMap(event["headers"], true);
  const pathParameters = stringMap(event["pathParameters"], false);
  if (isRestApiEvent(event)) {
    const path = normalizePath(event["path"] as string);
    return {
      format: "1.0",
      method: (event["httpMethod"] as string).toUpperCase(),
      path,
      pathParameters,
      query,
      headers,
      rawBody,
      isBase64Encoded,
      apiRequestId,
    };
  }
  const httpContext = context["http"] as Record<string, unknown>;
  let path = typeof event["rawPath"] === "string" ? event["rawPath"] : String(httpContext["path"] ?? "/");
  // HTTP APIs put a named stage in rawPath ("/prod/items"); the $default stage adds nothing.
  const stage = context["stage"];
  if (
    typeof stage === "string" &&
    stage !== "$default" &&
    (path === `/${stage}` || path.startsWith(`/${stage}/`))
  ) {
    path = path.slice(stage.length + 1);
  }
  return {
    format: "2.0",
    method: (httpContext["method"] as string).toUpperCase(),
    path: normalizePath(path),
    pathParameters,
    query,
    headers,
    rawBody,
    isBase64Encoded,
    apiRequestId,
  };
}

/**
 * The body as a JSON value: size-checked (413 over MAX_BODY_BYTES), UTF-8 checked, nesting-checked, then
 * parsed with numbers kept exactly (ExactNumber where a JavaScript number could round them).
 * A missing or empty body is a 400: every route that reads a body needs one.
 */
export function readJsonBody(request: HttpRequest): unknown {
  const raw = request.rawBody;
  if (raw === undefined || raw === "") {
    throw new BadRequestError("the request has no body: expected a JSON document");
  }
  let text: string;
  if (request.isBase64Encoded) {
    const bytes = Buffer.from(raw, "base64");
    checkSize(bytes.length);
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new BadRequestError("the request body is not valid UTF-8: expected JSON text encoded as UTF-8");
    }
  } else {
    checkSize(Buffer.byteLength(raw, "utf8"));
    if (!isWellFormedText(raw)) {
      throw new BadRequestError("the request body is not valid UTF-8: expected JSON text encoded as UTF-8");
    }
    text = raw;
  }
  const scan = scanJson(text);
  if (scan.maxDepth > MAX_BODY_DEPTH) {
    throw new ValidationError(
      `the request body nests lists/maps ${scan.maxDepth} levels deep: documents deeper than ${MAX_DEPTH} levels are refused (DynamoDB's limit); flatten the document`,
    );
  }
  try {
    // Numbers that a JavaScript number could round keep their source text (ExactNumber); the rest parse plainly.
    return scan.needsExactNumbers ? parseJsonExact(text) : JSON.parse(text);
  } catch (err) {
    const detail = err instanceof SyntaxError ? `: ${err.message.slice(0, 200)}` : "";
    throw new BadRequestError(`the request body is not valid JSON${detail}; send a JSON document`);
  }
}

function checkSize(sizeBytes: number): void {
  if (sizeBytes > MAX_BODY_BYTES) {
    throw new PayloadTooLargeError(
      `the request body is ${sizeBytes} bytes: at most ${MAX_BODY_BYTES} bytes are accepted (items are limited to 400 KB)`,
    );
  }
}

/** A JSON response with the service's standard headers. `undefined` body → empty body. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string>,
): HttpResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? "" : JSON.stringify(body),
    isBase64Encoded: false,
  };
}
