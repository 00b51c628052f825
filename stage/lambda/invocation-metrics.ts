/**
 * The AWS/Lambda metrics of each invocation, as Lambda publishes them: Invocations, Errors, Throttles,
 * Duration (ms) and ConcurrentExecutions, each under the dimension sets {FunctionName} (every version and
 * alias of the function) and {FunctionName, Resource}, plus {FunctionName, Resource, ExecutedVersion} for an
 * invocation through an alias only: AWS documents ExecutedVersion as applying to alias invocations (it tells
 * apart the versions behind one alias). Resource is "<function>:<alias or version>" for a qualified
 * invocation and "<function>" for an unqualified one.
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
  /** True when `qualifier` names an alias (then the ExecutedVersion set is published too). */
  viaAlias: boolean;
  executedVersion: string;
  timestampMs: number;
}

/**
 * The local stage's own metrics (not Lambda's), under the same dimension sets, for the tuner to read through
 * GetMetricData like any other: HostCpuWait (ms an invocation's environment waited for the host's CPU, beyond
 * its quota) and CpuShareDemand (the CPU shares of the busy and booting environments over the host's cores,
 * at the invocation's start: above 1 the host cannot give every environment its share); with the capacity cap
 * on (capacity.ts) also CapacityWait, CapacityWaited, InvocationCap and CapacityCores.
 */
export const LOCAL_STAGE_NAMESPACE = "Powerbench/LocalStage";
export type LocalStageMetricName =
  | "HostCpuWait"
  | "CpuShareDemand"
  | "CapacityWait"
  | "CapacityWaited"
  | "InvocationCap"
  | "CapacityCores";
const LOCAL_UNITS: Record<LocalStageMetricName, string> = {
  HostCpuWait: "Milliseconds",
  CpuShareDemand: "None",
  /** ms an invocation waited for the host's capacity before it started (not in its Duration). */
  CapacityWait: "Milliseconds",
  /** 1 when the invocation had to wait for the capacity, else 0. */
  CapacityWaited: "Count",
  /** Cores the environments' invocations share (the host's less the reserved ones). */
  CapacityCores: "Count",
  /** Invocations the host admits at once at the invocation's memory size (capacity.ts). */
  InvocationCap: "Count",
};

export class InvocationMetrics {
  /** Dimension sets are reused across data points: built once per (function, qualifier, alias?, version). */
  private readonly dimensionCache = new Map<string, Array<Record<string, string>>>();

  constructor(private readonly sink: MetricSink) {}

  private dimensionSets(at: MetricContext) {
    const { functionName, qualifier, viaAlias, executedVersion } = at;
    const key = `${functionName}\n${qualifier ?? ""}\n${viaAlias}\n${executedVersion}`;
    let sets = this.dimensionCache.get(key);
    if (!sets) {
      const resource = qualifier ? `${functionName}:${qualifier}` : functionName;
      sets = [{ FunctionName: functionName }, { FunctionName: functionName, Resource: resource }];
      if (qualifier && viaAlias) {
        sets.push({ FunctionName: functionName, Resource: resource, ExecutedVersion: executedVersion });
      }
      // Frozen: the metric store then keys their series once (metric-store.ts) instead of on every put.
      for (const set of sets) Object.freeze(set);
      this.dimensionCache.set(key, sets);
    }
    return sets;
  }

  put(metricName: LambdaMetricName, value: number, at: MetricContext): void {
    this.putIn("AWS/Lambda", metricName, UNITS[metricName], value, at);
  }

  putLocal(metricName: LocalStageMetricName, value: number, at: MetricContext): void {
    this.putIn(LOCAL_STAGE_NAMESPACE, metricName, LOCAL_UNITS[metricName], value, at);
  }

  private putIn(namespace: string, metricName: string, unit: string, value: number, at: MetricContext): void {
    for (const dimensions of this.dimensionSets(at)) {
      this.sink.put({
        namespace,
        metricName,
        dimensions,
        value,
        unit,
        timestampMs: at.timestampMs,
      });
    }
  }
}
