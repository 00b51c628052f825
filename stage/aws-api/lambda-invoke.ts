/**
 * Lambda Invoke over REST-JSON: the payload is the raw body; the outcome maps to Lambda's response headers
 * (X-Amz-Executed-Version, X-Amz-Function-Error, X-Amz-Log-Result = base64 of the last 4 KB of log) or to its
 * errors (throttle → 429 TooManyRequestsException with Reason; unknown function → 404 ResourceNotFoundException).
 */
import type { InvokeRequest, LambdaControlPlane } from "../contracts.ts";
import { AwsWireError } from "./errors.ts";
import type { WireResponse } from "./http-io.ts";
import type { LambdaRequest } from "./lambda-request.ts";

const LOG_TAIL_BYTES = 4 * 1024;

function header(req: LambdaRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export async function invoke(
  lambda: LambdaControlPlane,
  functionName: string,
  qualifier: string | undefined,
  req: LambdaRequest,
): Promise<WireResponse> {
  const invocationType = header(req, "x-amz-invocation-type") ?? "RequestResponse";
  const logType = header(req, "x-amz-log-type") ?? "None";
  if (!["RequestResponse", "Event", "DryRun"].includes(invocationType)) {
    throw new AwsWireError(
      "InvalidParameterValueException",
      400,
      `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, got "${invocationType}"`,
    );
  }
  if (logType !== "None" && logType !== "Tail") {
    throw new AwsWireError(
      "InvalidParameterValueException",
      400,
      `X-Amz-Log-Type must be None or Tail, got "${logType}"`,
    );
  }
  const payload = req.body.length === 0 ? "{}" : req.body.toString("utf8");
  try {
    JSON.parse(payload);
  } catch (cause) {
    throw new AwsWireError(
      "InvalidRequestContentException",
      400,
      `Could not parse request body into json: ${(cause as Error).message}`,
    );
  }
  if (invocationType === "DryRun") {
    await lambda.getFunctionConfiguration(functionName, qualifier);
    return { statusCode: 204 };
  }
  const request: InvokeRequest = {
    functionName,
    payload,
    ...(qualifier ? { qualifier } : {}),
    ...(logType === "Tail" && invocationType === "RequestResponse" ? { logTail: true } : {}),
  };
  if (invocationType === "Event") {
    await lambda.getFunctionConfiguration(functionName, qualifier);
    // Asynchronous invocation: queued and run in the background; its outcome only reaches the logs and metrics.
    lambda.invoke(request).catch(() => undefined);
    return { statusCode: 202 };
  }
  const outcome = await lambda.invoke(request);
  switch (outcome.status) {
    case "throttled":
      throw new AwsWireError("TooManyRequestsException", 429, outcome.message, {
        Reason: (await hasReservedConcurrency(lambda, functionName))
          ? "ReservedFunctionConcurrentInvocationLimitExceeded"
          : "ConcurrentInvocationLimitExceeded",
      });
    case "not-found":
      throw new AwsWireError("ResourceNotFoundException", 404, outcome.message);
    default: {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        "X-Amz-Executed-Version": outcome.executedVersion,
      };
      if (outcome.status === "function-error") headers["X-Amz-Function-Error"] = outcome.functionError;
      if (request.logTail) {
        headers["X-Amz-Log-Result"] = Buffer.from(outcome.logTail ?? "", "utf8")
          .subarray(-LOG_TAIL_BYTES)
          .toString("base64");
      }
      return { statusCode: 200, headers, body: outcome.payload };
    }
  }
}

/** Lambda names the limit a throttle hit: the function's reserved concurrency, or the account's. */
async function hasReservedConcurrency(lambda: LambdaControlPlane, functionName: string): Promise<boolean> {
  try {
    return (await lambda.getFunctionConcurrency(functionName))["ReservedConcurrentExecutions"] !== undefined;
  } catch {
    return false;
  }
}
