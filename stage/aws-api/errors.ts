/**
 * Errors of the local AWS endpoint's wire layer. An AwsWireError carries the error code and HTTP status the
 * protocol answers with; each protocol module writes it in its own shape (REST-JSON: `x-amzn-ErrorType` header
 * and `{"Type","message"}` body; JSON 1.0/1.1: `{"__type","message"}`), so the SDK client raises the same
 * exception class it would against AWS.
 */
export class AwsWireError extends Error {
  override name = "AwsWireError";
  constructor(
    /** e.g. SerializationException, UnknownOperationException, RequestTooLargeException */
    readonly code: string,
    readonly statusCode: number,
    message: string,
    /** Extra members for the error body (e.g. Lambda's Reason on TooManyRequestsException). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The request body is larger than the operation allows. */
export class BodyTooLargeError extends AwsWireError {
  override name = "BodyTooLargeError";
  constructor(
    readonly limitBytes: number,
    code = "RequestTooLargeException",
  ) {
    super(
      code,
      413,
      `request body too large: expected at most ${limitBytes} bytes for this operation; send less`,
    );
  }
}
