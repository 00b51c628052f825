/**
 * Errors of the Lambda emulator. API-level errors are `LambdaApiError` (stage/contracts.ts), which the AWS
 * endpoint turns into the REST-JSON error shape; the helpers here build them with Lambda's own codes and
 * wording. Emulator failures that are not API answers (the runtime bundle, cgroups) are `LambdaEmulatorError`.
 */
import { LambdaApiError } from "../contracts.ts";

/** A failure of the emulator itself, not of a function or an API call. */
export class LambdaEmulatorError extends Error {
  override name = "LambdaEmulatorError";
}

/** The runtime could not be bundled with esbuild. */
export class RuntimeBundleError extends LambdaEmulatorError {
  override name = "RuntimeBundleError";
}

/** A cgroup could not be created, configured or joined. */
export class CgroupError extends LambdaEmulatorError {
  override name = "CgroupError";
}

/** 404 ResourceNotFoundException, with Lambda's message for a function, version or alias. */
export function notFound(kind: "Function" | "Alias", arn: string): LambdaApiError {
  return new LambdaApiError("ResourceNotFoundException", 404, `${kind} not found: ${arn}`);
}

/** 409 ResourceConflictException. */
export function conflict(message: string): LambdaApiError {
  return new LambdaApiError("ResourceConflictException", 409, message);
}

/** 409 ResourceConflictException for a change while a configuration update is still in progress. */
export function updateInProgress(functionArn: string): LambdaApiError {
  return conflict(
    `The operation cannot be performed at this time. An update is in progress for resource: ${functionArn}. ` +
      "Wait until LastUpdateStatus is Successful (waitUntilFunctionUpdatedV2) and retry.",
  );
}

/** 400 InvalidParameterValueException. */
export function invalidParameter(message: string): LambdaApiError {
  return new LambdaApiError("InvalidParameterValueException", 400, message);
}

/** 412 PreconditionFailedException for a stale RevisionId. */
export function revisionMismatch(): LambdaApiError {
  return new LambdaApiError(
    "PreconditionFailedException",
    412,
    "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
  );
}

/** 400 InvalidRequestContentException for an Invoke payload that is not JSON. */
export function invalidRequestContent(detail: string): LambdaApiError {
  return new LambdaApiError(
    "InvalidRequestContentException",
    400,
    `Could not parse request body into json: ${detail}. Send the event as JSON text.`,
  );
}
