/**
 * Compares a proxy event built by the front with the real sample event
 * (../shared/fixtures/apigateway/apigw-request.json): same keys, same JSON types.
 */
import { readFileSync } from "node:fs";

/** The real REST proxy event sample (payload format 1.0). */
export function sampleRestEvent(): Record<string, unknown> {
  return JSON.parse(readFileSync("../shared/fixtures/apigateway/apigw-request.json", "utf8"));
}

/**
 * Identity fields a real REST API sends as null for an unauthenticated request (the sample comes from an
 * authenticated one, with a custom authorizer, which is why the sample's `requestContext.authorizer` is left out).
 */
const NULL_WHEN_UNAUTHENTICATED = [
  "cognitoIdentityPoolId",
  "accountId",
  "cognitoIdentityId",
  "caller",
  "apiKey",
  "apiKeyId",
  "accessKey",
  "cognitoAuthenticationType",
  "cognitoAuthenticationProvider",
  "userArn",
  "user",
  "clientCert",
].map((k) => `event.requestContext.identity.${k}`);

const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

function differences(expected: unknown, actual: unknown, at: string, nullable: Set<string>): string[] {
  if (nullable.has(at) && actual === null) return [];
  if (typeOf(expected) !== typeOf(actual))
    return [`${at}: expected ${typeOf(expected)}, got ${typeOf(actual)}`];
  if (typeOf(expected) !== "object") return [];
  // Header, query, path and stage-variable maps hold the request's own names: compare their type only.
  if (/(eaders|Parameters|\.stageVariables)$/.test(at)) return [];
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const diffs: string[] = [];
  for (const key of Object.keys(e)) {
    if (!(key in a)) diffs.push(`${at}.${key}: missing`);
    else diffs.push(...differences(e[key], a[key], `${at}.${key}`, nullable));
  }
  return diffs;
}

/** Lists every key of the sample missing from `event` or with another JSON type; [] when the shapes match. */
export function eventShapeDifferences(event: unknown): string[] {
  const sample = sampleRestEvent();
  const { authorizer: _absentWithoutAuthorizer, ...requestContext } = sample["requestContext"] as Record<
    string,
    unknown
  >;
  return differences({ ...sample, requestContext }, event, "event", new Set(NULL_WHEN_UNAUTHENTICATED));
}
