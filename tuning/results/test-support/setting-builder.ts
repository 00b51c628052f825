/**
 * TEST SUPPORT: the one way the results fixtures (sample-results.ts, results-fixture.ts) build a setting and a
 * run: a measured setting from its figures (the counts, windows and totals that follow from them are derived
 * here), its cost from the real cost model and price table, and the run's facts on the local stage.
 */
import type { LatencySummary, TimelinePoint } from "../../../loadtests/run-result.ts";
import { computeCost } from "../../core/cost-model.ts";
import { DEFAULT_PRICE_TABLE } from "../../core/price-table.ts";
import type {
  ApiGatewayMeasurements,
  Architecture,
  ClientMeasurements,
  CostBreakdown,
  LambdaMeasurements,
  Results,
  SettingResult,
} from "../results-types.ts";

export function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export interface PricedUsage {
  architecture: Architecture;
  memoryMb: number;
  billedDurationMeanMs: number;
  readRequestUnitsPerRequest: number;
  writeRequestUnitsPerRequest: number;
}

/** The cost of a REST API request in us-east-1, by the real cost model and price table (no price literals). */
export function priceOf(usage: PricedUsage): CostBreakdown {
  return computeCost({ ...usage, apiType: "REST" }, { region: "us-east-1" });
}

export interface OkSettingFigures {
  architecture: Architecture;
  memoryMb: number;
  /** Its place in the sweep: the version is index + 1, the window starts at `startMs`. */
  index: number;
  startMs: number;
  loadSeconds: number;
  ratePerSec: number;
  errorCount: number;
  latency: LatencySummary;
  operations: ClientMeasurements["operations"];
  timeline: TimelinePoint[];
  /** Mean billed duration per invocation (ms). */
  billedMeanMs: number;
  lambda: Pick<
    LambdaMeasurements,
    "maxConcurrentExecutions" | "coldStarts" | "initDurationMs" | "maxMemoryUsedMb"
  > & {
    /** The REPORT lines' durations, each this ratio × the mean billed duration, rounded to `digits` decimals. */
    durationRatios: LambdaMeasurements["durationMs"];
  };
  apiGateway: Pick<ApiGatewayMeasurements, "latencyMs" | "integrationLatencyMs">;
  readRequestUnits: number;
  writeRequestUnits: number;
  cost: CostBreakdown;
  stats: NonNullable<SettingResult["stats"]>;
  gate: { assertions: number; meanResponseMs: number };
  /** Decimals of the figures derived here. */
  digits: number;
}

/** A measured setting ("ok"): every request reached the function and was reported; the gate passed. */
export function okSetting(f: OkSettingFigures): SettingResult {
  const requests = f.loadSeconds * f.ratePerSec;
  return {
    id: `${f.architecture}-${f.memoryMb}`,
    memoryMb: f.memoryMb,
    architecture: f.architecture,
    version: String(f.index + 1),
    status: "ok",
    failures: [],
    window: { startMs: f.startMs, endMs: f.startMs + f.loadSeconds * 1000 },
    client: {
      requests,
      errorCount: f.errorCount,
      errorRate: f.errorCount / requests,
      achievedRatePerSec: f.ratePerSec,
      targetRatePerSec: f.ratePerSec,
      droppedIterations: 0,
      latency: f.latency,
      operations: f.operations,
      timeline: f.timeline,
      thresholdsPassed: true,
    },
    lambda: {
      invocations: requests,
      errors: f.errorCount,
      throttles: 0,
      maxConcurrentExecutions: f.lambda.maxConcurrentExecutions,
      durationMs: {
        avg: roundTo(f.billedMeanMs * f.lambda.durationRatios.avg, f.digits),
        p50: roundTo(f.billedMeanMs * f.lambda.durationRatios.p50, f.digits),
        p90: roundTo(f.billedMeanMs * f.lambda.durationRatios.p90, f.digits),
        p99: roundTo(f.billedMeanMs * f.lambda.durationRatios.p99, f.digits),
        max: roundTo(f.billedMeanMs * f.lambda.durationRatios.max, f.digits),
      },
      reportCount: requests,
      billedDurationMs: { mean: f.billedMeanMs, total: roundTo(f.billedMeanMs * requests, 0) },
      coldStarts: f.lambda.coldStarts,
      initDurationMs: f.lambda.initDurationMs,
      maxMemoryUsedMb: f.lambda.maxMemoryUsedMb,
    },
    apiGateway: {
      count: requests,
      errors4xx: 0,
      errors5xx: f.errorCount,
      latencyMs: f.apiGateway.latencyMs,
      integrationLatencyMs: f.apiGateway.integrationLatencyMs,
    },
    dynamodb: { readRequestUnits: f.readRequestUnits, writeRequestUnits: f.writeRequestUnits, requests },
    cost: f.cost,
    stats: f.stats,
    gate: {
      passed: true,
      assertions: f.gate.assertions,
      failedAssertions: 0,
      failures: [],
      meanResponseMs: f.gate.meanResponseMs,
    },
  };
}

export interface RunFacts {
  id: string;
  startedAt: string;
  endedAt: string;
  gitRevision?: string;
  /** The local stage's API base URL. */
  apiUrl: string;
  toolVersions: Results["run"]["toolVersions"];
}

/** A run of the smoke profile with the built-in engine against the local stage's CRUD function, in us-east-1. */
export function localRun(facts: RunFacts): Results["run"] {
  return {
    id: facts.id,
    startedAt: facts.startedAt,
    endedAt: facts.endedAt,
    ...(facts.gitRevision !== undefined ? { gitRevision: facts.gitRevision } : {}),
    stage: {
      name: "local",
      region: "us-east-1",
      apiUrl: facts.apiUrl,
      apiType: "REST",
      functionName: "crud",
      alias: "bench",
    },
    mode: "api",
    engine: { name: "builtin", version: "0.1.0" },
    profile: "smoke",
    toolVersions: facts.toolVersions,
    cpuScaling: { mode: "cgroup-v1" },
    priceTable: { version: DEFAULT_PRICE_TABLE.version, region: "us-east-1" },
  };
}

type LatencyField = Exclude<keyof LatencySummary, "count">;

/**
 * A latency summary around one measured percentile: `base` as it is, every other field `ratios[field]` × its
 * value, rounded to `digits` decimals.
 * @example latencyAround(800, "p50Ms", 20, { minMs: 0.5, ... }, 3)
 */
export function latencyAround(
  count: number,
  base: LatencyField,
  baseMs: number,
  ratios: Record<Exclude<LatencyField, typeof base>, number>,
  digits: number,
): LatencySummary {
  const at = (field: LatencyField): number =>
    field === base ? baseMs : roundTo(baseMs * (ratios as Record<LatencyField, number>)[field], digits);
  return {
    count,
    minMs: at("minMs"),
    meanMs: at("meanMs"),
    p50Ms: at("p50Ms"),
    p90Ms: at("p90Ms"),
    p95Ms: at("p95Ms"),
    p99Ms: at("p99Ms"),
    p999Ms: at("p999Ms"),
    maxMs: at("maxMs"),
  };
}

/** One point per second of the load window. */
export function timelineOf(
  loadSeconds: number,
  point: (second: number) => Omit<TimelinePoint, "second">,
): TimelinePoint[] {
  return Array.from({ length: loadSeconds }, (_, second) => ({ second, ...point(second) }));
}
