/**
 * The CloudWatch and CloudWatch Logs adapter of the sweep: what Lambda and API Gateway measured in a
 * setting's load window. Metrics come from GetMetricData for the setting's version, under the dimension set
 * Lambda publishes for the way it was invoked (see `lambdaDimensions`); REPORT lines and the service's request
 * log lines from FilterLogEvents on the function's log group, kept to the version's log streams (Lambda names
 * them `YYYY/MM/DD/[<version>]…`).
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type MetricDataQuery,
} from "@aws-sdk/client-cloudwatch";
import { type CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { ApiGatewayMeasurements } from "../results/results-types.ts";
import {
  type LambdaReport,
  parseReportLine,
  parseRequestLogLine,
  type RequestLogEntry,
} from "./report-lines.ts";

/** A measured window, epoch ms. */
export interface Window {
  startMs: number;
  endMs: number;
}

export interface CollectTarget {
  functionName: string;
  alias: string;
  version: string;
  /** The load invoked versions directly (direct-invoke mode), not the alias: the Resource dimension differs. */
  invokesVersion?: boolean;
  apiName: string;
  apiStageName: string;
  /** REST APIs publish their metrics by ApiName, HTTP APIs by ApiId (with 4xx/5xx). @default "REST" */
  apiType?: "REST" | "HTTP";
  /** An HTTP API's id (its metrics' ApiId dimension). */
  apiId?: string;
  /** The function's log group. @default /aws/lambda/<functionName> */
  logGroupName?: string;
}

/** The function's log group: its configured one, else Lambda's default `/aws/lambda/<function>`. */
export function logGroupOf(target: Pick<CollectTarget, "functionName" | "logGroupName">): string {
  return target.logGroupName ?? `/aws/lambda/${target.functionName}`;
}

/**
 * The AWS/ApiGateway dimensions and error metric names of the target's API: a REST API publishes `ApiName` and
 * `Stage` with 4XXError/5XXError, an HTTP API `ApiId` and `Stage` with 4xx/5xx (AWS API Gateway developer
 * guide, "Amazon API Gateway dimensions and metrics" and "Monitor CloudWatch metrics for HTTP APIs").
 * Undefined for an HTTP API whose id is unknown.
 */
export function apiGatewayMetricKeys(
  target: Pick<CollectTarget, "apiType" | "apiId" | "apiName" | "apiStageName">,
): { dims: Record<string, string>; errors4xx: string; errors5xx: string } | undefined {
  if (target.apiType !== "HTTP")
    return {
      dims: { ApiName: target.apiName, Stage: target.apiStageName },
      errors4xx: "4XXError",
      errors5xx: "5XXError",
    };
  if (!target.apiId) return undefined;
  return { dims: { ApiId: target.apiId, Stage: target.apiStageName }, errors4xx: "4xx", errors5xx: "5xx" };
}

/** What CloudWatch's AWS/Lambda namespace says about one version in a window. */
export interface LambdaMetrics {
  invocations: number;
  errors: number;
  throttles: number;
  maxConcurrentExecutions: number;
  durationMs: { avg: number; p50: number; p90: number; p99: number; max: number };
}

/** What the function's log group says about one version in a window. */
export interface LogFindings {
  reports: LambdaReport[];
  requests: RequestLogEntry[];
  timeouts: number;
  outOfMemory: number;
  runtimeExits: number;
}

/** Bound on pages read per query, so a huge log group cannot keep the sweep busy forever. */
const MAX_LOG_PAGES = 2_000;

/**
 * The GetMetricData time range and period for a window. CloudWatch on AWS aggregates per minute, so the
 * range is widened to whole minutes and one period covers it; the local stage keeps any period in seconds,
 * so its range is the exact window.
 */
export function metricRange(
  window: Window,
  granularity: "exact" | "minute",
): {
  startTime: Date;
  endTime: Date;
  periodS: number;
} {
  if (granularity === "exact") {
    const periodS = Math.max(1, Math.ceil((window.endMs - window.startMs) / 1000));
    return {
      startTime: new Date(window.startMs),
      // Cut at the window's exact end: the local store cuts [StartTime, EndTime) to the millisecond, so
      // requests after the window (the Newman gate) stay out. +1 ms keeps a point at the end itself.
      endTime: new Date(window.endMs + 1),
      periodS,
    };
  }
  const start = Math.floor(window.startMs / 60_000) * 60_000;
  const end = Math.max(start + 60_000, Math.ceil(window.endMs / 60_000) * 60_000);
  return { startTime: new Date(start), endTime: new Date(end), periodS: (end - start) / 1000 };
}

/** One GetMetricData query of a metric's statistic over the window's period. */
export function metricStatQuery(
  id: string,
  namespace: string,
  metricName: string,
  dims: Record<string, string>,
  s: string,
  periodS: number,
): MetricDataQuery {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: periodS,
      Stat: s,
    },
    ReturnData: true,
  };
}

