/**
 * The request log: exactly one JSON line per request. The tuner finds these lines in CloudWatch Logs with the
 * filter `"msg":"request"` and prices DynamoDB from `consumedRcu` / `consumedWcu`.
 */

export interface RequestLogEntry {
  /** The Lambda request id (also in the START/END/REPORT lines). */
  requestId: string;
  /** API Gateway's request id, when the request came through API Gateway. */
  apiRequestId?: string;
  /** Route template, e.g. "GET /items/{id}", "command read" for a direct invocation, "unmatched" otherwise. */
  route: string;
  /** HTTP method, or "INVOKE" for a direct invocation. */
  method: string;
  /** HTTP status (direct invocations: the status the same outcome has over HTTP). */
  status: number;
  durationMs: number;
  consumedRcu: number;
  consumedWcu: number;
  /** Command operation (POST /dynamodbmanager and direct invocations). */
  operation?: string;
  /** Error code of a failed request, e.g. "NotFound". */
  errorCode?: string;
  /** Internal errors only: name and message of the cause (never sent to the client). */
  error?: string;
}

/** Renders the log line (without the newline). Level is "error" for 5xx, else "info". */
export function formatRequestLog(entry: RequestLogEntry): string {
  const { requestId, route, method, status, durationMs, consumedRcu, consumedWcu, ...rest } = entry;
  return JSON.stringify({
    level: status >= 500 ? "error" : "info",
    msg: "request",
    requestId,
    route,
    method,
    status,
    durationMs: Math.round(durationMs * 1000) / 1000,
    consumedRcu,
    consumedWcu,
    ...rest,
  });
}

/** Writes one line with a single write call, so concurrent output never splits it. */
export function writeStdoutLine(line: string): void {
  process.stdout.write(`${line}\n`);
}
