/**
 * One setting's verdict (pure): merges what was measured (tuning/core/measurements.ts), prices it
 * (tuning/core/cost-model.ts), adds bootstrap intervals (tuning/core/statistics.ts) and records why it failed.
 *
 * With exact attribution (the measured requests' Lambda request ids) every figure comes from exactly the
 * measured invocations, and the cost interval is a bootstrap over those invocations with everything each
 * one cost (billed duration, DynamoDB units, failed writes, log bytes), beside the cold starts' INIT samples
 * (and, when the rate is measured, the invocations' cold/warm flags).
 */
import type { RunResult } from "../../loadtests/run-result.ts";
import type { LambdaMetrics, LogFindings, Window } from "../adapters/collect.ts";
import { cloudwatchAgrees, type InvocationLogs } from "../adapters/collect-invocations.ts";
import type { LambdaReport } from "../adapters/report-lines.ts";
import type { Setting } from "../config/plan.ts";
import type {
  ApiGatewayMeasurements,
  GateOutcome,
  LambdaMeasurements,
  SettingFailure,
  SettingResult,
} from "../results/results-types.ts";
import { type CostInput, computeCost, meteredCallsPerRequest, type PricingOptions } from "./cost-model.ts";
import {
  billedDurations,
  classifyFailures,
  clientMeasurements,
  dynamoDbMeasurements,
  isFailedConditionalWrite,
  lambdaMeasurements,
} from "./measurements.ts";
import {
  bootstrapGroupMeansInterval,
  bootstrapMeanInterval,
  bootstrapPercentileInterval,
  mapInterval,
  mean,
  percentile,
  trimmedMean,
} from "./statistics.ts";

export interface AssessInput {
  setting: Setting;
  version?: string;
  window: Window;
  run?: RunResult;
  metrics?: LambdaMetrics;
  logs?: LogFindings | InvocationLogs;
  /** "request-ids": `logs` hold exactly the measured invocations. @default "window" */
  attribution?: "request-ids" | "window";
  /** REPORT lines of the warm-up (its cold starts), when there was one. */
  warmupLogs?: LogFindings;
  /** REPORT lines of the deliberate cold starts (one invocation per fresh version): INIT per cold start. */
  coldStartLogs?: LogFindings;
  apiGateway?: ApiGatewayMeasurements;
  gate?: GateOutcome;
  /** Failures found before assessment (configure, load, collect). */
  failures: SettingFailure[];
  /** Client latency samples (ms) for the p95 interval, from the engine's histogram. */
  clientSamplesMs?: number[];
  /** Set when the host CPU was saturated during the window (local stage). */
  distortedReason?: string;
  /** Wall time per phase, ms (phases after the window run at once, each with its own time). */
  phaseMs?: SettingResult["phaseMs"];
  /** The setting's wall time outside its load window, ms. @default the sum of phaseMs without load */
  overheadMs?: number;
}

export interface AssessOptions {
  region: string;
  /** null in direct-invoke mode: requests do not go through API Gateway. */
  apiType: "REST" | "HTTP" | null;
  maxErrorRate: number;
  discardTopBottom: number;
  /** Bootstrap seed, so a run's intervals are reproducible. */
  seed?: number;
  /**
   * Cold starts per request INIT is priced at; "measured": the rate measured at the setting (warm-up and
   * window together). @default DEFAULT_COLD_START_RATE
   */
  coldStartRate?: number | "measured";
  /** The price table, monthly volume and free tier of the run. @default the snapshot, first tiers */
  pricing?: PricingOptions;
  /** "local": CloudWatch's window is exact, so its count must equal the measured invocations. @default "local" */
  stageName?: "local" | "aws";
}

/**
 * The cold-start rate INIT is priced at unless the user gives one: 1 % of requests. AWS's operator guide:
 * "According to an analysis of production Lambda workloads, cold starts typically occur in under 1% of
 * invocations" (docs/cost-model.md). The rate a short sweep measures is that of a freshly published version
 * under a few seconds of load, an artefact of the sweep rather than of the traffic: it is reported beside.
 */
