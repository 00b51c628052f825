/**
 * Host oversubscription of a setting on the local stage, read through GetMetricData like every other figure:
 * the stage publishes, per invocation, HostCpuWait (ms its environment waited for the host's CPU beyond its
 * quota) and CpuShareDemand (CPU shares of the busy and booting environments over the host's cores) in the
 * Powerbench/LocalStage namespace, under Lambda's dimension sets. On AWS the namespace is empty: no verdict.
 */
import { type CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { formatPercent } from "../reports/format.ts";
import {
  type CollectTarget,
  lambdaDimensions,
  metricRange,
  metricStatQuery,
  type Window,
} from "./collect.ts";
import type { HostContention } from "./results-types.ts";

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

/** Reads the stage's contention figures for one version in a window; undefined when the stage has none. */
export async function collectHostContention(
  client: CloudWatchClient,
  target: CollectTarget,
  window: Window,
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
  return assessHostContention({
    // One period spans the window, so one datapoint each.
    meanCpuShareDemand: mean[0] ?? 0,
    peakCpuShareDemand: Math.max(...demand),
    hostCpuWaitMs: total(values("wait")),
    durationMs: total(values("duration")),
  });
}
