/**
 * Errors of the postman area: the collection could not be loaded or Newman could not run it.
 * A collection that runs and has failing assertions is not an error: it is a failed gate (GateOutcome).
 */

/** Base of every error raised by postman/. */
export class PostmanError extends Error {
  override name = "PostmanError";
}

/** The collection or environment file is missing or is not JSON. */
export class CollectionFileError extends PostmanError {
  override name = "CollectionFileError";
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Newman stopped before it could run the collection (bad collection shape, unreadable environment, ...). */
export class CollectionRunError extends PostmanError {
  override name = "CollectionRunError";
  constructor(
    readonly baseUrl: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The collection ran, but its JUnit report could not be written: a disk problem, not the API failing. */
export class ReportWriteError extends PostmanError {
  override name = "ReportWriteError";
  constructor(
    readonly path: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