export const DEFAULT_COLD_START_RATE = 0.01;

/** HDR histograms keep 3 significant digits: a client p99 may read up to 0.1 % low. */
const HDR_RELATIVE_PRECISION = 0.001;

function isInvocationLogs(logs: LogFindings | InvocationLogs): logs is InvocationLogs {
  return "bytesByRequestId" in logs;
}

/** Billed duration without INIT: a cold invocation's Billed Duration is ceil(Duration + Init Duration). */
export function warmBilledMs(report: LambdaReport): number | undefined {
  if (report.initDurationMs !== undefined && report.durationMs !== undefined)
    return Math.ceil(report.durationMs);
  return report.billedDurationMs;
}

function initsOf(findings: LogFindings | undefined): number[] {
  return (findings?.reports ?? []).map((r) => r.initDurationMs).filter((d): d is number => d !== undefined);
}

export function durationStats(reports: readonly LambdaReport[]): LambdaMeasurements["durationMs"] {
  const durations = reports.map((r) => r.durationMs).filter((d): d is number => d !== undefined);
  if (durations.length === 0) return { avg: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    avg: mean(durations),
    p50: percentile(durations, 50),
    p90: percentile(durations, 90),
    p99: percentile(durations, 99),
    max: Math.max(...durations),
  };
}