async function getMetrics(
  client: CloudWatchClient,
  queries: MetricDataQuery[],
  range: { startTime: Date; endTime: Date },
): Promise<Map<string, number[]>> {
  const values = new Map<string, number[]>();
  let nextToken: string | undefined;
  do {
    const out = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: range.startTime,
        EndTime: range.endTime,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    for (const r of out.MetricDataResults ?? []) {
      if (!r.Id) continue;
      values.set(r.Id, [...(values.get(r.Id) ?? []), ...(r.Values ?? [])]);
    }
    nextToken = out.NextToken;
  } while (nextToken);
  return values;
}

/**
 * The AWS/Lambda dimension set of one version's invocations. Through the alias (the API Gateway path):
 * {FunctionName, Resource "<function>:<alias>", ExecutedVersion}, the version behind the alias; AWS publishes
 * ExecutedVersion for alias invocations only. A version invoked directly (direct mode, one version per
 * invocation in only-cold-starts mode): {FunctionName, Resource "<function>:<version>"}.
 */
export function lambdaDimensions(
  target: CollectTarget,
  version: string,
  viaAlias: boolean,
): { FunctionName: string; Resource: string; ExecutedVersion?: string } {
  return viaAlias
    ? {
        FunctionName: target.functionName,
        Resource: `${target.functionName}:${target.alias}`,
        ExecutedVersion: version,
      }
    : { FunctionName: target.functionName, Resource: `${target.functionName}:${version}` };
}

const sum = (xs: number[] | undefined) => (xs ?? []).reduce((a, b) => a + b, 0);
const max = (xs: number[] | undefined) => (xs && xs.length > 0 ? Math.max(...xs) : 0);
/** With one period per window there is one datapoint; with several, the first (newest) is used for stats. */
const first = (xs: number[] | undefined) => xs?.[0] ?? 0;

/**
 * AWS/Lambda metrics of the versions a setting ran on (usually one; one per invocation in only-cold-starts
 * mode). Counts add up across versions; Duration statistics come from CloudWatch for a single version, and
 * are left to the caller (REPORT lines) when several versions share the window, since percentiles of
 * separate versions cannot be combined.
 */
export async function collectLambdaMetrics(
  client: CloudWatchClient,
  target: CollectTarget,
  window: Window,
  granularity: "exact" | "minute",
  versions: readonly string[] = [target.version],
): Promise<LambdaMetrics> {
  const range = metricRange(window, granularity);
  const p = range.periodS;
  const ns = "AWS/Lambda";
  const queries: MetricDataQuery[] = [];
  // Several versions in one window only come from direct invocations (only-cold-starts mode).
  const viaAlias = versions.length === 1 && !target.invokesVersion;
  versions.forEach((version, i) => {
    const { FunctionName, Resource, ExecutedVersion } = lambdaDimensions(target, version, viaAlias);
    const dims: Record<string, string> = {
      FunctionName,
      Resource,
      ...(ExecutedVersion ? { ExecutedVersion } : {}),
    };
    queries.push(
      metricStatQuery(`invocations${i}`, ns, "Invocations", dims, "Sum", p),
      metricStatQuery(`errors${i}`, ns, "Errors", dims, "Sum", p),
      metricStatQuery(`throttles${i}`, ns, "Throttles", { FunctionName, Resource }, "Sum", p),
      metricStatQuery(`concurrency${i}`, ns, "ConcurrentExecutions", dims, "Maximum", p),
    );
    if (versions.length === 1) {
      queries.push(
        metricStatQuery("avg", ns, "Duration", dims, "Average", p),
        metricStatQuery("p50", ns, "Duration", dims, "p50", p),
        metricStatQuery("p90", ns, "Duration", dims, "p90", p),
        metricStatQuery("p99", ns, "Duration", dims, "p99", p),
        metricStatQuery("max", ns, "Duration", dims, "Maximum", p),
      );
    }
  });
  const v = new Map<string, number[]>();
  // GetMetricData takes at most 500 queries per call.
  for (let i = 0; i < queries.length; i += 500) {
    for (const [id, values] of await getMetrics(client, queries.slice(i, i + 500), range)) v.set(id, values);
  }
  const across = (prefix: string, f: (xs: number[] | undefined) => number) =>
    versions.map((_, i) => f(v.get(`${prefix}${i}`)));
  return {
    invocations: across("invocations", sum).reduce((a, b) => a + b, 0),
    errors: across("errors", sum).reduce((a, b) => a + b, 0),
    throttles: across("throttles", sum).reduce((a, b) => a + b, 0),
    maxConcurrentExecutions: Math.max(0, ...across("concurrency", max)),
    durationMs: {
      avg: first(v.get("avg")),
      p50: first(v.get("p50")),
      p90: first(v.get("p90")),
      p99: first(v.get("p99")),
      max: max(v.get("max")),
    },
  };
}

