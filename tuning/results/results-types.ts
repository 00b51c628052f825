/**
 * Types of results.json, GENERATED from tuning/results/results.schema.json (the one source of truth) by
 * `npx tsx scripts/results-types.ts`: edit the schema, then regenerate; tuning/results/results-typegen.test.ts fails
 * while this file differs. Field meanings and units: docs/results-schema.md.
 */

export const RESULTS_SCHEMA_VERSION = 3 as const;

export type Architecture = "x86_64" | "arm64";

export type StrategyName = "cost" | "speed" | "balanced" | "slo";

/** A closed interval [low, high] from a bootstrap, with its confidence level (e.g. 0.95). */
export interface ConfidenceInterval {
  low: number;
  high: number;
  level: number;
}

/** How the stage scales CPU with memory. Reports show it. */
export interface CpuScaling {
  mode: "cgroup-v1" | "cgroup-v2" | "none";
  /** Why scaling is off (mode "none"), e.g. "no write access to /sys/fs/cgroup/cpu". */
  reason?: string;
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
  /**
   * "api": load through API Gateway (the default); "direct": Lambda Invoke with payloads (power-tuning's
   * mode).
   */
  mode: "api" | "direct";
  engine: {
    name: "builtin" | "k6" | "direct";
    version: string;
  };
  profile: string;
  /** Tool and library versions: node, powerbench, k6, newman, ... */
  toolVersions: Record<string, string>;
  cpuScaling: CpuScaling;
  /** The table and region priced with; the monthly volume and free tier when the run was priced at them. */
  priceTable: {
    version: string;
    region: string;
    monthlyRequests?: number;
    freeTier?: boolean;
    origin?: string;
    apiGateway?: {
      REST?: {
        perMillionUsd: number;
        source: string;
      };
      HTTP?: {
        perMillionUsd: number;
        source: string;
      };
    };
  };
  slo?: {
    p99Ms?: number;
    errorRate?: number;
  };
  /**
   * Trimmed-mean option for compatibility with aws-lambda-power-tuning (fraction 0–0.5 dropped each side).
   */
  discardTopBottom?: number;
  /**
   * Common random numbers: the request sequence every setting's measured window replayed (API mode).
   * `requests` planned, `preseedItems` created before the first setting, ids never reused within
   * `reuseGapRequests` requests (loadtests/request-sequence.ts).
   */
  sequence?: {
    seed: number;
    requests: number;
    preseedItems: number;
    reuseGapRequests: number;
    idPrefix: string;
  };
  /** Warnings about the figures (tuning/core/run-warnings.ts). */
  warnings?: RunWarning[];
  /**
   * The files that defined the workload (tuning/adapters/workload-inputs.ts); reports/compare.ts refuses a
   * baseline that replayed other files. Absent in files written before they were recorded.
   */
  inputs?: WorkloadInputs;
  /**
   * The load that defines the workload, as planned (absent in version-2 files written before it was recorded:
   * a baseline without it is compared on profile, mode, stage, engine and sequence alone).
   */
  load?: RunLoad;
  /**
   * The cold-start rate INIT is priced at: "config" when given (`--cold-start-rate`), else "measured" per
   * setting (cold starts ÷ invocations of the warm-up and the measured window together, no warm-up
   * exclusion).
   */
  coldStartRate?: {
    source: "config" | "measured" | "default";
    rate?: number;
  };
  /** How the cost pick changes with the cold-start rate (INIT share repriced at each rate). */
  coldStartSensitivity?: Array<{
    rate: number;
    costPick: string | null;
    notDistinguishableFrom: string[];
  }>;
  /**
   * Set when this file was read from an older schema version and upgraded: 1 (tuning/results/results-v1.ts):
   * the cost components version 1 did not have (failed writes, CloudWatch Logs, INIT at a rate) are 0 because
   * they were not measured; 2 (tuning/results/results-v2.ts): the same figures under version 2's names,
   * nothing missing.
   */
  upgradedFromSchemaVersion?: 1 | 2;
  /** Present only when the run did not measure every planned setting (Ctrl-C, SIGTERM, an error). */
  partial?: PartialRun;
  /** Rounds per setting in rotating order (`--rounds`); absent: 1. */
  rounds?: number;
}