export function assessSetting(input: AssessInput, options: AssessOptions): SettingResult {
  const { setting } = input;
  const failures = [...input.failures];
  const exact =
    input.attribution === "request-ids" && input.logs !== undefined && isInvocationLogs(input.logs);
  const client = input.run ? clientMeasurements(input.run) : undefined;
  const billed = input.logs ? billedDurations(input.logs) : [];
  const trimmed =
    options.discardTopBottom > 0 && billed.length > 0
      ? trimmedMean(billed, options.discardTopBottom)
      : undefined;
  let lambda =
    input.metrics && input.logs
      ? lambdaMeasurements(input.metrics, input.logs, trimmed, input.warmupLogs)
      : undefined;
  if (lambda && input.metrics && input.logs && exact) {
    // Exact attribution: the REPORT lines of the measured invocations are the figures; CloudWatch checks them.
    const reports = input.logs.reports;
    // Like with like: CloudWatch counts every invocation of the version in the window (tuning/adapters/collect-invocations.ts).
    const counted = isInvocationLogs(input.logs)
      ? input.logs.window
      : { measuredReports: reports.length, allReports: reports.length };
    const agrees = cloudwatchAgrees(input.metrics.invocations, counted, options.stageName ?? "local");
    lambda = {
      ...lambda,
      invocations: reports.length,
      durationMs: durationStats(reports),
      attribution: "request-ids",
      cloudwatch: {
        invocations: input.metrics.invocations,
        durationMs: input.metrics.durationMs,
        agrees,
      },
      responsesWithoutRequestId: input.run?.responsesWithoutLambdaRequestId ?? 0,
    };
  } else if (lambda) lambda = { ...lambda, attribution: "window" };
  const dynamodb = input.logs ? dynamoDbMeasurements(input.logs) : undefined;
  failures.push(...classifyFailures(client, input.logs, options.maxErrorRate));
  if (input.gate && !input.gate.passed) {
    failures.push({
      kind: "other",
      message: `functional gate failed: ${input.gate.failedAssertions} of ${input.gate.assertions} assertions`,
    });
  }
  const phaseSum = input.phaseMs
    ? Object.entries(input.phaseMs).reduce(
        (sum, [phase, ms]) => (phase === "load" ? sum : sum + (ms ?? 0)),
        0,
      )
    : undefined;
  const overheadMs = input.overheadMs ?? phaseSum;

  const result: SettingResult = {
    id: setting.id,
    memoryMb: setting.memoryMb,
    architecture: setting.architecture,
    ...(input.version ? { version: input.version } : {}),
    status: failures.length > 0 ? "failed" : "ok",
    failures,
    window: input.window,
    ...(client ? { client } : {}),
    ...(lambda ? { lambda } : {}),
    ...(input.apiGateway ? { apiGateway: input.apiGateway } : {}),
    ...(dynamodb ? { dynamodb } : {}),
    ...(input.gate ? { gate: input.gate } : {}),
    ...(input.distortedReason ? { distorted: { reason: input.distortedReason } } : {}),
    ...(input.phaseMs ? { phaseMs: input.phaseMs } : {}),
    ...(overheadMs !== undefined ? { overheadMs } : {}),
  };
  if (lambda && client && lambda.attribution === "request-ids") {
    result.checks = {
      invocationsEqualRequests: lambda.invocations === client.requests,
      lambdaP99WithinClientP99: lambda.durationMs.p99 <= client.latency.p99Ms * (1 + HDR_RELATIVE_PRECISION),
    };
  }

  const requests = client?.requests ?? 0;
  const logs = input.logs;
  if (!lambda || !logs || requests <= 0 || billed.length === 0) return result;

  // Cold starts: INIT priced at a rate, not at whatever cold starts the window happened to catch. INIT per
  // cold start from every cold start seen (deliberate, warm-up, window); the measured rate from the traffic
  // alone (warm-up and window together: the profile without a warm-up exclusion).
  const trafficInits = [...initsOf(input.warmupLogs), ...initsOf(logs)];
  const inits = [...initsOf(input.coldStartLogs), ...trafficInits];
  const warmupInvocations = input.warmupLogs?.reports.length ?? 0;
  const trafficInvocations = warmupInvocations + logs.reports.length;
  const measuredRate = trafficInits.length / Math.max(1, trafficInvocations);
  const rateSource =
    options.coldStartRate === undefined
      ? "default"
      : options.coldStartRate === "measured"
        ? "measured"
        : "config";
  const coldStartRate =
    typeof options.coldStartRate === "number"
      ? options.coldStartRate
      : options.coldStartRate === "measured"
        ? measuredRate
        : DEFAULT_COLD_START_RATE;
  const initBilled = inits.map((ms) => Math.ceil(ms));
  const initBilledMs = initBilled.length > 0 ? mean(initBilled) : 0;
  result.lambda = {
    ...lambda,
    ...(inits.length > 0 ? { initDurationMs: { mean: mean(inits), max: Math.max(...inits) } } : {}),
    init: {
      coldStartRate,
      rateSource,
      billedMeanMs: initBilledMs,
      coldStartsMeasured: inits.length,
      measuredRate,
    },
  };

  const warmBilled = logs.reports.map(warmBilledMs).filter((d): d is number => d !== undefined);
  const base: Omit<CostInput, "billedDurationMeanMs"> = {
    architecture: setting.architecture,
    memoryMb: setting.memoryMb,
    apiType: options.apiType,
    coldStartRate,
    initBilledMs,
    // An HTTP API meters each exchange in 512 KB blocks: the measured mean, when the engine measured bodies.
    ...(options.apiType === "HTTP" && client?.payload
      ? { httpApiMeteredCallsPerRequest: meteredCallsPerRequest(client.payload.exchangesBy512KiB) ?? 1 }
      : {}),
  };
  // Per API request: invocations (REPORT lines) over requests answered, and what the service logged.
  const logBytes = isInvocationLogs(logs) ? logs.logBytes : 0;
  const perRequest = {
    invocationsPerRequest: logs.reports.length / requests,
    readRequestUnitsPerRequest: (dynamodb?.readRequestUnits ?? 0) / requests,
    writeRequestUnitsPerRequest: (dynamodb?.writeRequestUnits ?? 0) / requests,
    failedConditionalWritesPerRequest: (dynamodb?.failedConditionalWrites ?? 0) / requests,
    logBytesPerRequest: logBytes / requests,
  };
  const priceAt = (billedDurationMeanMs: number) =>
    computeCost(
      { ...base, ...perRequest, billedDurationMeanMs },
      { ...options.pricing, region: options.region },
    );
  // Cost is what AWS bills: the plain mean, always (the trimmed mean is power-tuning's figure, labelled).
  const warmMeanMs = warmBilled.length > 0 ? mean(warmBilled) : 0;
  result.cost = priceAt(warmMeanMs);
  if (trimmed !== undefined)
    result.powerTuningCompatibleCostPerMillionUsd = priceAt(trimmed).totalPerMillionUsd;
  if (isInvocationLogs(logs)) {
    result.logs = {
      bytes: logs.logBytes,
      bytesPerRequest: logs.logBytes / requests,
      unattributedBytes: logs.unattributed.bytes,
    };
  }

  const seed = options.seed === undefined ? {} : { seed: options.seed };
  const billedCi = bootstrapMeanInterval(warmBilled.length > 0 ? warmBilled : billed, seed);
  // Without INIT: it is resampled on its own below (its samples are the cold starts, not the invocations).
  const samples =
    exact && isInvocationLogs(logs)
      ? perInvocationCosts(logs, { ...base, coldStartRate: 0 }, options.region, options.pricing)
      : undefined;
  // INIT per 1M requests per ms of billed INIT at a rate of 1 (the model is linear in rate × INIT).
  const initUsdPerMs = computeCost(
    {
      ...base,
      coldStartRate: 1,
      initBilledMs: 1,
      billedDurationMeanMs: 0,
      invocationsPerRequest: 0,
      apiType: null,
    },
    { ...options.pricing, region: options.region },
  ).initPerMillionUsd;
  // Traffic invocations as cold (1) or warm (0) flags: the measured rate's own uncertainty, when it is priced.
  const coldFlags =
    rateSource === "measured"
      ? Array.from({ length: trafficInvocations }, (_, i) => (i < trafficInits.length ? 1 : 0))
      : [];
  result.stats = {
    billedDurationMeanMs: billedCi,
    // The bootstrap resamples invocations with everything each cost, the INIT samples of the cold starts and,
    // when the rate is measured, the invocations' cold/warm flags; without request ids, billed duration only.
    costPerMillionUsd: samples
      ? bootstrapGroupMeansInterval(
          [samples, initBilled, coldFlags],
          ([warm = 0, init = 0, rate = 0]) =>
            warm + (rateSource === "measured" ? rate : coldStartRate) * init * initUsdPerMs,
          seed,
        )
      : mapInterval(billedCi, (ms) => priceAt(ms).totalPerMillionUsd),
    ...(input.clientSamplesMs && input.clientSamplesMs.length > 0
      ? { p95Ms: bootstrapPercentileInterval(input.clientSamplesMs, 95, seed) }
      : {}),
  };
  return result;
}

