/**
 * Reading one measured window (the sweep's collect phase): exactly the measured invocations' log lines by their
 * Lambda request ids (or every invocation of the version in the window when the engine recorded none), with
 * CloudWatch's AWS/Lambda and AWS/ApiGateway figures as the cross-check, re-read until complete or timed out.
 */
import type { RunResult } from "../../loadtests/run-result.ts";
import { LAMBDA_REQUEST_ID_HEADER } from "../../service/headers.ts";
import type { AwsClients } from "../adapters/aws-clients.ts";
import {
  collectApiGatewayMetrics,
  collectLambdaMetrics,
  collectLogs,
  type LambdaMetrics,
  type LogFindings,
  type Window,
} from "../adapters/collect.ts";
import { collectInvocationLogs, type InvocationLogs } from "../adapters/collect-invocations.ts";
import { durationStats } from "../core/assess.ts";
import type { ApiGatewayMeasurements } from "../results/results-types.ts";
import type { SweepOptions } from "./sweep-types.ts";

export const SWEEP_DEFAULTS = {
  /** Locally the window is exact; on AWS CloudWatch needs minutes to ingest. */
  localCollectTimeoutMs: 5_000,
  awsCollectTimeoutMs: 10 * 60_000,
  localCollectRetryMs: 200,
  awsCollectRetryMs: 30_000,
} as const;

/**
 * Requests the function must have seen: answered requests, less those API Gateway answers without invoking
 * (403 unknown route, its own 429 throttling). A Lambda throttle reaches the client as a 500 that cannot be
 * told apart, so throttled runs fall short of this count: the sweep reports the shortfall, it is not fatal.
 */
function invocationsExpected(run: RunResult): number {
  let n = 0;
  for (const [status, count] of Object.entries(run.overall.statusCounts)) {
    if (status !== "429" && status !== "0" && status !== "403") n += count;
  }
  return n;
}

/**
 * The error when the measured responses carry no Lambda request id at all: the tuner cannot tie them to
 * invocations. A few answers without it are API Gateway's own (throttling, unknown route) and are counted.
 */
export function missingRequestIdHeader(run: RunResult): string | undefined {
  const without = run.responsesWithoutLambdaRequestId ?? 0;
  if (!run.lambdaRequestIds || run.lambdaRequestIds.length > 0 || without === 0) return undefined;
  return (
    `none of the ${without} measured responses carried the ${LAMBDA_REQUEST_ID_HEADER} header: return the ` +
    "invocation's Lambda request id (context.awsRequestId) in it, so the tuner can price exactly the measured " +
    "invocations (docs/aws.md, 'The request-id header')"
  );
}

/** Duration statistics from the REPORT lines (exact attribution, or windows spread over several versions). */
export function durationsFromReports(logs: LogFindings): LambdaMetrics["durationMs"] {
  return durationStats(logs.reports);
}

export interface Collected {
  metrics: LambdaMetrics;
  logs: LogFindings | InvocationLogs;
  /** "request-ids": exactly the measured invocations; "window": every invocation of the version in the window. */
  attribution: "request-ids" | "window";
  apiGateway?: ApiGatewayMeasurements;
  /** Set when CloudWatch never reached the expected counts before the collect timeout. */
  shortfall?: string;
}

export async function collectWindow(
  clients: AwsClients,
  options: SweepOptions,
  version: string,
  window: Window,
  run: RunResult,
  sleep: (ms: number) => Promise<void>,
  versions: readonly string[],
): Promise<Collected> {
  // Exact attribution when the engine recorded the measured requests' Lambda request ids.
  const ids = run.lambdaRequestIds ? new Set(run.lambdaRequestIds) : undefined;
  const expected = ids ? ids.size : invocationsExpected(run);
  const { stage } = options;
  const local = stage.name === "local";
  const granularity = local ? "exact" : "minute";
  const timeoutMs =
    options.collectTimeoutMs ??
    (local ? SWEEP_DEFAULTS.localCollectTimeoutMs : SWEEP_DEFAULTS.awsCollectTimeoutMs);
  const retryMs =
    options.collectRetryMs ?? (local ? SWEEP_DEFAULTS.localCollectRetryMs : SWEEP_DEFAULTS.awsCollectRetryMs);
  const target = {
    functionName: stage.functionName,
    alias: stage.alias,
    version,
    apiName: stage.apiName,
    apiStageName: stage.apiStageName,
    apiType: stage.apiType,
    ...(stage.apiId ? { apiId: stage.apiId } : {}),
    ...(stage.logGroupName ? { logGroupName: stage.logGroupName } : {}),
    ...(options.invokesVersion ? { invokesVersion: true } : {}),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [metrics, logs, apiGateway] = await Promise.all([
      collectLambdaMetrics(clients.cloudwatch, target, window, granularity, versions),
      ids
        ? collectInvocationLogs(clients.logs, target, window, ids, versions)
        : collectLogs(clients.logs, target, window, versions),
      options.apiType === null
        ? undefined
        : collectApiGatewayMetrics(clients.cloudwatch, target, window, granularity),
    ]);
    if (versions.length > 1) metrics.durationMs = durationsFromReports(logs);
    // With request ids the REPORT lines decide (CloudWatch is a cross-check, flagged when it disagrees).
    const complete = ids
      ? logs.reports.length >= expected
      : metrics.invocations >= expected && logs.reports.length >= expected;
    if (complete || Date.now() >= deadline || options.signal?.aborted) {
      // Not fatal: the figures stand for what CloudWatch had; the caller says so in the progress.
      const shortfall =
        complete || options.signal?.aborted
          ? undefined
          : ids
            ? `CloudWatch Logs had the REPORT lines of ${logs.reports.length} of the ${expected} measured invocations`
            : `CloudWatch had ${metrics.invocations} invocations and ${logs.reports.length} REPORT lines of ${expected} expected`;
      return {
        metrics,
        logs,
        attribution: ids ? "request-ids" : "window",
        ...(apiGateway ? { apiGateway } : {}),
        ...(shortfall ? { shortfall } : {}),
      };
    }
    await sleep(retryMs);
  }
}