/**
 * The load parameters that decide whether two runs measured the same workload (reports/compare.ts). API mode:
 * the profile resolved with --rate/--duration (peak rate, measured length), the warm-up and the measured
 * requests planned per setting. Direct mode: the invocations and what they sent. `quick`: the run used the
 * --quick preset (named in the refusal's fix).
 */
export type RunLoad =
  | {
      mode: "api";
      /** Peak arrival rate of the measured window (the profile's, or --rate). */
      ratePerSec: number;
      /** Length of the measured window per setting (the profile's, or --duration). */
      durationS: number;
      warmupS: number;
      /** Measured requests planned per setting (the arrival schedule's iterations). */
      requests: number;
      quick?: true;
    }
  | {
      mode: "direct";
      invocations: number;
      parallelism: number;
      onlyColdStarts: boolean;
      /** FNV-1a (32-bit, hex) of the weighted payloads as canonical JSON (keys sorted). */
      payloadsDigest: string;
      quick?: true;
    };

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

/**
 * One second of the run. `second` counts from the start of the measured window. `requests`, `errors` and
 * `p95Ms` are keyed by each iteration's INTENDED start second (a stall shows as high latency in the seconds
 * it delayed, never as missing requests); `sent` by the second the engine actually started the iteration
 * (handed its request to the HTTP client, which may queue it for a connection under `maxConnections`), so an
 * engine that fell behind and caught up shows a dip and then a burst there.
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

export interface OperationMeasurements {
  requests: number;
  errorRate: number;
  latency: LatencySummary;
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
  operations: Partial<Record<"create" | "read" | "update" | "list" | "delete", OperationMeasurements>>;
  timeline: TimelinePoint[];
  thresholdsPassed: boolean;
  payload?: {
    requests: number;
    requestBytes: number;
    responseBytes: number;
    maxExchangeBytes: number;
    exchangesBy512KiB: Record<string, number>;
    source?: "bodies" | "k6-iteration-bytes";
  };
}

/** What Lambda reported: CloudWatch AWS/Lambda metrics plus the REPORT lines of the window. */
export interface LambdaMeasurements {
  /** CloudWatch Invocations (Sum). */
  invocations: number;
  errors: number;
  throttles: number;
  maxConcurrentExecutions: number;
  /** CloudWatch Duration statistics for the version. */
  durationMs: {
    avg: number;
    p50: number;
    p90: number;
    p99: number;
    max: number;
  };
  /** From REPORT lines: how many were read for the window. */
  reportCount: number;
  /** Mean and sum of Billed Duration from REPORT lines (INIT included where billed). */
  billedDurationMs: {
    mean: number;
    total: number;
    trimmedMean?: number;
  };
  /** Cold starts in the measured window (REPORT lines with an Init Duration). */
  coldStarts: number;
  /**
   * Init Duration of every cold start of the setting, warm-up and measured window together (the warm-up
   * absorbs the first cold starts of a new version); absent when there was none.
   */
  initDurationMs?: {
    mean: number;
    max: number;
  };
  /** What the warm-up (not counted in the figures above) saw, from its REPORT lines. */
  warmup?: {
    invocations: number;
    coldStarts: number;
  };
  maxMemoryUsedMb: number;
  /**
   * Exact attribution: "request-ids" when the load engine recorded the measured requests' Lambda request ids
   * (then `invocations`, `reportCount` and `durationMs` come from exactly those invocations' REPORT lines),
   * "window" when it could not (every invocation of the version in the window).
   */
  attribution?: "request-ids" | "window";
  /** CloudWatch's own figures for the window, kept as a cross-check (request-ids attribution). */
  cloudwatch?: {
    invocations: number;
    durationMs: {
      avg: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
    };
    /**
     * Whether CloudWatch's invocation count equals the measured invocations (on AWS: at least, whole
     * minutes).
     */
    agrees: boolean;
  };
  /**
   * Measured answers without the x-lambda-request-id header (API Gateway's own answers, or a function without
   * it).
   */
  responsesWithoutRequestId?: number;
  /**
   * INIT priced at the cold-start rate: the rate used and where it came from (`--cold-start-rate`, the
   * setting's measured rate, or the documented default), the mean billed INIT of one cold start, and the rate
   * the setting measured (cold starts ÷ invocations before and in the window), reported whichever is priced.
   */
  init?: {
    coldStartRate: number;
    rateSource: "config" | "measured" | "default";
    billedMeanMs: number;
    coldStartsMeasured: number;
    measuredRate?: number;
  };
}