/**
 * What each measured invocation cost, per 1M such invocations: its warm billed duration, its DynamoDB units,
 * its failed conditional writes and its log bytes, plus INIT at the cold-start rate and the fixed charges.
 * Their mean is the setting's cost (the model is linear); their bootstrap is its interval.
 */
export function perInvocationCosts(
  logs: InvocationLogs,
  base: Omit<CostInput, "billedDurationMeanMs">,
  region: string,
  pricing: PricingOptions = {},
): number[] {
  const byId = new Map(logs.requests.map((r) => [r.requestId, r]));
  const samples: number[] = [];
  for (const report of logs.reports) {
    const billedMs = warmBilledMs(report);
    if (billedMs === undefined || report.requestId === undefined) continue;
    const entry = byId.get(report.requestId);
    samples.push(
      computeCost(
        {
          ...base,
          billedDurationMeanMs: billedMs,
          invocationsPerRequest: 1,
          readRequestUnitsPerRequest: entry?.consumedRcu ?? 0,
          writeRequestUnitsPerRequest: entry?.consumedWcu ?? 0,
          failedConditionalWritesPerRequest: entry && isFailedConditionalWrite(entry) ? 1 : 0,
          logBytesPerRequest: logs.bytesByRequestId.get(report.requestId) ?? 0,
        },
        { ...pricing, region },
      ).totalPerMillionUsd,
    );
  }
  return samples;
}
