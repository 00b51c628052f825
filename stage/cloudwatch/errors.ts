/**
 * Errors of the CloudWatch / CloudWatch Logs emulation. Each carries the AWS error code the real service
 * answers with, so the AWS endpoint can send it in the protocol's error shape (`__type`) and the SDK client
 * raises the same exception class it would against AWS.
 */

/** Base: an API-level error with the AWS error code and HTTP status. */
export class CloudWatchApiError extends Error {
  override name = "CloudWatchApiError";
  constructor(
    /** AWS error code, e.g. InvalidParameterValueException, ResourceNotFoundException. */
    readonly code: string,
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A request parameter is invalid (CloudWatch: InvalidParameterValue; Logs: InvalidParameterException). */
export class InvalidParameterError extends CloudWatchApiError {
  override name = "InvalidParameterError";
  constructor(code: "InvalidParameterValueException" | "InvalidParameterException", message: string) {
    super(code, 400, message);
  }
}

/** A log group or log stream does not exist. */
export class LogResourceNotFoundError extends CloudWatchApiError {
  override name = "LogResourceNotFoundError";
  constructor(message: string) {
    super("ResourceNotFoundException", 400, message);
  }
}

/** A log group or stream already exists (CreateLogGroup / CreateLogStream). */
export class LogResourceExistsError extends CloudWatchApiError {
  override name = "LogResourceExistsError";
  constructor(message: string) {
    super("ResourceAlreadyExistsException", 400, message);
  }
}
