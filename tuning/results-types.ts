/**
 * Types of results.json: the only input the report needs. The JSON Schema in
 * tuning/results.schema.json describes the same shape and is validated on write and read.
 * Every figure here is measured or computed by a documented formula (docs/cost-model.md).
 */

import type { LatencySummary, OperationName, TimelinePoint } from "../loadtests/run-result.ts";
import type { CpuScaling } from "../stage/contracts.ts";

export const RESULTS_SCHEMA_VERSION = 1 as const;

export type Architecture = "x86_64" | "arm64";
export type StrategyName = "cost" | "speed" | "balanced" | "slo";

/** A closed interval [low, high] from a bootstrap, with its confidence level (e.g. 0.95). */
export interface ConfidenceInterval {
  low: number;
  high: number;
  level: number;
}

export interface RunMetadata {
  /** e.g. "2026-11-27T02-10-00Z-ab12" */
  id: string;
  startedAt: string;
  endedAt: string;
  gitRevision?: string;
  stage: {
    name: "local" | "aws";
    region: string;
    apiUrl: string;
    apiType: "REST" | "HTTP";
    functionName: string;
    alias: string;
  };
  /** "api": load through API Gateway (the default); "direct": Lambda Invoke with payloads (power-tuning's mode). */
  mode: "api" | "direct";
  engine: { name: "builtin" | "k6" | "direct"; version: string };
  profile: string;
  /** Tool and library versions: node, powerbench, k6, newman, ... */
  toolVersions: Record<string, string>;
  cpuScaling: CpuScaling;
  priceTable: { version: string; region: string };
  slo?: { p99Ms?: number; errorRate?: number };
  /** Trimmed-mean option for compatibility with aws-lambda-power-tuning (fraction 0–0.5 dropped each side). */
  discardTopBottom?: number;
  /** Present only when the run did not measure every planned setting (Ctrl-C, SIGTERM, an error). */
  partial?: PartialRun;
}

/** Why a run is partial, and what ran. */
export interface PartialRun {
  reason: "interrupted" | "error";
  /** In words, e.g. "interrupted by SIGINT during x86_64-512". */
  message: string;
  settingsPlanned: number;
  settingsRun: number;
  /** Ids of the planned settings that were not measured. */
  notRun: string[];
}

/** What the load engine saw, client side. */
export interface ClientMeasurements {
  requests: number;
  errorCount: number;
  errorRate: number;
  achievedRatePerSec: number;
  targetRatePerSec: number;
  droppedIterations: number;
  latency: LatencySummary;
  operations: Partial<
    Record<OperationName, { requests: number; errorRate: number; latency: LatencySummary }>
  >;
  timeline: TimelinePoint[];
  thresholdsPassed: boolean;
}

/** What Lambda reported: CloudWatch AWS/Lambda metrics plus the REPORT lines of the window. */
export interface LambdaMeasurements {
  /** CloudWatch Invocations (Sum). */
  invocations: number;
  errors: number;
  throttles: number;
  maxConcurrentExecutions: number;
  /** CloudWatch Duration statistics for the version. */
  durationMs: { avg: number; p50: number; p90: number; p99: number; max: number };
  /** From REPORT lines: how many were read for the window. */
  reportCount: number;
  /** Mean and sum of Billed Duration from REPORT lines (INIT included where billed). */
  billedDurationMs: { mean: number; total: number; trimmedMean?: number };
  /** Cold starts in the measured window (REPORT lines with an Init Duration). */
  coldStarts: number;
  /**
   * Init Duration of every cold start of the setting, warm-up and measured window together (the warm-up
   * absorbs the first cold starts of a new version); absent when there was none.
   */
  initDurationMs?: { mean: number; max: number };
  /** What the warm-up (not counted in the figures above) saw, from its REPORT lines. */
  warmup?: { invocations: number; coldStarts: number };
  maxMemoryUsedMb: number;
}

export interface ApiGatewayMeasurements {
  count: number;
  errors4xx: number;
  errors5xx: number;
  latencyMs: { avg: number; p50?: number; p99?: number };
  integrationLatencyMs: { avg: number };
}

export interface DynamoDbMeasurements {
  /** Read / write capacity units consumed over the window, as the service reported them. */
  readCapacityUnits: number;
  writeCapacityUnits: number;
  requests: number;
}

/** Cost per 1M requests, broken down, in USD. perRequestUsd = totalPerMillionUsd / 1e6. */
export interface CostBreakdown {
  lambdaComputeUsd: number;
  lambdaRequestsUsd: number;
  apiGatewayUsd: number;
  dynamodbUsd: number;
  totalPerMillionUsd: number;
  perRequestUsd: number;
}

export interface GateOutcome {
  passed: boolean;
  assertions: number;
  failedAssertions: number;
  /** First failures, "request name: assertion: message". */
  failures: string[];
  meanResponseMs: number;
}

export interface SettingFailure {
  kind: "configure" | "oom" | "timeout" | "error-rate" | "throttled" | "collect" | "load" | "other";
  message: string;
}

export interface SettingResult {
  /** e.g. "x86_64-512" */
  id: string;
  memoryMb: number;
  architecture: Architecture;
  /** Published version the alias pointed at. */
  version?: string;
  status: "ok" | "failed";
  failures: SettingFailure[];
  /** Measured load window, epoch ms. */
  window: { startMs: number; endMs: number };
  client?: ClientMeasurements;
  lambda?: LambdaMeasurements;
  apiGateway?: ApiGatewayMeasurements;
  dynamodb?: DynamoDbMeasurements;
  cost?: CostBreakdown;
  /** Bootstrap intervals. */
  stats?: {
    billedDurationMeanMs?: ConfidenceInterval;
    p95Ms?: ConfidenceInterval;
    costPerMillionUsd?: ConfidenceInterval;
  };
  gate?: GateOutcome;
  /** Local stage: set when the host's own CPU saturation may have distorted the figures. */
  distorted?: { reason: string };
  /** Local stage: whether the host could give every busy environment its CPU share (tuning/host-contention.ts). */
  hostContention?: HostContention;
}

/** Local stage: the host's CPU against the environments' shares during a setting's load window. */
export interface HostContention {
  /** True when the mean shares exceeded the host's cores, or the wait share exceeded 10 %. */
  oversubscribed: boolean;
  /** Sum of the busy and booting environments' CPU shares over the host's cores, averaged over invocations. */
  meanCpuShareDemand: number;
  /** Highest sum of the busy and booting environments' CPU shares over the host's cores (above 1: too many). */
  peakCpuShareDemand: number;
  /** Share of the invocations' Durations spent waiting for the host's CPU beyond the quota: the distortion. */
  hostCpuWaitShare: number;
  /** In words, when oversubscribed. */
  reason?: string;
}

export interface Recommendation {
  strategy: StrategyName;
  /** The chosen setting id, or null when no setting qualifies (e.g. no setting meets the SLO). */
  settingId: string | null;
  /** Why, in words, with the figures that decided it. */
  reason: string;
  /** Settings not statistically distinguishable from the pick on the strategy's metric. */
  indistinguishableFrom: string[];
}

export interface Results {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  run: RunMetadata;
  settings: SettingResult[];
  recommendations: Recommendation[];
}
