/**
 * Warnings about a run's figures that results.json carries to the report, summary.md and the terminal (pure).
 * The function logged no DynamoDB consumed capacity (DynamoDB priced at $0); an HTTP API's body sizes were not
 * measured (one call per request) or only bounded from k6's bytes per iteration (an upper bound priced).
 */
import type { RunWarning, SettingResult } from "../results/results-types.ts";
import { meteredCallsPerRequest } from "./cost-model.ts";

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
 * An HTTP API priced as one metered call per request because the load engine measured no body sizes (k6
 * without its JSON output): an exchange over 512 KiB is more than one call. Undefined when every completed
 * setting measured or bounded them, or for a REST API (which counts calls, whatever their size).
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
      "The built-in engine and the k6 scenario measure them; k6 needs its JSON output (--out json) to report them",
    settings: unmeasured.map((s) => s.id),
  };
}

/**
 * An HTTP API priced at an upper bound of its metered calls: a user's k6 script recorded no body sizes, so each
 * iteration's bytes on the wire (k6's data_sent + data_received, headers included) stood in for the bodies of
 * its requests (loadtests/engines/k6/payload.ts). Only when the bound is above one call per request: at one,
 * it is exact (every answered request is at least one call). Undefined for a REST API.
 */
export function httpApiPayloadBoundWarning(
  settings: readonly SettingResult[],
  apiType: "REST" | "HTTP" | null,
): RunWarning | undefined {
  if (apiType !== "HTTP") return undefined;
  const bounded = settings
    .filter((s) => s.status === "ok" && s.client?.payload?.source === "k6-iteration-bytes")
    .map((s) => ({
      id: s.id,
      calls: meteredCallsPerRequest(s.client?.payload?.exchangesBy512KiB ?? {}) ?? 1,
    }))
    .filter((s) => s.calls > 1);
  if (bounded.length === 0) return undefined;
  const calls = bounded.map((s) => s.calls);
  const low = Math.min(...calls);
  const high = Math.max(...calls);
  const figure = low === high ? round(low) : `${round(low)}-${round(high)}`;
  return {
    code: "http-api-payload-bounded",
    message:
      `HTTP API priced at an upper bound of ${figure} metered calls per request: the k6 script recorded no body ` +
      "sizes, so each iteration's bytes on the wire (k6's data_sent + data_received, HTTP headers included) were " +
      "taken as the bodies of its requests (an HTTP API meters each request in 512 KB increments; n requests " +
      "that moved B bytes are at most n + floor(B / 512 KiB) calls). Call recordLambdaRequestId(res) from " +
      "loadtests/engines/k6/scenarios/powerbench.ts after each request to measure every exchange",
    settings: bounded.map((s) => s.id),
  };
}

/** A metered-calls figure as the warning shows it: up to 3 decimals, no trailing zeros. */
function round(calls: number): string {
  return String(Math.round(calls * 1000) / 1000);
}

/** Every warning of a run's settings, in a fixed order. */
export function runWarnings(
  settings: readonly SettingResult[],
  apiType: "REST" | "HTTP" | null = null,
): RunWarning[] {
  return [
    dynamodbCapacityWarning(settings),
    httpApiPayloadWarning(settings, apiType),
    httpApiPayloadBoundWarning(settings, apiType),
  ].filter((w): w is RunWarning => w !== undefined);
}
