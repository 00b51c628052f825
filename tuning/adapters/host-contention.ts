/**
 * Host oversubscription of a setting on the local stage, read through GetMetricData like every other figure:
 * the stage publishes, per invocation, HostCpuWait (ms its environment waited for the host's CPU beyond its
 * quota) and CpuShareDemand (CPU shares of the busy and booting environments over the host's cores) in the
 * Powerbench/LocalStage namespace, under Lambda's dimension sets. On AWS the namespace is empty: no verdict.
 */
import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { formatPercent } from "../../reports/format.ts";
import type { HostCapacityCap, HostContention } from "../results/results-types.ts";
import {
  type CollectTarget,
  lambdaDimensions,
  metricRange,
  metricStatQuery,
  type Window,
} from "./collect.ts";

/**
 * Above this share of the Durations spent waiting for the host's CPU, a setting is oversubscribed: beyond
 * ~10 % the inflation is as large as the cost steps between neighbouring memory sizes, where it can change
 * the pick (the stage's own front, dynalite and load engine make short invocations wait a little even on an
 * idle host). So it is when the CPU shares busy at a typical invocation's start (the mean) exceed the host's
 * cores: a brief peak of I/O-bound environments at large sizes (3,008 MB wants 1.7 cores) costs little and is
 * only reported.
 */
export const OVERSUBSCRIBED_WAIT_SHARE = 0.1;

const LOCAL_NAMESPACE = "Powerbench/LocalStage";

/**
 * The host's capacity cap at a setting (pure), from the stage's InvocationCap, CapacityCores and CapacityWait
 * metrics: how many invocations ran at once at most, why (the formula of stage/lambda/capacity.ts), and what
 * the queue cost the callers (not in any Duration).
 */
export function describeCapacity(figures: {
  invocationCap: number;
  environmentCores: number;
  capacityWaitMs: number;
  invocations: number;
  waitedInvocations: number;
  memoryMb?: number;
}): HostCapacityCap {
  const meanWaitMs = figures.invocations > 0 ? figures.capacityWaitMs / figures.invocations : 0;
  const share =
    figures.memoryMb === undefined
      ? "its CPU share (memory/1769 of a core, at most one)"
      : `${Math.min(1, figures.memoryMb / 1769).toFixed(3)} of a core (${figures.memoryMb}/1769, at most one)`;
  return {
    invocationCap: figures.invocationCap,
    environmentCores: figures.environmentCores,
    meanCapacityWaitMs: meanWaitMs,
    waitedShare: figures.invocations > 0 ? figures.waitedInvocations / figures.invocations : 0,
    reason:
      `at most ${figures.invocationCap} invocation${figures.invocationCap === 1 ? "" : "s"} at once: each wants ${share} ` +
      `and the environments share ${figures.environmentCores} core${figures.environmentCores === 1 ? "" : "s"} ` +
      "(the host's less one for the API front, dynalite and the load engine); " +
      `further ones waited ${meanWaitMs.toFixed(2)} ms on average before they started, outside their Duration`,
  };
}

/** The verdict from the three figures (pure). */
export function assessHostContention(figures: {
  meanCpuShareDemand: number;
  peakCpuShareDemand: number;
  hostCpuWaitMs: number;
  durationMs: number;
}): HostContention {
  const hostCpuWaitShare = figures.durationMs > 0 ? figures.hostCpuWaitMs / figures.durationMs : 0;
  const oversubscribed = figures.meanCpuShareDemand > 1 || hostCpuWaitShare > OVERSUBSCRIBED_WAIT_SHARE;
  return {
    oversubscribed,
    meanCpuShareDemand: figures.meanCpuShareDemand,
    peakCpuShareDemand: figures.peakCpuShareDemand,
    hostCpuWaitShare,
    ...(oversubscribed
      ? {
          reason:
            `the busy environments' CPU shares were ${formatPercent(figures.meanCpuShareDemand)} of the host's cores on average (peak ${formatPercent(figures.peakCpuShareDemand)}) ` +
            `and ${formatPercent(hostCpuWaitShare, 1)} of the Durations was waiting for the host's CPU: ` +
            "Durations are inflated by about that share",
        }
      : {}),
  };
}

