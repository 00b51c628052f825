/**
 * What a Lambda REST-JSON route reads from a request, and how it answers: the function and qualifier from the
 * path and query, the JSON body, Lambda-style paging, and the local-code convention of CreateFunction.
 */
import { checkCodeRoot } from "./code-roots.ts";
import { AwsWireError } from "./errors.ts";
import { parseFunctionName } from "./function-name.ts";
import { parseJsonObject, type WireResponse } from "./http-io.ts";

/** What a route gets: path parameters (decoded), the query, the raw body, the headers. */
export interface LambdaRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
  /** Folders CreateFunction / UpdateFunctionCode may take code from (code-roots.ts). */
  codeRoots: readonly string[];
}

export const json = (statusCode: number, body: unknown): WireResponse => ({ statusCode, body });
export const empty = (statusCode: number): WireResponse => ({ statusCode });

/** The function and qualifier of a request: from the path (name, ARN, name:qualifier) and `?Qualifier=`. */
export function target(req: LambdaRequest): { name: string; qualifier?: string } {
  const parsed = parseFunctionName(req.params["fn"] ?? "");
  const qualifier = req.query.get("Qualifier") ?? parsed.qualifier;
  if (parsed.qualifier && qualifier !== parsed.qualifier) {
    throw new AwsWireError(
      "InvalidParameterValueException",
      400,
      `the qualifier in FunctionName (${parsed.qualifier}) and Qualifier (${qualifier}) differ: give one`,
    );
  }
  return qualifier ? { name: parsed.name, qualifier } : { name: parsed.name };
}

export function jsonBody(req: LambdaRequest): Record<string, unknown> {
  return parseJsonObject(req.body, "InvalidRequestContentException");
}

/** Pages a list the way Lambda does (Marker / MaxItems → NextMarker), under the given member name. */
export function paged(items: Record<string, unknown>[], req: LambdaRequest, member: string): WireResponse {
  const marker = req.query.get("Marker");
  const maxItems = Number(req.query.get("MaxItems") ?? 50);
  const offset = marker === null ? 0 : Number(marker);
  if (
    !Number.isInteger(offset) ||
    offset < 0 ||
    !Number.isInteger(maxItems) ||
    maxItems < 1 ||
    maxItems > 10_000
  ) {
    throw new AwsWireError(
      "InvalidParameterValueException",
      400,
      "Marker must come from a previous NextMarker and MaxItems must be an integer from 1 to 10000",
    );
  }
  const page = items.slice(offset, offset + maxItems);
  const next = offset + page.length;
  return json(200, { [member]: page, ...(next < items.length ? { NextMarker: String(next) } : {}) });
}

/**
 * CreateFunction's Code: the control plane takes `{ LocalPath }` (the directory of the bundle). Through the
 * SDK, whose Code shape has no LocalPath, the stage registers local code as
 * `Code: { S3Bucket: "local", S3Key: "<directory of the bundle>" }`; both forms are accepted (and the same
 * S3Bucket/S3Key pair on UpdateFunctionCode becomes its top-level `LocalPath`).
 */
export function localCode(
  input: Record<string, unknown>,
  codeRoots: readonly string[],
): Record<string, unknown> {
  const code = input["Code"];
  if (code && typeof code === "object" && !Array.isArray(code)) {
    const c = code as Record<string, unknown>;
    if (c["S3Bucket"] === "local" && typeof c["S3Key"] === "string") {
      checkCodeRoot(c["S3Key"], codeRoots);
      return { ...input, Code: { LocalPath: c["S3Key"] } };
    }
    checkCodeRoot(c["LocalPath"], codeRoots);
  }
  return input;
}

/** UpdateFunctionCode: the same convention, at the top level (`S3Bucket: "local", S3Key: <dir>` → `LocalPath`). */
export function localCodeUpdate(
  input: Record<string, unknown>,
  codeRoots: readonly string[],
): Record<string, unknown> {
  if (input["S3Bucket"] !== "local" || typeof input["S3Key"] !== "string") {
    checkCodeRoot(input["LocalPath"], codeRoots);
    return input;
  }
  const { S3Bucket: _bucket, S3Key: key, ...rest } = input;
  checkCodeRoot(key, codeRoots);
  return { ...rest, LocalPath: key };
}
