/**
 * The responses API Gateway (REST API) itself answers with, instead of the integration: its "gateway responses"
 * with their default status codes, bodies and x-amzn-ErrorType values.
 */

export interface GatewayResponse {
  statusCode: number;
  /** The x-amzn-ErrorType header API Gateway sets. */
  errorType: string;
  /** JSON text, e.g. {"message":"Internal server error"} */
  body: string;
}

const response = (statusCode: number, errorType: string, message: string): GatewayResponse => ({
  statusCode,
  errorType,
  body: JSON.stringify({ message }),
});

/**
 * Gateway responses by cause. A Lambda throttle is not passed through as 429: in a proxy integration API
 * Gateway answers a throttled (or unreachable) function with 500 "Internal server error" (response type
 * INTEGRATION_FAILURE, default DEFAULT_5XX), the same as any other failed integration call (AWS Knowledge
 * Center, "How do I troubleshoot issues for API Gateway endpoints that integrate with Lambda?", section
 * "Throttling occurs": https://repost.aws/knowledge-center/api-gateway-internal-server-error). Only API
 * Gateway's own throttling answers 429 (THROTTLED).
 */
export const GATEWAY_RESPONSES = {
  /** No resource or no method for the path (REST APIs answer 403, not 404). */
  missingAuthenticationToken: response(
    403,
    "MissingAuthenticationTokenException",
    "Missing Authentication Token",
  ),
  /** A stage that does not exist on the API. */
  forbidden: response(403, "ForbiddenException", "Forbidden"),
  /** Request payload over the 10 MB limit. */
  requestTooLarge: response(413, "RequestTooLongException", "Request Too Long"),
  /**
   * A request under API Gateway's 10 MB whose Lambda event is over Lambda's 6 MB synchronous invoke limit:
   * Lambda refuses it before the function runs, and API Gateway answers 413 with x-amzn-ErrorType
   * BadRequestException and {"message": "Request Too Long"} (a response captured from a REST API in front of
   * Lambda, published in the issue tracker of koki-develop/lgtm-generator, issue 10, 2021).
   */
  eventTooLarge: response(413, "BadRequestException", "Request Too Long"),
  /** Malformed proxy response or function error. */
  badGateway: response(502, "InternalServerErrorException", "Internal server error"),
  /** Throttled or missing function, or any integration call failure. */
  integrationFailure: response(500, "InternalServerErrorException", "Internal server error"),
  /** The integration did not answer within the integration timeout (29 s by default). */
  integrationTimeout: response(504, "InternalServerErrorException", "Endpoint request timed out"),
  /** API Gateway's own throttling (stage or account token bucket), and uploads over the buffer cap. */
  throttled: response(429, "TooManyRequestsException", "Too Many Requests"),
  /** Headers over the limit. */
  requestHeaderTooLarge: response(
    431,
    "RequestHeaderFieldsTooLargeException",
    "Request Header Fields Too Large",
  ),
} as const satisfies Record<string, GatewayResponse>;

export type GatewayResponseName = keyof typeof GATEWAY_RESPONSES;

const httpApi = (statusCode: number, message: string): GatewayResponse => ({
  statusCode,
  errorType: "",
  body: JSON.stringify({ message }),
});

/**
 * What an HTTP API answers in the same cases (no x-amzn-ErrorType header): 404 for a route that does not
 * exist, 500 "Internal Server Error" for a failed, throttled or malformed integration, 503 "Service Unavailable"
 * when the integration times out (30 s), 413 for a payload over 10 MB, 429 for its own throttling.
 * Source: https://repost.aws/knowledge-center/api-gateway-http-api-errors (HTTP API error responses).
 */
export const HTTP_API_GATEWAY_RESPONSES = {
  missingAuthenticationToken: httpApi(404, "Not Found"),
  forbidden: httpApi(404, "Not Found"),
  requestTooLarge: httpApi(413, "Request Entity Too Large"),
  eventTooLarge: httpApi(413, "Request Entity Too Large"),
  badGateway: httpApi(500, "Internal Server Error"),
  integrationFailure: httpApi(500, "Internal Server Error"),
  integrationTimeout: httpApi(503, "Service Unavailable"),
  throttled: httpApi(429, "Too Many Requests"),
  requestHeaderTooLarge: httpApi(431, "Request Header Fields Too Large"),
} as const satisfies Record<GatewayResponseName, GatewayResponse>;
