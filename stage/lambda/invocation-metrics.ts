/**
 * The AWS/Lambda metrics of each invocation, as Lambda publishes them: Invocations, Errors, Throttles,
 * Duration (ms) and ConcurrentExecutions, each under the dimension sets {FunctionName},
 * {FunctionName, Resource} and {FunctionName, Resource, ExecutedVersion}. Resource is
 * "<function>:<alias or version>" for a qualified invocation and "<function>" for an unqualified one.
 */
import type { MetricSink } from "../contracts.ts";

export type LambdaMetricName = "Invocations" | "Errors" | "Throttles" | "Duration" | "ConcurrentExecutions";

const UNITS: Record<LambdaMetricName, string> = {
  Invocations: "Count",
  Errors: "Count",
  Throttles: "Count",
  Duration: "Milliseconds",
  ConcurrentExecutions: "Count",
};

/** Where a data point belongs: the function, how it was invoked, the version that ran, when. */
export interface MetricContext {
  functionName: string;
  /** The alias or version the caller named; undefined for an unqualified invocation. */
  qualifier: string | undefined;
  executedVersion: string;
  timestampMs: number;
}

export class InvocationMetrics {
  /** Dimension sets are reused across data points: built once per (function, qualifier, version). */
  private readonly dimensionCache = new Map<string, Array<Record<string, string>>>();

  constructor(private readonly sink: MetricSink) {}

  private dimensionSets(functionName: string, qualifier: string | undefined, executedVersion: string) {
    const key = `${functionName}\n${qualifier ?? ""}\n${executedVersion}`;
    let sets = this.dimensionCache.get(key);
    if (!sets) {
      const resource = qualifier ? `${functionName}:${qualifier}` : functionName;
      sets = [
        { FunctionName: functionName },
        { FunctionName: functionName, Resource: resource },
        { FunctionName: functionName, Resource: resource, ExecutedVersion: executedVersion },
      ];
      this.dimensionCache.set(key, sets);
    }
    return sets;
  }

  put(metricName: LambdaMetricName, value: number, at: MetricContext): void {
    const unit = UNITS[metricName];
    for (const dimensions of this.dimensionSets(at.functionName, at.qualifier, at.executedVersion)) {
      this.sink.put({
        namespace: "AWS/Lambda",
        metricName,
        dimensions,
        value,
        unit,
        timestampMs: at.timestampMs,
      });
    }
  }
}
