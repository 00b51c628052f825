/**
 * One setting's verdict (pure): merges what was measured (tuning/merge.ts), prices it
 * (tuning/cost-model.ts), adds bootstrap intervals (tuning/statistics.ts) and records why it failed.
 */
import type { RunResult } from "../loadtests/run-result.ts";
import type { LambdaMetrics, LogFindings, Window } from "./collect.ts";
import { computeCost } from "./cost-model.ts";
import {
  billedDurations,
  classifyFailures,
  clientMeasurements,
  dynamoDbMeasurements,
  lambdaMeasurements,
} from "./merge.ts";
import type { Setting } from "./plan.ts";
import type { ApiGatewayMeasurements, GateOutcome, SettingFailure, SettingResult } from "./results-types.ts";
import {
  bootstrapMeanInterval,
  bootstrapPercentileInterval,
  mapInterval,
  trimmedMean,
} from "./statistics.ts";

export interface AssessInput {
  setting: Setting;
  version?: string;
  window: Window;
  run?: RunResult;
  metrics?: LambdaMetrics;
  logs?: LogFindings;
  /** REPORT lines of the warm-up (its cold starts), when there was one. */
  warmupLogs?: LogFindings;
  apiGateway?: ApiGatewayMeasurements;
  gate?: GateOutcome;
  /** Failures found before assessment (configure, load, collect). */
  failures: SettingFailure[];
  /** Client latency samples (ms) for the p95 interval, from the engine's histogram. */
  clientSamplesMs?: number[];
  /** Set when the host CPU was saturated during the window (local stage). */
  distortedReason?: string;
}

export interface AssessOptions {
  region: string;
  /** null in direct-invoke mode: requests do not go through API Gateway. */
  apiType: "REST" | "HTTP" | null;
  maxErrorRate: number;
  discardTopBottom: number;
  /** Bootstrap seed, so a run's intervals are reproducible. */
  seed?: number;
}

export function assessSetting(input: AssessInput, options: AssessOptions): SettingResult {
  const { setting } = input;
  const failures = [...input.failures];
  const client = input.run ? clientMeasurements(input.run) : undefined;
  const billed = input.logs ? billedDurations(input.logs) : [];
  const trimmed =
    options.discardTopBottom > 0 && billed.length > 0
      ? trimmedMean(billed, options.discardTopBottom)
      : undefined;
  const lambda =
    input.metrics && input.logs
      ? lambdaMeasurements(input.metrics, input.logs, trimmed, input.warmupLogs)
      : undefined;
  const dynamodb = input.logs ? dynamoDbMeasurements(input.logs) : undefined;
  failures.push(...classifyFailures(client, input.logs, options.maxErrorRate));
  if (input.gate && !input.gate.passed) {
    failures.push({
      kind: "other",
      message: `functional gate failed: ${input.gate.failedAssertions} of ${input.gate.assertions} assertions`,
    });
  }

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
  };

  const requests = client?.requests ?? 0;
  if (lambda && requests > 0 && billed.length > 0) {
    // Per API request: invocations (REPORT lines) over requests answered, and the capacity the service logged.
    const invocationsPerRequest = lambda.reportCount / requests;
    const priceAt = (billedDurationMeanMs: number) =>
      computeCost(
        {
          architecture: setting.architecture,
          memoryMb: setting.memoryMb,
          billedDurationMeanMs,
          invocationsPerRequest,
          apiType: options.apiType,
          readCapacityUnitsPerRequest: (dynamodb?.readCapacityUnits ?? 0) / requests,
          writeCapacityUnitsPerRequest: (dynamodb?.writeCapacityUnits ?? 0) / requests,
        },
        { region: options.region },
      );
    const billedMeanMs = trimmed ?? lambda.billedDurationMs.mean;
    result.cost = priceAt(billedMeanMs);
    const seed = options.seed === undefined ? {} : { seed: options.seed };
    const billedCi = bootstrapMeanInterval(billed, seed);
    result.stats = {
      billedDurationMeanMs: billedCi,
      costPerMillionUsd: mapInterval(billedCi, (ms) => priceAt(ms).totalPerMillionUsd),
      ...(input.clientSamplesMs && input.clientSamplesMs.length > 0
        ? { p95Ms: bootstrapPercentileInterval(input.clientSamplesMs, 95, seed) }
        : {}),
    };
  }
  return result;
}
