/**
 * The run result: what a load engine (built-in or k6) returns for one run. Versioned; both engines
 * produce exactly this shape, so nothing downstream cares which engine ran. Pure types, no I/O.
 */

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
   * for merging and bootstrap statistics. Absent when the engine cannot provide it (k6).
   */
  histogram?: string;
}

/** One second of the run. `second` counts from the start of the measured window. */
export interface TimelinePoint {
  second: number;
  requests: number;
  errors: number;
  /** Client-side p95 latency in that second, when there were requests. */
  p95Ms?: number;
}

/** A pass/fail rule of a profile and how the run fared against it. */
export interface ThresholdOutcome {
  /** e.g. "http_req_failed", "p95", "p99" */
  metric: string;
  /** k6-style expression, e.g. "rate<0.01", "p(95)<500" */
  expression: string;
  actual: number;
  passed: boolean;
}

export interface RunResult {
  schemaVersion: typeof RUN_RESULT_SCHEMA_VERSION;
  /** "direct": the tuner's direct-invoke mode (Lambda Invoke, no API in the path). */
  engine: { name: "builtin" | "k6" | "direct"; version: string };
  profile: string;
  /** Base URL of the API the load went to. */
  target: string;
  /** ISO 8601 times of the measured window. */
  startedAt: string;
  endedAt: string;
  durationMs: number;
  targetRatePerSec: number;
  achievedRatePerSec: number;
  iterations: { started: number; completed: number; dropped: number };
  overall: RequestStats;
  operations: Partial<Record<OperationName, RequestStats>>;
  timeline: TimelinePoint[];
  thresholds: ThresholdOutcome[];
  thresholdsPassed: boolean;
  /** True when the run was ended early (SIGINT, abort signal); the result is still valid. */
  aborted: boolean;
}
