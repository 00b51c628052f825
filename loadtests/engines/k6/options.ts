/**
 * A profile as k6 options: the arrival-rate scenario, the thresholds, the per-operation submetrics the summary
 * mapping needs, and summaryTrendStats with p(99) and p(99.9). Also the names of the custom counters the k6
 * scenario adds. Pure (no npm imports): the k6 scenarios import it, and the Node tests check it.
 */
import { type Profile, peakRatePerSec, thresholdExpressions } from "../../profiles.ts";
import { deriveSeed } from "../../random.ts";
import { OPERATIONS, type OperationName } from "../../run-result.ts";
import { ERROR_KINDS, type ErrorKind } from "../../workload/model.ts";

export const SUMMARY_TREND_STATS = [
  "avg",
  "min",
  "med",
  "max",
  "p(90)",
  "p(95)",
  "p(99)",
  "p(99.9)",
  "count",
];

/** Statuses counted one by one in k6 (k6 cannot count by an arbitrary tag value); the rest as "other". */
export const TRACKED_STATUSES = [
  200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 502, 503, 504,
];

/**
 * The counter the scenario adds 1 to for every answered request (an HTTP status came back). When the answer
 * carried `x-lambda-request-id`, the sample has it as metadata (`LAMBDA_REQUEST_ID_METADATA`): metadata is k6's
 * place for high-cardinality values (not indexed as tags, so no time series per id), and `--out json` writes it.
 */
export const ANSWERED_COUNTER = "pb_answered";
/**
 * The counter of iterations past the end of the request sequence: they send nothing. k6's arrival-rate
 * executors usually start exactly the schedule's iterations, but not always on a busy machine (2,002 at 200/s
 * for 10 s was measured), so the scenario must not fail for one more.
 */
export const BEYOND_SEQUENCE_COUNTER = "pb_beyond_sequence";
/** Metadata key of the Lambda request id on ANSWERED_COUNTER samples. */
export const LAMBDA_REQUEST_ID_METADATA = "lambda_request_id";
/** The response header the service answers with the Lambda request id (k6 canonicalises header names). */
export const LAMBDA_REQUEST_ID_HEADER = "X-Lambda-Request-Id";

/** Name of the k6 counter of one operation's answers with one status ("other" for the rest). */
export function statusCounterName(operation: OperationName, status: number | "other"): string {
  return `pb_status_${operation}_${status}`;
}

/** Name of the k6 counter of one operation's errors of one kind. */
export function errorCounterName(operation: OperationName, kind: ErrorKind): string {
  return `pb_error_${operation}_${kind.replace(/-/g, "_")}`;
}

/** Every custom counter name the scenario declares. */
export function customCounterNames(): string[] {
  return OPERATIONS.flatMap((op) => [
    ...TRACKED_STATUSES.map((status) => statusCounterName(op, status)),
    statusCounterName(op, "other"),
    ...ERROR_KINDS.map((kind) => errorCounterName(op, kind)),
  ]);
}

/** k6 durations as Go duration strings in whole milliseconds. */
function k6Duration(ms: number): string {
  return `${Math.max(1, Math.round(ms))}ms`;
}

/**
 * k6 arrival rates are integers per timeUnit: per second when the profile's rates are whole numbers,
 * else per minute (rounded), which keeps fractional rates such as 0.5/s.
 */
function rateUnit(profile: Profile): { timeUnit: string; perUnit: (ratePerSec: number) => number } {
  const rates = [profile.startRatePerSec, ...profile.stages.map((s) => s.targetRatePerSec)];
  if (rates.every((r) => Number.isInteger(r))) return { timeUnit: "1s", perUnit: (r) => r };
  return { timeUnit: "1m", perUnit: (r) => Math.round(r * 60) };
}

/**
 * The duration of a constant-arrival-rate scenario: the profile's, less half an interval between starts.
 * k6 v2 starts one iteration more than rate × duration at a constant rate (its last start falls on the end:
 * 41 at 20/s for 2 s, measured), while its ramping executor and the built-in schedule start exactly the
 * integral (40). Ending half an interval early leaves the starts at 0, 1/rate, ... and drops only that last
 * one, so both engines start the same iterations (and a request sequence planned for them is long enough).
 * In microseconds when a whole number of milliseconds would not do.
 */
export function constantRateDuration(durationMs: number, ratePerSec: number): string {
  const us = Math.round((durationMs - 500 / ratePerSec) * 1000);
  return us % 1000 === 0 ? `${Math.max(1, us / 1000)}ms` : `${Math.max(1, us)}us`;
}

/** Seconds of the peak arrival rate the pre-allocated VUs cover: requests up to this long never wait for a VU. */
export const PREALLOCATED_VU_SECONDS = 1;

/**
 * VUs k6 initializes before the test. k6 drops an iteration that finds no free VU even below maxVUs (it starts
 * initializing one for later, which takes a while: each VU compiles the scenario), while the built-in engine
 * drops only at its in-flight cap. Enough VUs for a second of the peak rate (at least 10, at most the cap)
 * keep the two alike for requests under a second; each VU costs about 1 MB of k6's memory (measured: 200 VUs
 * ≈ 200 MB RSS).
 */
