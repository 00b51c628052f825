/** Errors of the API Gateway front. Client-facing failures are gateway responses, not errors: see gateway-responses.ts. */

/** Base error of the API Gateway front. */
export class ApiGatewayError extends Error {
  override name = "ApiGatewayError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The front could not be configured or started (bad routes, port in use, ...). */
export class ApiGatewayConfigError extends ApiGatewayError {
  override name = "ApiGatewayConfigError";
}