export interface ApiGatewayMeasurements {
  count: number;
  errors4xx: number;
  errors5xx: number;
  latencyMs: {
    avg: number;
    p50?: number;
    p99?: number;
  };
  integrationLatencyMs: {
    avg: number;
  };
}

export interface DynamoDbMeasurements {
  /**
   * Read / write request units (RRU / WRU, what on-demand bills) consumed over the window, as the service
   * reported them from DynamoDB's ConsumedCapacity (which counts them as capacity units: the same numbers).
   */
  readRequestUnits: number;
  writeRequestUnits: number;
  requests: number;
  /** Writes whose condition failed (POST 409, PUT/PATCH 404) and reported no units: 1 WRU each is priced. */
  failedConditionalWrites?: number;
  /**
   * Requests whose log line carried consumed capacity (consumedRcu/consumedWcu); 0 at every setting raises
   * the no-DynamoDB-capacity warning.
   */
  requestsWithCapacity?: number;
}

/** CloudWatch Logs ingestion: the UTF-8 bytes of every log event of the measured invocations. */
export interface LogMeasurements {
  bytes: number;
  bytesPerRequest: number;
  /** Events in the range no request id could be read from (not priced). */
  unattributedBytes: number;
}

/** Cost per 1M requests, broken down, in USD. perRequestUsd = totalPerMillionUsd / 1e6. */
export interface CostBreakdown {
  /** Warm billed duration (INIT priced separately in initPerMillionUsd when a cold-start rate applies). */
  lambdaComputePerMillionUsd: number;
  lambdaRequestsPerMillionUsd: number;
  apiGatewayPerMillionUsd: number;
  /** Read and write units the service measured. */
  dynamodbPerMillionUsd: number;
  totalPerMillionUsd: number;
  perRequestUsd: number;
  /** Write units of failed conditional writes (1 WRU each, a lower bound). */
  dynamodbFailedWritesPerMillionUsd: number;
  /** CloudWatch Logs ingestion of the bytes the invocations logged. */
  cloudwatchLogsPerMillionUsd: number;
  /** INIT (cold starts) at the cold-start rate. */
  initPerMillionUsd: number;
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
  window: {
    startMs: number;
    endMs: number;
  };
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
  distorted?: {
    reason: string;
  };
  logs?: LogMeasurements;
  /**
   * The measurement checks of exact attribution, each true when it holds: priced invocations = measured
   * requests; the Lambda-side p99 (REPORT lines) is not above the client-side p99 (the client's time contains
   * the Lambda's).
   */
  checks?: {
    invocationsEqualRequests: boolean;
    lambdaP99WithinClientP99: boolean;
  };
  /** Wall time per phase of this setting, ms; everything but `load` is overhead outside the load window. */
  phaseMs?: {
    configure?: number;
    coldStarts?: number;
    warmup?: number;
    load?: number;
    gate?: number;
    reset?: number;
    collect?: number;
  };
  /** Sum of phaseMs without `load`: the setting's time outside its load window. */
  overheadMs?: number;
  /** Direct mode: the trimmed-mean cost aws-lambda-power-tuning would report (discardTopBottom), labelled. */
  powerTuningCompatibleCostPerMillionUsd?: number;
  /**
   * Local stage: whether the host could give every busy environment its CPU share
   * (tuning/adapters/host-contention.ts).
   */
  hostContention?: HostContention;
  /**
   * With `--rounds` above 1: each round's own figures, in the order they ran. The setting's figures above
   * pool every round (counts add up, latencies from the merged histograms, the bootstrap over every measured
   * invocation).
   */
  rounds?: SettingRound[];
}