export function preAllocatedVus(profile: Profile): number {
  const forPeak = Math.ceil(peakRatePerSec(profile) * PREALLOCATED_VU_SECONDS);
  return Math.min(profile.maxInFlight, Math.max(10, forPeak));
}

/**
 * The k6 scenario of a profile (one iteration = one request of the workload). A constant profile of under
 * about a second becomes a ramping-arrival-rate scenario from its rate to the same rate (k6's constant executor
 * needs at least 1 s).
 */
export function k6Scenario(profile: Profile): Record<string, unknown> {
  const { timeUnit, perUnit } = rateUnit(profile);
  const vus = {
    preAllocatedVUs: preAllocatedVus(profile),
    maxVUs: profile.maxInFlight,
    gracefulStop: k6Duration(profile.gracefulStopMs),
  };
  const durationMs = profile.stages.reduce((sum, s) => sum + s.durationMs, 0);
  // k6 refuses a constant-arrival-rate shorter than 1 s: such a short run ramps from the rate to the same rate.
  if (profile.executor === "constant-arrival-rate" && durationMs - 500 / profile.startRatePerSec >= 1000) {
    return {
      executor: "constant-arrival-rate",
      rate: perUnit(profile.startRatePerSec),
      timeUnit,
      duration: constantRateDuration(durationMs, profile.startRatePerSec),
      ...vus,
    };
  }
  return {
    executor: "ramping-arrival-rate",
    startRate: perUnit(profile.startRatePerSec),
    timeUnit,
    stages: profile.stages.map((s) => ({
      target: perUnit(s.targetRatePerSec),
      duration: k6Duration(s.durationMs),
    })),
    ...vus,
  };
}

/** Thresholds: the profile's, plus always-true ones on per-operation submetrics so the summary holds them. */
export function k6Thresholds(profile: Profile): Record<string, string[]> {
  const thresholds = thresholdExpressions(profile.thresholds);
  for (const op of OPERATIONS) {
    thresholds[`http_req_duration{op:${op}}`] = ["max>=0"];
    thresholds[`http_reqs{op:${op}}`] = ["count>=0"];
  }
  return thresholds;
}

/** The options object a k6 script exports for a profile. */
export function k6Options(profile: Profile): Record<string, unknown> {
  return {
    scenarios: { [profile.name]: k6Scenario(profile) },
    thresholds: k6Thresholds(profile),
    summaryTrendStats: SUMMARY_TREND_STATS,
    discardResponseBodies: true,
  };
}

/** FNV-1a, 32 bits: a short, stable number for a string such as an execution segment. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h >>> 0;
}

/** True when the segment is the whole test (no segment, or "0:1"): a single k6 instance. */
function isWholeTest(segment: string | null | undefined): boolean {
  return segment === undefined || segment === null || segment === "" || segment === "0:1";
}

export interface K6VuInput {
  /** The run's seed (-e SEED). */
  seed: number;
  /** `exec.vu.idInTest`: unique across the instances of a segmented run. */
  vuId: number;
  /** `exec.test.options.executionSegment`, e.g. "1/4:1/2" on one of four k6-operator runners; null when unset. */
  executionSegment?: string | null;
  /** Id prefix of the run (-e RUN_ID or a time-based default); characters outside [A-Za-z0-9_-] become "_". */
  runId: string;
  /** A few random characters [a-z0-9] of this VU, so ids differ even between runners with equal inputs. */
  randomSuffix: string;
}

/**
 * The seed and id prefix of one k6 VU. k6-operator starts N runners with the same -e variables and gives each
 * an execution segment, so the segment is mixed into the seed (N runners draw N different streams; a single
 * k6 instance keeps `deriveSeed(seed, vu)`, reproducible from the seed) and into the id prefix, together with
 * a random suffix (ids never collide, even between runners started with the same RUN_ID in the same ms).
 *
 * @example k6VuIdentity({ seed: 7, vuId: 3, executionSegment: "1/4:1/2", runId: "pb1", randomSuffix: "x9k2q0" })
 *   // → { seed: <mixed>, idPrefix: "pb1-s<segment hash>-x9k2q0-v3" }
 */
export function k6VuIdentity(input: K6VuInput): { seed: number; idPrefix: string } {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, "_");
  const runId = safe(input.runId);
  const suffix = safe(input.randomSuffix);
  if (isWholeTest(input.executionSegment)) {
    return { seed: deriveSeed(input.seed, input.vuId), idPrefix: `${runId}-${suffix}-v${input.vuId}` };
  }
  const segment = hash32(String(input.executionSegment));
  return {
    seed: deriveSeed(deriveSeed(input.seed, segment), input.vuId),
    idPrefix: `${runId}-s${segment.toString(36)}-${suffix}-v${input.vuId}`,
  };
}
