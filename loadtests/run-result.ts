/**
 * The run result: what a load engine (built-in or k6) returns for one run. Versioned; both engines
 * produce exactly this shape, so nothing downstream cares which engine ran. Optional fields are those an engine
 * may be unable to measure; adding one keeps the version, changing a field's meaning or removing one bumps it.
 * Pure types, no I/O.
 */
import type { LoadSourceName } from "./engines/names.ts";

export const RUN_RESULT_SCHEMA_VERSION = 1 as const;

/** The CRUD operations of the workload model. */
export const OPERATIONS = ["create", "read", "update", "list", "delete"] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** Latency distribution of a set of requests, from an HDR histogram, in milliseconds. */
export interface LatencySummary {
  count: number;
  minMs: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

/** Requests of one operation (or all of them) and what came back. */
export interface RequestStats {
  /** Requests that got an HTTP response or failed at transport level. */
  requests: number;
  latency: LatencySummary;
  /** HTTP status code (as a string) → count, e.g. { "200": 950, "404": 3 }. */
  statusCounts: Record<string, number>;
  /** Error kind → count: "unexpected-status", "timeout", "connection", ... Expected statuses are not errors. */
  errors: Record<string, number>;
  /** Sum of `errors`. */
  errorCount: number;
  /** errorCount / requests, 0 when there were no requests. */
  errorRate: number;
  /**
   * HDR histogram of latencies in microseconds, compressed base64 (hdr-histogram-js encoding),
   * for merging and bootstrap statistics. The k6 adapter builds it from k6's JSON output (overall only); absent
   * when that output is missing.
   */
  histogram?: string;
}

/**
 * One second of the run. `second` counts from the start of the measured window. `requests`, `errors` and
 * `p95Ms` are keyed by each iteration's INTENDED start second (a stall shows as high latency in the seconds
 * it delayed, never as missing requests); `sent` by the second the engine actually started the iteration
 * (handed its request to the HTTP client, which may queue it for a connection under `maxConnections`), so
 * an engine that fell behind and caught up shows a dip and then a burst there.
 */
export interface TimelinePoint {
  second: number;
  requests: number;
  errors: number;
  /** Client-side p95 latency in that second, when there were requests. */
  p95Ms?: number;
  /** Iterations started in that second, handed to the HTTP client (built-in engine; absent otherwise). */
  sent?: number;
}

/**
 * How late iterations started: the time the engine handed the request to the HTTP client minus its due
 * time, from an HDR histogram, in milliseconds. A wait for a free connection (under `maxConnections`) is
 * not in it; it is in the request's latency, timed from the due time.
 * Near 0 when the engine kept to the schedule; a frozen event loop or a saturated CPU shows here.
 */
export interface StartLagSummary {
  /** Iterations measured (every started one). */
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The bytes one 512 KiB block of an exchange holds (API Gateway meters HTTP API calls in 512 KB increments). */
export const EXCHANGE_BLOCK_BYTES = 512 * 1024;

/**
 * Body sizes of the measured requests that got an HTTP answer: what was sent (the request body) and received
 * (the response body, as it came off the wire), and how many 512 KiB blocks each exchange (request + response
 * body) took, an empty one counting as one. The built-in engine and the k6 scenario measure every exchange; a
 * user's k6 script that does not record its sizes gets an upper bound (`source`); absent when the engine
 * measured nothing (k6 without its JSON output).
 */
export interface PayloadSummary {
  requests: number;
  requestBytes: number;
  responseBytes: number;
  maxExchangeBytes: number;
  /** Requests by the 512 KiB blocks their exchange took: { "1": 980, "2": 20 }. */
  exchangesBy512KiB: Record<string, number>;
  /**
   * Where the sizes come from. Absent or "bodies": each exchange's bodies, measured. "k6-iteration-bytes": an
   * upper bound from k6's bytes on the wire per iteration (data_sent + data_received, HTTP headers included),
   * for a user's k6 script that records no sizes; the byte figures are then those wire bytes
   * (loadtests/engines/k6/payload.ts).
   */
  source?: PayloadSource;
}

/** How a PayloadSummary was measured (see PayloadSummary.source). */
export type PayloadSource = "bodies" | "k6-iteration-bytes";

/** A PayloadSummary being filled, one exchange at a time. */
export function addExchange(summary: PayloadSummary, requestBytes: number, responseBytes: number): void {
  const exchange = requestBytes + responseBytes;
  summary.requests += 1;
  summary.requestBytes += requestBytes;
  summary.responseBytes += responseBytes;
  if (exchange > summary.maxExchangeBytes) summary.maxExchangeBytes = exchange;
  const blocks = String(Math.max(1, Math.ceil(exchange / EXCHANGE_BLOCK_BYTES)));
  summary.exchangesBy512KiB[blocks] = (summary.exchangesBy512KiB[blocks] ?? 0) + 1;
}

/** The payload summaries of several runs (rounds, segments) as one; undefined when any lacks one. */
export function poolPayloads(
  summaries: ReadonlyArray<PayloadSummary | undefined>,
): PayloadSummary | undefined {
  if (summaries.length === 0 || summaries.some((s) => s === undefined)) return undefined;
  const pooled: PayloadSummary = {
    requests: 0,
    requestBytes: 0,
    responseBytes: 0,
    maxExchangeBytes: 0,
    exchangesBy512KiB: {},
  };
  for (const s of summaries as PayloadSummary[]) {
    pooled.requests += s.requests;
    pooled.requestBytes += s.requestBytes;
    pooled.responseBytes += s.responseBytes;
    pooled.maxExchangeBytes = Math.max(pooled.maxExchangeBytes, s.maxExchangeBytes);
    for (const [blocks, n] of Object.entries(s.exchangesBy512KiB))
      pooled.exchangesBy512KiB[blocks] = (pooled.exchangesBy512KiB[blocks] ?? 0) + n;
    // A bound pooled with measurements is still only a bound.
    if (s.source === "k6-iteration-bytes") pooled.source = "k6-iteration-bytes";
  }
  return pooled;
}

/** A pass/fail rule of a profile and how the run fared against it. */
export interface ThresholdOutcome {
  /** k6 metric name: "http_req_failed" (error rate) or "http_req_duration" (latency percentiles). */
  metric: string;
  /** k6-style expression, e.g. "rate<0.01", "p(95)<500" */
  expression: string;
  actual: number;
  passed: boolean;
}

export interface RunResult {
  schemaVersion: typeof RUN_RESULT_SCHEMA_VERSION;
  /** "direct": the tuner's direct-invoke mode (Lambda Invoke, no API in the path). */
  engine: { name: LoadSourceName; version: string };
  profile: string;
  /**
   * Seed of the workload's random choices: give it back (`--seed`) to repeat the run's requests. Set by the
   * built-in and k6 engines (drawn at random when not given); absent in direct-invoke mode (nothing random).
   */
  seed?: number;
  /** Base URL of the API the load went to. */
  target: string;
  /** ISO 8601 times of the measured window. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  targetRatePerSec: number;
  /**
   * Built-in engine: started iterations ÷ the window they were spread over (up to the abort when cut short);
   * k6: completed iterations ÷ the profile's scheduled seconds. An average: a burst after a stall keeps it at the target; `startLag` and
   * `timeline[].sent` show such bursts.
   */
  achievedRatePerSec: number;
  iterations: { started: number; completed: number; dropped: number };
  /**
   * How late iterations started against their schedule (built-in engine). `achievedRatePerSec` is an average
   * over the window, so a stall the engine caught up from with a burst does not lower it; this does.
   * Absent when the engine cannot measure it (k6).
   */
  startLag?: StartLagSummary;
  overall: RequestStats;
  /**
   * Requests that failed without an HTTP answer (the "timeout" and "connection" errors), by the transport
   * error's code: `ECONNRESET`, `ECONNREFUSED`, `UND_ERR_SOCKET`, `UND_ERR_CONNECT_TIMEOUT`, ... Built-in
   * engine; absent when there was none or the engine cannot tell (k6).
   */
  transportErrorCodes?: Record<string, number>;
  /**
   * Request and response body sizes (both engines; an upper bound for a user's k6 script that records none).
   * HTTP APIs are priced from it.
   */
  payload?: PayloadSummary;
  operations: Partial<Record<OperationName, RequestStats>>;
  timeline: TimelinePoint[];
  thresholds: ThresholdOutcome[];
  thresholdsPassed: boolean;
  /** True when the run was ended early (SIGINT, abort signal); the result is still valid. */
  aborted: boolean;
  /**
   * Exact attribution: the Lambda request ids (the `x-lambda-request-id` response header, docs/api.md) of the
   * measured window's answered requests, one per answer that carried it. The tuner prices exactly these
   * invocations' REPORT lines. Absent when the engine cannot record them.
   */
  lambdaRequestIds?: string[];
  /** Answered requests (an HTTP status came back) whose response had no `x-lambda-request-id` header. */
  responsesWithoutLambdaRequestId?: number;
  /** The request sequence the run replayed (common random numbers); absent in direct-invoke mode. */
  sequence?: { seed: number; kind: "measure" | "warmup"; idPrefix: string; requests: number };
}