/** One round of a setting measured in rounds (rotating order): the round alone. */
export interface SettingRound {
  /** 1-based round. */
  round: number;
  /** 1-based place of the setting in that round's order (round r starts at setting r). */
  position: number;
  /** The round's measured window, epoch ms. */
  window: {
    startMs: number;
    endMs: number;
  };
  requests: number;
  errorCount: number;
  /** Client-side latency of the round's requests (its HDR histogram). */
  clientLatencyMs: {
    p50: number;
    p95: number;
    p99: number;
  };
  /** Lambda-side Duration of the round's measured invocations (REPORT lines). */
  lambdaDurationMs?: {
    mean: number;
    p99: number;
  };
  /**
   * DynamoDB request units (RRU / WRU) the round's requests consumed: the same in every round (common random
   * numbers).
   */
  readRequestUnits?: number;
  writeRequestUnits?: number;
  /** UTF-8 bytes of the round's measured invocations' log events. */
  logBytes?: number;
  /** The round priced alone (same cost model and cold-start rate as the setting). */
  costPerMillionUsd?: number;
  /** Wall time per phase of this round, ms (the gate and cold starts run on a setting's first round only). */
  phaseMs: {
    configure?: number;
    coldStarts?: number;
    warmup?: number;
    load?: number;
    gate?: number;
    reset?: number;
    collect?: number;
  };
  /** The round's time outside its load window, ms. */
  overheadMs: number;
}

/** Local stage: the host's CPU against the environments' shares during a setting's load window. */
export interface HostContention {
  /** True when the mean shares exceeded the host's cores, or the wait share exceeded 10 %. */
  oversubscribed: boolean;
  /**
   * Sum of the busy and booting environments' CPU shares over the host's cores, averaged over invocations.
   */
  meanCpuShareDemand: number;
  /**
   * Highest sum of the busy and booting environments' CPU shares over the host's cores (above 1: too many).
   */
  peakCpuShareDemand: number;
  /**
   * Share of the invocations' Durations spent waiting for the host's CPU beyond the quota: the distortion.
   */
  hostCpuWaitShare: number;
  /** In words, when oversubscribed. */
  reason?: string;
  /**
   * Local stage, --capacity auto|cap: how many invocations the stage let run at once on this host and how
   * long the others waited (stage/lambda/capacity.ts).
   */
  capacity?: HostCapacityCap;
}

export interface Recommendation {
  strategy: StrategyName;
  /** The chosen setting id, or null when no setting qualifies (e.g. no setting meets the SLO). */
  settingId: string | null;
  /** Why, in words, with the figures that decided it. */
  reason: string;
  /** Settings not statistically distinguishable from the pick on the strategy's metric. */
  indistinguishableFrom: string[];
  /** When the pick cannot be told apart from others: the tie-break that chose it, e.g. "least memory". */
  tieBreak?: string;
}

/**
 * The files that defined the workload (tuning/adapters/workload-inputs.ts); reports/compare.ts refuses a
 * baseline that replayed other files. Absent in files written before they were recorded.
 */
export interface WorkloadInputs {
  workload?: WorkloadInput;
  k6Script?: WorkloadInput;
  collection?: WorkloadInput;
  environment?: WorkloadInput;
  template?: WorkloadInput;
}

export interface RunWarning {
  code: "dynamodb-capacity-not-logged" | "http-api-payload-not-measured" | "http-api-payload-bounded";
  message: string;
  settings: string[];
}

export interface HostCapacityCap {
  invocationCap: number;
  environmentCores: number;
  meanCapacityWaitMs: number;
  waitedShare: number;
  reason: string;
}

export interface WorkloadInput {
  name: string;
  digest: string;
  bundled?: true;
}

/**
 * Everything a power-tuning run measured, priced and recommended. The one source of truth for the results
 * type: tuning/results/results-types.ts is generated from this schema (npx tsx scripts/results-types.ts).
 * Field meanings and units: docs/results-schema.md.
 */
export interface Results {
  schemaVersion: 3;
  run: RunMetadata;
  settings: SettingResult[];
  recommendations: Recommendation[];
}