/**
 * Adds the capacity cap to a verdict (pure). The cap keeps the environments at their CPU shares by making
 * invocations queue; a queue longer than OVERSUBSCRIBED_WAIT_SHARE of the Durations means the host could not
 * serve the load at that setting, and the callers' latency measures the queue: the setting is oversubscribed.
 */
export function withCapacity(
  verdict: HostContention,
  capacity: HostCapacityCap,
  figures: { capacityWaitMs: number; durationMs: number },
): HostContention {
  const queueShare = figures.durationMs > 0 ? figures.capacityWaitMs / figures.durationMs : 0;
  if (queueShare <= OVERSUBSCRIBED_WAIT_SHARE) return { ...verdict, capacity };
  const queued =
    `the invocations waited ${(queueShare * 100).toFixed(0)} % of their Durations in all for the host's capacity ` +
    `(${capacity.invocationCap} at once): the callers' latency is inflated by that queue`;
  return {
    ...verdict,
    oversubscribed: true,
    reason: verdict.reason ? `${verdict.reason}; ${queued}` : queued,
    capacity,
  };
}

/** Reads the stage's contention figures for one version in a window; undefined when the stage has none. */
export async function collectHostContention(
  client: CloudWatchClient,
  target: CollectTarget,
  window: Window,
  memoryMb?: number,
): Promise<HostContention | undefined> {
  const range = metricRange(window, "exact");
  const { FunctionName, Resource, ExecutedVersion } = lambdaDimensions(
    target,
    target.version,
    !target.invokesVersion,
  );
  const dims = { FunctionName, Resource, ...(ExecutedVersion ? { ExecutedVersion } : {}) };
  const p = range.periodS;
  const out = await client.send(
    new GetMetricDataCommand({
      MetricDataQueries: [
        metricStatQuery("wait", LOCAL_NAMESPACE, "HostCpuWait", dims, "Sum", p),
        metricStatQuery("demand", LOCAL_NAMESPACE, "CpuShareDemand", dims, "Maximum", p),
        metricStatQuery("demandMean", LOCAL_NAMESPACE, "CpuShareDemand", dims, "Average", p),
        metricStatQuery("duration", "AWS/Lambda", "Duration", dims, "Sum", p),
        metricStatQuery("cap", LOCAL_NAMESPACE, "InvocationCap", dims, "Maximum", p),
        metricStatQuery("capCores", LOCAL_NAMESPACE, "CapacityCores", dims, "Maximum", p),
        metricStatQuery("capWait", LOCAL_NAMESPACE, "CapacityWait", dims, "Sum", p),
        metricStatQuery("capWaitCount", LOCAL_NAMESPACE, "CapacityWait", dims, "SampleCount", p),
        metricStatQuery("capWaited", LOCAL_NAMESPACE, "CapacityWaited", dims, "Sum", p),
      ],
      StartTime: range.startTime,
      EndTime: range.endTime,
    }),
  );
  const values = (id: string) => out.MetricDataResults?.find((r) => r.Id === id)?.Values ?? [];
  const demand = values("demand");
  if (demand.length === 0) return undefined;
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const mean = values("demandMean");
  const verdict = assessHostContention({
    // One period spans the window, so one datapoint each.
    meanCpuShareDemand: mean[0] ?? 0,
    peakCpuShareDemand: Math.max(...demand),
    hostCpuWaitMs: total(values("wait")),
    durationMs: total(values("duration")),
  });
  const cap = values("cap");
  if (cap.length === 0) return verdict;
  const capacityWaitMs = total(values("capWait"));
  const capacity = describeCapacity({
    invocationCap: Math.max(...cap),
    environmentCores: Math.max(0, ...values("capCores")),
    capacityWaitMs,
    invocations: total(values("capWaitCount")),
    waitedInvocations: total(values("capWaited")),
    ...(memoryMb !== undefined ? { memoryMb } : {}),
  });
  return withCapacity(verdict, capacity, { capacityWaitMs, durationMs: total(values("duration")) });
}
