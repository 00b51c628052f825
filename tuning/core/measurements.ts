/**
 * Merging what was measured for one setting (pure): the load engine's run result, CloudWatch's AWS/Lambda
 * and AWS/ApiGateway metrics and the function's log lines, into the figures results.json carries.
 * Formulas are in docs/results-schema.md; nothing here invents a number.
 */
import type { RunResult } from "../../loadtests/run-result.ts";
import { formatPercent } from "../../reports/format.ts";
import type { LambdaMetrics, LogFindings } from "../adapters/collect.ts";
import type { RequestLogEntry } from "../adapters/report-lines.ts";
import type {
  ClientMeasurements,
  DynamoDbMeasurements,
  LambdaMeasurements,
  SettingFailure,
} from "../results/results-types.ts";
import { mean } from "./statistics.ts";

/** Client-side figures, straight from the run result. */
export function clientMeasurements(run: RunResult): ClientMeasurements {
  const operations: ClientMeasurements["operations"] = {};
  for (const [name, stats] of Object.entries(run.operations)) {
    if (stats) {
      operations[name as keyof ClientMeasurements["operations"]] = {
        requests: stats.requests,
        errorRate: stats.errorRate,
        latency: stats.latency,
      };
    }
  }
  return {
    requests: run.overall.requests,
    errorCount: run.overall.errorCount,
    errorRate: run.overall.errorRate,
    achievedRatePerSec: run.achievedRatePerSec,
    targetRatePerSec: run.targetRatePerSec,
    droppedIterations: run.iterations.dropped,
    latency: run.overall.latency,
    operations,
    timeline: run.timeline,
    thresholdsPassed: run.thresholdsPassed,
    ...(run.payload ? { payload: run.payload } : {}),
  };
}

/** Billed durations of the window's REPORT lines, as written (INIT included where Lambda billed it). */
export function billedDurations(logs: LogFindings): number[] {
  return logs.reports.map((r) => r.billedDurationMs).filter((d): d is number => d !== undefined);
}

/** Lambda-side figures: CloudWatch metrics for counts and Duration statistics, REPORT lines for billing. */
export function lambdaMeasurements(
  metrics: LambdaMetrics,
  logs: LogFindings,
  trimmedMean?: number,
  warmupLogs?: LogFindings,
): LambdaMeasurements {
  const billed = billedDurations(logs);
  const initsOf = (findings: LogFindings | undefined) =>
    (findings?.reports ?? []).map((r) => r.initDurationMs).filter((d): d is number => d !== undefined);
  const inits = initsOf(logs);
  const allInits = [...initsOf(warmupLogs), ...inits];
  const memoryUsed = logs.reports.map((r) => r.maxMemoryUsedMb).filter((m): m is number => m !== undefined);
  return {
    invocations: metrics.invocations,
    errors: metrics.errors,
    throttles: metrics.throttles,
    maxConcurrentExecutions: metrics.maxConcurrentExecutions,
    durationMs: metrics.durationMs,
    reportCount: logs.reports.length,
    billedDurationMs: {
      mean: billed.length === 0 ? 0 : mean(billed),
      total: billed.reduce((a, b) => a + b, 0),
      ...(trimmedMean === undefined ? {} : { trimmedMean }),
    },
    coldStarts: inits.length,
    ...(allInits.length > 0 ? { initDurationMs: { mean: mean(allInits), max: Math.max(...allInits) } } : {}),
    ...(warmupLogs
      ? { warmup: { invocations: warmupLogs.reports.length, coldStarts: initsOf(warmupLogs).length } }
      : {}),
    maxMemoryUsedMb: memoryUsed.length > 0 ? Math.max(...memoryUsed) : 0,
  };
}

/**
 * A write whose condition failed: POST /items of an existing id (409), PUT/PATCH of a missing one (404),
 * reporting no units (a ConditionalCheckFailedException carries none). DynamoDB still bills it.
 */
export function isFailedConditionalWrite(entry: RequestLogEntry): boolean {
  const method = entry.route?.split(" ")[0];
  const writes = method === "POST" || method === "PUT" || method === "PATCH";
  return writes && (entry.status === 409 || entry.status === 404) && (entry.consumedWcu ?? 0) === 0;
}

/**
 * DynamoDB request units (RRU, WRU: what on-demand bills) consumed in the window, from the service's request
 * log lines (whose `consumedRcu` / `consumedWcu` keep ConsumedCapacity's word for the same numbers).
 */
export function dynamoDbMeasurements(logs: LogFindings): DynamoDbMeasurements {
  let rru = 0;
  let wru = 0;
  let failed = 0;
  let withCapacity = 0;
  for (const r of logs.requests) {
    rru += r.consumedRcu ?? 0;
    wru += r.consumedWcu ?? 0;
    if (isFailedConditionalWrite(r)) failed += 1;
    if (r.consumedRcu !== undefined || r.consumedWcu !== undefined) withCapacity += 1;
  }
  return {
    readRequestUnits: rru,
    writeRequestUnits: wru,
    requests: logs.requests.length,
    failedConditionalWrites: failed,
    requestsWithCapacity: withCapacity,
  };
}

/**
 * Why a setting failed, from everything measured: timeouts and out-of-memory in the logs, and the client
 * error rate over the allowed maximum. Throttles alone do not fail a setting: they show in `lambda.throttles`
 * and, when the API answered them with 429s, in the client error rate.
 */
export function classifyFailures(
  client: ClientMeasurements | undefined,
  logs: LogFindings | undefined,
  maxErrorRate: number,
): SettingFailure[] {
  const failures: SettingFailure[] = [];
  if (logs && logs.outOfMemory + logs.runtimeExits > 0) {
    failures.push({
      kind: "oom",
      message: `${logs.outOfMemory + logs.runtimeExits} invocation(s) ran out of memory or the runtime exited`,
    });
  }
  if (logs && logs.timeouts > 0) {
    failures.push({ kind: "timeout", message: `${logs.timeouts} invocation(s) timed out` });
  }
  if (client && client.errorRate > maxErrorRate) {
    failures.push({
      kind: "error-rate",
      message: `client error rate ${formatPercent(client.errorRate, 2)} is over the allowed ${formatPercent(maxErrorRate, 2)}`,
    });
  }
  return failures;
}
