/**
 * The CRUD workload as a k6 v2 TypeScript scenario (k6 runs .ts natively; `tsc -p loadtests/engines/k6/scenarios`
 * type-checks it against @types/k6). Same workload model, profiles and thresholds as the built-in engine; one iteration is one
 * request. handleSummary saves k6's raw summary data and the RunResult mapped from it.
 *
 *   k6 run -e TARGET=http://127.0.0.1:3000/prod -e PROFILE=baseline loadtests/engines/k6/scenarios/crud.ts
 *
 * Environment (-e): TARGET (required), PROFILE (smoke|baseline|ramp|spike|soak, default baseline), PROFILE_JSON
 * (a whole profile, as the adapter passes it), SEED, SEQUENCE (a request sequence file: iteration i sends its
 * request i, the same at every setting; without it each VU draws its own requests from the workload model),
 * RATE (peak req/s), DURATION_MS, DURATION_SCALE, MAX_IN_FLIGHT, POWERBENCH_SUMMARY (raw summary path),
 * POWERBENCH_RESULT (RunResult path, default powerbench-result.json), RUN_ID (id prefix). Each VU's seed and
 * id prefix mix in its test-wide VU id and, on a segmented run (k6-operator), the execution segment.
 */
import { check } from "k6";
import { SharedArray } from "k6/data";
import exec from "k6/execution";
import http from "k6/http";
import { Counter } from "k6/metrics";
import {
  expectedIterations,
  type Profile,
  type ProfileOverrides,
  resolveProfile,
  totalDurationMs,
} from "../../../profiles.ts";
import { createRandom } from "../../../random.ts";
import { OPERATIONS, type OperationName } from "../../../run-result.ts";
import {
  classifyOutcome,
  ERROR_KINDS,
  type ErrorKind,
  type PlannedRequest,
  Workload,
} from "../../../workload/model.ts";
import { bodyBytes, responseBodyBytes, withExchangeMetadata } from "../exchange-size.ts";
import {
  ANSWERED_COUNTER,
  BEYOND_SEQUENCE_COUNTER,
  errorCounterName,
  k6Options,
  k6VuIdentity,
  LAMBDA_REQUEST_ID_HEADER,
  LAMBDA_REQUEST_ID_METADATA,
  statusCounterName,
  TRACKED_STATUSES,
} from "../options.ts";
import { type SequenceFileRequest, sequenceRequests } from "../sequence.ts";
import { type K6SummaryData, mapK6Summary } from "../summary.ts";

function numberEnv(name: string): number | undefined {
  const raw = __ENV[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`invalid -e ${name}=${raw}: expected a number`);
  return value;
}

const target = (__ENV["TARGET"] ?? "").replace(/\/+$/, "");
if (!/^https?:\/\//.test(target)) {
  throw new Error(
    `missing or invalid -e TARGET: expected the API base URL like http://127.0.0.1:3000/prod, got "${target}"`,
  );
}
const overrides: ProfileOverrides = {};
const rate = numberEnv("RATE");
const durationMs = numberEnv("DURATION_MS");
const durationScale = numberEnv("DURATION_SCALE");
const maxInFlight = numberEnv("MAX_IN_FLIGHT");
if (rate !== undefined) overrides.ratePerSec = rate;
if (durationMs !== undefined) overrides.durationMs = durationMs;
if (durationScale !== undefined) overrides.durationScale = durationScale;
if (maxInFlight !== undefined) overrides.maxInFlight = maxInFlight;
// The adapter passes the resolved profile as PROFILE_JSON, so k6 runs exactly what was asked for.
const profileJson = __ENV["PROFILE_JSON"];
const profile = profileJson
  ? resolveProfile(JSON.parse(profileJson) as Profile, overrides)
  : resolveProfile(__ENV["PROFILE"] ?? "baseline", overrides);
const seed = numberEnv("SEED") ?? 1;

export const options = k6Options(profile);

const runId = __ENV["RUN_ID"] ?? `pb${Date.now().toString(36)}`;
// Random per VU (k6 seeds each VU's Math.random on its own unless options.randomSeed is set), so ids differ
// even between runners that share RUN_ID and start in the same millisecond.
const randomSuffix = Math.floor(Math.random() * 36 ** 6)
  .toString(36)
  .padStart(6, "0");

// Common random numbers: with -e SEQUENCE, the planned requests, read once and shared by every VU (read-only).
const sequencePath = __ENV["SEQUENCE"];
const sequence: readonly SequenceFileRequest[] | undefined = sequencePath
  ? new SharedArray("powerbench-sequence", () => sequenceRequests(open(sequencePath), sequencePath))
  : undefined;

/**
 * Request number `iterationInTest` of the sequence (unique across the instances of a segmented run), or
 * undefined past its end (counted; such an iteration sends nothing).
 */
function sequencedRequest(requests: readonly SequenceFileRequest[]): SequenceFileRequest | undefined {
  const request = requests[exec.scenario.iterationInTest];
  if (!request) beyondSequence.add(1);
  return request;
}

// Each VU has its own workload, seeded stream and id prefix. It is made on the VU's first iteration: the
// execution segment (k6-operator gives each runner one) and the test-wide VU id are readable only in VU code.
let workload: Workload | undefined;
function vuWorkload(): Workload {
  if (!workload) {
    const identity = k6VuIdentity({
      seed,
      vuId: exec.vu.idInTest,
      executionSegment: exec.test.options.executionSegment ?? null,
      runId,
      randomSuffix,
    });
    workload = new Workload(createRandom(identity.seed), identity.idPrefix, profile.workload ?? {});
  }
  return workload;
}

