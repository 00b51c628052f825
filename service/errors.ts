/**
 * The service's domain errors and the ONE place that maps errors to HTTP: `toHttpError`.
 * Adapters (items-repository.ts) translate DynamoDB exceptions into these classes with `fromDynamoDbError`;
 * nothing else in the service decides a status code for an error.
 */

export const ERROR_CODES = {
  BadRequest: 400,
  ValidationError: 400,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  PayloadTooLarge: 413,
  ResponseTooLarge: 413,
  Throttled: 429,
  InternalError: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** Seconds a throttled client is asked to wait (Retry-After). */
export const RETRY_AFTER_SECONDS = 1;

/** Base of every error the service answers with on purpose. `message` is safe to show to the client. */
export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  get statusCode(): number {
    return ERROR_CODES[this.code];
  }
}

/** The request cannot be read: malformed JSON, non-UTF-8 body, unknown operation, foreign table. */
export class BadRequestError extends ServiceError {
  override name = "BadRequestError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("BadRequest", message, options);
  }
}

/** The request was read but violates a schema: wrong type, missing or extra field, bad id, bad cursor. */
export class ValidationError extends ServiceError {
  override name = "ValidationError";
  constructor(message: string) {
    super("ValidationError", message);
  }
}

export class NotFoundError extends ServiceError {
  override name = "NotFoundError";
  constructor(message: string) {
    super("NotFound", message);
  }
}

export class MethodNotAllowedError extends ServiceError {
  override name = "MethodNotAllowedError";
  constructor(
    message: string,
    readonly allowedMethods: readonly string[],
  ) {
    super("MethodNotAllowed", message);
  }
}

/** Create of an id that exists, or another failed write condition. */
export class ConflictError extends ServiceError {
  override name = "ConflictError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("Conflict", message, options);
  }
}

export class PayloadTooLargeError extends ServiceError {
  override name = "PayloadTooLargeError";
  constructor(message: string) {
    super("PayloadTooLarge", message);
  }
}

/** The answer would pass Lambda's 6 MB response limit (API Gateway would turn it into a 502 for the client). */
export class ResponseTooLargeError extends ServiceError {
  override name = "ResponseTooLargeError";
  constructor(message: string) {
    super("ResponseTooLarge", message);
  }
}

export class ThrottledError extends ServiceError {
  override name = "ThrottledError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("Throttled", message, options);
  }
}

/** Configuration is missing or wrong (read at the edge, config.ts). Answered as 500 without details. */
export class ServiceConfigError extends Error {
  override name = "ServiceConfigError";
}

/** DynamoDB exception names that mean "slow down". */
const THROTTLING_NAMES = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
]);

/**
 * Translates a DynamoDB SDK error into a domain error where one applies (throttling → ThrottledError);
 * anything else is returned unchanged and ends up as a 500.
 */
export function fromDynamoDbError(err: unknown): unknown {
  if (err instanceof Error && THROTTLING_NAMES.has(err.name)) {
    return new ThrottledError(
      `DynamoDB throttled the request (${err.name}): retry after ${RETRY_AFTER_SECONDS} s with backoff`,
      { cause: err },
    );
  }
  return err;
}

/** What an error becomes on the wire. */
export interface HttpError {
  statusCode: number;
  headers: Record<string, string>;
  body: { error: { code: ErrorCode; message: string; requestId: string } };
}

/**
 * The one mapping from any thrown value to an HTTP answer. Unknown errors become a 500 whose body carries
 * only the request id (the details go to the log, never to the client).
 */
export function toHttpError(err: unknown, requestId: string): HttpError {
  const mapped = fromDynamoDbError(err);
  if (mapped instanceof ServiceError) {
    const headers: Record<string, string> = {};
    if (mapped instanceof ThrottledError) headers["retry-after"] = String(RETRY_AFTER_SECONDS);
    if (mapped instanceof MethodNotAllowedError) headers["allow"] = mapped.allowedMethods.join(", ");
    return {
      statusCode: mapped.statusCode,
      headers,
      body: { error: { code: mapped.code, message: mapped.message, requestId } },
    };
  }
  return {
    statusCode: 500,
    headers: {},
    body: {
      error: {
        code: "InternalError",
        message: `internal error: the request failed unexpectedly; quote request id ${requestId} when reporting it`,
        requestId,
      },
    },
  };
}

/** A short description of an unexpected error for the log line (name and message, no stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
