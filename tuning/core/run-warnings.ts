/**
 * Warnings about a run's figures that results.json carries to the report, summary.md and the terminal (pure).
 * Today one: the function logged no DynamoDB consumed capacity, so DynamoDB was priced at $0 without a word.
 */
import type { RunWarning, SettingResult } from "../results/results-types.ts";

/** The line a function writes per request for DynamoDB to be priced (service/log.ts writes it). */
export const CAPACITY_LOG_LINE =
  '{"msg":"request","requestId":"<Lambda request id>","consumedRcu":<read units>,"consumedWcu":<write units>}';

/**
 * DynamoDB priced at $0 because no request log line of the measured window carried `consumedRcu` or
 * `consumedWcu`: at the completed settings that invoked the function and recorded their DynamoDB figures.
 * Undefined when any of those logged capacity (a function that logs it at one setting logs it at all) or when
 * the file predates `requestsWithCapacity`.
 */
export function dynamodbCapacityWarning(settings: readonly SettingResult[]): RunWarning | undefined {
  const measured = settings.filter(
    (s) =>
      s.status === "ok" && (s.lambda?.invocations ?? 0) > 0 && s.dynamodb?.requestsWithCapacity !== undefined,
  );
  if (measured.length === 0 || measured.some((s) => (s.dynamodb?.requestsWithCapacity ?? 0) > 0))
    return undefined;
  const lines = measured.reduce((sum, s) => sum + (s.dynamodb?.requests ?? 0), 0);
  const invocations = measured.reduce((sum, s) => sum + (s.lambda?.invocations ?? 0), 0);
  const found =
    lines === 0
      ? `no request log line in ${invocations} measured invocations`
      : `${lines} request log lines in ${invocations} measured invocations, none with consumedRcu or consumedWcu`;
  return {
    code: "dynamodb-capacity-not-logged",
    message:
      `DynamoDB is priced at $0: the function logged no DynamoDB consumed capacity (${found}). ` +
      `If it uses DynamoDB, call it with ReturnConsumedCapacity: "TOTAL" and log one JSON line per request, ` +
      `${CAPACITY_LOG_LINE}, summing the calls' CapacityUnits (as service/log.ts does; docs/cost-model.md)`,
    settings: measured.map((s) => s.id),
  };
}

/**
 * An HTTP API priced as one metered call per request because the load engine did not measure the body sizes
 * (k6, a user's k6 script): an exchange over 512 KiB is more than one call. Undefined when every completed
 * setting measured them, or for a REST API (which counts calls, whatever their size).
 */
export function httpApiPayloadWarning(
  settings: readonly SettingResult[],
  apiType: "REST" | "HTTP" | null,
): RunWarning | undefined {
  if (apiType !== "HTTP") return undefined;
  const unmeasured = settings.filter((s) => s.status === "ok" && s.client && !s.client.payload);
  if (unmeasured.length === 0) return undefined;
  return {
    code: "http-api-payload-not-measured",
    message:
      "HTTP API priced at one metered call per request: the load engine did not measure the body sizes " +
      "(an HTTP API meters each request in 512 KB increments, so larger exchanges cost more). " +
      "Run with --engine builtin to measure them",
    settings: unmeasured.map((s) => s.id),
  };
}

/** Every warning of a run's settings, in a fixed order. */
export function runWarnings(
  settings: readonly SettingResult[],
  apiType: "REST" | "HTTP" | null = null,
): RunWarning[] {
  return [dynamodbCapacityWarning(settings), httpApiPayloadWarning(settings, apiType)].filter(
    (w): w is RunWarning => w !== undefined,
  );
}
