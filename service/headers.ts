/**
 * Response header names the service sets, shared with the load engines and the tuner (a leaf module: it
 * imports nothing, so the engines can read the name without pulling in the service).
 */

/**
 * The Lambda request id of the invocation that answered (`context.awsRequestId`): the load engines record it
 * per measured request and the tuner keeps exactly those invocations' REPORT lines. Lower case on the wire.
 */
export const LAMBDA_REQUEST_ID_HEADER = "x-lambda-request-id";