export async function collectApiGatewayMetrics(
  client: CloudWatchClient,
  target: CollectTarget,
  window: Window,
  granularity: "exact" | "minute",
): Promise<ApiGatewayMeasurements | undefined> {
  const keys = apiGatewayMetricKeys(target);
  // An HTTP API whose id is unknown (a custom domain, no stack): no dimension to ask by, no cross-check.
  if (!keys) return undefined;
  const range = metricRange(window, granularity);
  const { dims } = keys;
  const p = range.periodS;
  const ns = "AWS/ApiGateway";
  const v = await getMetrics(
    client,
    [
      metricStatQuery("count", ns, "Count", dims, "SampleCount", p),
      metricStatQuery("e4", ns, keys.errors4xx, dims, "Sum", p),
      metricStatQuery("e5", ns, keys.errors5xx, dims, "Sum", p),
      metricStatQuery("lat", ns, "Latency", dims, "Average", p),
      metricStatQuery("latp50", ns, "Latency", dims, "p50", p),
      metricStatQuery("latp99", ns, "Latency", dims, "p99", p),
      metricStatQuery("ilat", ns, "IntegrationLatency", dims, "Average", p),
    ],
    range,
  );
  return {
    count: sum(v.get("count")),
    errors4xx: sum(v.get("e4")),
    errors5xx: sum(v.get("e5")),
    latencyMs: { avg: first(v.get("lat")), p50: first(v.get("latp50")), p99: first(v.get("latp99")) },
    integrationLatencyMs: { avg: first(v.get("ilat")) },
  };
}

async function filterMessages(
  client: CloudWatchLogsClient,
  logGroupName: string,
  filterPattern: string,
  window: Window,
  streamMarkers: readonly string[],
): Promise<string[]> {
  const messages: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const out = await client.send(
      new FilterLogEventsCommand({
        logGroupName,
        filterPattern,
        startTime: window.startMs,
        endTime: window.endMs,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const e of out.events ?? []) {
      const stream = e.logStreamName ?? "";
      if (e.message !== undefined && streamMarkers.some((m) => stream.includes(m))) messages.push(e.message);
    }
    nextToken = out.nextToken;
    pages += 1;
  } while (nextToken && pages < MAX_LOG_PAGES);
  return messages;
}

/** A request id in a fault line: `RequestId: <id>` or, in a timeout line, the token after the ISO time. */
function faultRequestId(line: string): string | undefined {
  return /RequestId:\s*([\w-]+)/.exec(line)?.[1] ?? /^\S+\s+([\w-]+)\s+Task timed out/.exec(line)?.[1];
}

/**
 * Timeouts, out-of-memory kills and other runtime exits, each invocation once: a fault shows on its REPORT
 * (text `Status:`/`Error Type:`, JSON status/errorType, the record both log formats share) and on Lambda's
 * text fault lines (`Task timed out …`, `Runtime exited …` with its error type), all keyed by request id. An
 * out-of-memory kill is also a runtime exit ("signal: killed"): it counts as out of memory only. A fault line
 * without a request id counts on its own.
 */
export function countFaults(
  reports: readonly LambdaReport[],
  faultLines: readonly string[],
): { timeouts: number; outOfMemory: number; runtimeExits: number } {
  const timeouts = new Set<string>();
  const outOfMemory = new Set<string>();
  const exits = new Set<string>();
  for (const report of reports) {
    if (!report.requestId) continue;
    if (report.status === "timeout") timeouts.add(report.requestId);
    if (report.errorType === "Runtime.OutOfMemory") outOfMemory.add(report.requestId);
  }
  faultLines.forEach((line, index) => {
    if (parseReportLine(line)) return; // a REPORT that matched the filter: counted above
    const id = faultRequestId(line) ?? `line-${index}`;
    if (line.includes("Task timed out")) timeouts.add(id);
    if (line.includes("Runtime.OutOfMemory")) outOfMemory.add(id);
    else if (line.includes("Runtime exited")) exits.add(id);
  });
  for (const id of outOfMemory) exits.delete(id);
  return { timeouts: timeouts.size, outOfMemory: outOfMemory.size, runtimeExits: exits.size };
}

/**
 * Reads REPORT lines (text and JSON log formats), the service's request log lines and the fault lines
 * (timeouts, out of memory, runtime exits) of one version in a window.
 */
export async function collectLogs(
  client: CloudWatchLogsClient,
  target: CollectTarget,
  window: Window,
  versions: readonly string[] = [target.version],
): Promise<LogFindings> {
  const group = logGroupOf(target);
  // Lambda names each environment's stream YYYY/MM/DD/[<version>]<id>: keep the setting's versions only.
  const marker = versions.map((v) => `[${v}]`);
  const [textReports, jsonReports, requestLines, faultLines] = await Promise.all([
    filterMessages(client, group, '"REPORT RequestId"', window, marker),
    filterMessages(client, group, '{ $.type = "platform.report" }', window, marker),
    filterMessages(client, group, '{ $.msg = "request" }', window, marker),
    filterMessages(
      client,
      group,
      '?"Task timed out" ?"Runtime.OutOfMemory" ?"Runtime exited"',
      window,
      marker,
    ),
  ]);
  const reports = [...textReports, ...jsonReports]
    .map((m) => parseReportLine(m))
    .filter((r): r is LambdaReport => r !== null);
  const requests = requestLines
    .map((m) => parseRequestLogLine(m))
    .filter((r): r is RequestLogEntry => r !== null);
  const faults = countFaults(reports, faultLines);
  return { reports, requests, ...faults };
}