// Response callbacks built once here, as k6 recommends, one per set of expected statuses the workload uses
// (a set not listed gets its callback on first use, once per VU).
const responseCallbacks = new Map<string, ReturnType<typeof http.expectedStatuses>>();
const statusSetKey = (statuses: readonly number[]) => [...statuses].sort((a, b) => a - b).join(",");
for (const statuses of [[200], [201], [200, 204], [200, 404], [200, 204, 404]]) {
  responseCallbacks.set(statusSetKey(statuses), http.expectedStatuses(...statuses));
}
function responseCallbackFor(statuses: readonly number[]): ReturnType<typeof http.expectedStatuses> {
  const key = statusSetKey(statuses);
  let callback = responseCallbacks.get(key);
  if (!callback) {
    callback = http.expectedStatuses(...statuses);
    responseCallbacks.set(key, callback);
  }
  return callback;
}

const answered = new Counter(ANSWERED_COUNTER);
const beyondSequence = new Counter(BEYOND_SEQUENCE_COUNTER);
const statusCounters = new Map<string, Counter>();
const errorCounters = new Map<string, Counter>();
for (const op of OPERATIONS) {
  for (const status of [...TRACKED_STATUSES, "other" as const]) {
    const name = statusCounterName(op, status);
    statusCounters.set(name, new Counter(name));
  }
  for (const kind of ERROR_KINDS) {
    const name = errorCounterName(op, kind);
    errorCounters.set(name, new Counter(name));
  }
}

function countStatus(op: OperationName, status: number): void {
  if (status === 0) return;
  const tracked = TRACKED_STATUSES.includes(status) ? status : "other";
  statusCounters.get(statusCounterName(op, tracked))?.add(1);
}

/**
 * The route of a request: a workload file's route name, else the CRUD route template ("PUT /items/{id}",
 * "GET /items"): the `name` tag, one per route.
 */
function routeName(method: string, requestPath: string, route?: string): string {
  if (route) return route;
  return `${method} /items${requestPath.startsWith("/items/") ? "/{id}" : ""}`;
}

/**
 * Counts an answer; its Lambda request id (when the service sent one) and its body sizes (request sent, response
 * received: an HTTP API meters each exchange in 512 KB increments) ride along as sample metadata.
 */
function recordAnswer(
  lambdaRequestId: string | undefined,
  requestBytes: number | undefined,
  responseBytes: number | undefined,
): void {
  const metadata = exec.vu.metrics.metadata;
  if (lambdaRequestId) metadata[LAMBDA_REQUEST_ID_METADATA] = lambdaRequestId;
  const clearSizes = withExchangeMetadata(metadata, requestBytes, responseBytes);
  answered.add(1);
  clearSizes();
  if (lambdaRequestId) delete metadata[LAMBDA_REQUEST_ID_METADATA];
}

const JSON_HEADERS = { "Content-Type": "application/json", Accept: "application/json" };

export default function iteration(): void {
  const workload = sequence ? undefined : vuWorkload();
  const planned: PlannedRequest | undefined = sequence
    ? sequencedRequest(sequence)
    : (workload as Workload).next();
  if (!planned) return;
  const request = planned;
  const res = http.request(request.method, target + request.path, request.body ?? null, {
    headers: request.headers ? { ...JSON_HEADERS, ...request.headers } : JSON_HEADERS,
    // Tag by route template, not by id, to keep metric cardinality low.
    tags: { op: request.operation, name: routeName(request.method, request.path, request.route) },
    responseCallback: responseCallbackFor(request.expectedStatuses),
    timeout: `${profile.requestTimeoutMs}ms`,
    // The body as bytes (the options discard bodies otherwise): its size is what an HTTP API meters.
    responseType: "binary",
  });
  // k6 error code 1050 is a request timeout; any other status-0 answer is a connection failure.
  const transportError = res.status === 0 ? (res.error_code === 1050 ? "timeout" : "connection") : undefined;
  // A sequence's expected statuses are exact (it never races itself); the workload model tracks id states.
  const error: ErrorKind | undefined = workload
    ? workload.settle(request, res.status, transportError)
    : classifyOutcome(request, res.status, transportError);
  countStatus(request.operation, res.status);
  if (res.status !== 0) {
    recordAnswer(
      res.headers[LAMBDA_REQUEST_ID_HEADER],
      bodyBytes(request.body),
      responseBodyBytes(res.body, res.headers),
    );
  }
  if (error) errorCounters.get(errorCounterName(request.operation, error))?.add(1);
  check(
    res,
    { [`${request.operation}: expected status`]: () => error === undefined },
    { op: request.operation },
  );
}

export function handleSummary(data: K6SummaryData): Record<string, string> {
  const scheduledMs = totalDurationMs(profile);
  const result = mapK6Summary(data, {
    profile: profile.name,
    target,
    targetRatePerSec: expectedIterations(profile) / (scheduledMs / 1000),
    scheduledDurationMs: scheduledMs,
    seed,
    k6Version: __ENV["K6_VERSION"] ?? "unknown",
    // An interrupted run still gets here; the adapter marks it aborted (it knows it sent the interrupt).
    aborted: false,
  });
  const out: Record<string, string> = {
    [__ENV["POWERBENCH_RESULT"] ?? "powerbench-result.json"]: JSON.stringify(result, null, 2),
    stdout:
      `powerbench k6 ${profile.name}: ${result.overall.requests} requests, ` +
      `p95 ${result.overall.latency.p95Ms.toFixed(1)} ms, p99 ${result.overall.latency.p99Ms.toFixed(1)} ms, ` +
      `errors ${(result.overall.errorRate * 100).toFixed(2)} %, thresholds ${result.thresholdsPassed ? "passed" : "FAILED"}\n`,
  };
  const rawPath = __ENV["POWERBENCH_SUMMARY"];
  if (rawPath) out[rawPath] = JSON.stringify(data);
  return out;
}
