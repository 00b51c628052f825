/**
 * Exact attribution: the log lines of exactly the invocations a load engine measured, by Lambda request id
 * (the `x-lambda-request-id` response header the engines record). One FilterLogEvents pass (no pattern) over
 * the function's log group reads every event of the setting's versions from the window's start until now, so
 * an invocation that finished after the window closed is still found; warm-up, Newman gate and table-reset
 * invocations in the same range are left out because their ids were not measured. Each event is attributed
 * to a request id (START/END/REPORT `RequestId:`, JSON `requestId`, the runtime's tab-separated prefix) and
 * its UTF-8 bytes are added to that invocation's log bytes: what CloudWatch Logs ingestion is priced on.
 * Same code path on AWS and against the local stage (the real SDK client).
 */
import { type CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { type CollectTarget, countFaults, type LogFindings, logGroupOf, type Window } from "./collect.ts";
import {
  type LambdaReport,
  parseReportLine,
  parseRequestLogLine,
  type RequestLogEntry,
} from "./report-lines.ts";

/** Bound on pages read, so a huge log group cannot keep the sweep busy forever. */
const MAX_PAGES = 2_000;

/** What the measured invocations logged. */
export interface InvocationLogs extends LogFindings {
  /** UTF-8 bytes of every log event of the measured invocations, summed. */
  logBytes: number;
  /** The same bytes per invocation (for the bootstrap over requests). */
  bytesByRequestId: Map<string, number>;
  /** Measured invocations whose REPORT line was found. */
  invocationsFound: number;
  /** Log events in the range no request id could be read from (e.g. INIT_START), and their bytes. */
  unattributed: { events: number; bytes: number };
  /**
   * What CloudWatch's Invocations over the same window must lie between (see `cloudwatchAgrees`): the measured
   * invocations whose REPORT line was logged inside the window, and every invocation of the versions whose
   * REPORT line was logged inside it widened by WINDOW_SLACK_MS on each side (measured or not: a warm-up
   * straggler, anything else that ran on the version while the load did).
   */
  window: { measuredReports: number; allReports: number };
}

/**
 * How far the count of all invocations reaches beyond the window on each side: an invocation's REPORT line and
 * its CloudWatch datapoint are written a moment apart, so one at the window's edge may fall on either side.
 */
export const WINDOW_SLACK_MS = 1_000;

/**
 * The CloudWatch cross-check of exact attribution, like with like: CloudWatch's Invocations counts every
 * invocation of the version in the queried window, not only the measured ones. It agrees when it counts at
 * least the measured invocations that ended in the window and at most every invocation whose REPORT line the
 * log group holds for the window (local stage: the exact window). On AWS the metric range is whole minutes,
 * wider than the logs read, so only the lower bound is checked there.
 * @example cloudwatchAgrees(88, { measuredReports: 80, allReports: 88 }, "local") // true: 8 others ran too
 */
export function cloudwatchAgrees(
  cloudwatchInvocations: number,
  window: InvocationLogs["window"],
  stageName: "local" | "aws",
): boolean {
  if (cloudwatchInvocations < window.measuredReports) return false;
  return stageName === "aws" || cloudwatchInvocations <= window.allReports;
}

const TEXT_ID = /RequestId:\s*([\w-]+)/;
const JSON_ID = /"requestId"\s*:\s*"([^"]+)"/;
/** Lambda's text format for function output: `<ISO time>\t<request id>\t<LEVEL>\t<message>`. */
const PREFIX_ID = /^\S+\t([0-9a-fA-F-]{8,})\t/;

/** The request id an event belongs to, when it names one. */
export function requestIdOf(message: string): string | undefined {
  return TEXT_ID.exec(message)?.[1] ?? JSON_ID.exec(message)?.[1] ?? PREFIX_ID.exec(message)?.[1];
}

const encoder = new TextEncoder();

/**
 * The REPORT lines, request log lines, faults and log bytes of the invocations in `requestIds`, read from
 * `window.startMs` to `untilMs` (default: now). Lines of any other invocation are ignored.
 */
export async function collectInvocationLogs(
  client: CloudWatchLogsClient,
  target: CollectTarget,
  window: Window,
  requestIds: ReadonlySet<string>,
  versions: readonly string[] = [target.version],
  untilMs: number = Date.now(),
): Promise<InvocationLogs> {
  const group = logGroupOf(target);
  const markers = versions.map((v) => `[${v}]`);
  const reports: LambdaReport[] = [];
  const requests: RequestLogEntry[] = [];
  const faultLines: string[] = [];
  const reported = new Set<string>();
  const measuredInWindow = new Set<string>();
  const allInWindow = new Set<string>();
  let logBytes = 0;
  const bytesByRequestId = new Map<string, number>();
  const unattributed = { events: 0, bytes: 0 };
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const out = await client.send(
      new FilterLogEventsCommand({
        logGroupName: group,
        startTime: window.startMs - WINDOW_SLACK_MS,
        endTime: Math.max(window.endMs, untilMs),
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const event of out.events ?? []) {
      const stream = event.logStreamName ?? "";
      const message = event.message;
      if (message === undefined || !markers.some((m) => stream.includes(m))) continue;
      const id = requestIdOf(message);
      const at = event.timestamp ?? 0;
      if (id === undefined) {
        // the second read before the window is for the count of all invocations only
        if (at < window.startMs) continue;
        unattributed.events += 1;
        unattributed.bytes += encoder.encode(message).length;
        continue;
      }
      if (
        at >= window.startMs - WINDOW_SLACK_MS &&
        at <= window.endMs + WINDOW_SLACK_MS &&
        /^REPORT RequestId|"platform\.report"/.test(message)
      ) {
        allInWindow.add(id);
        if (requestIds.has(id) && at >= window.startMs && at <= window.endMs) measuredInWindow.add(id);
      }
      if (!requestIds.has(id)) continue;
      const bytes = encoder.encode(message).length;
      logBytes += bytes;
      bytesByRequestId.set(id, (bytesByRequestId.get(id) ?? 0) + bytes);
      const report = parseReportLine(message);
      if (report) {
        // Both log formats may carry a report of one invocation: keep the first.
        if (!reported.has(id)) {
          reported.add(id);
          reports.push(report);
        }
        continue;
      }
      const request = parseRequestLogLine(message);
      if (request) requests.push(request);
      else if (/Task timed out|Runtime\.OutOfMemory|Runtime exited/.test(message)) faultLines.push(message);
    }
    nextToken = out.nextToken;
    pages += 1;
  } while (nextToken && pages < MAX_PAGES);
  return {
    reports,
    requests,
    ...countFaults(reports, faultLines),
    logBytes,
    bytesByRequestId,
    invocationsFound: reported.size,
    unattributed,
    window: { measuredReports: measuredInWindow.size, allReports: allInWindow.size },
  };
}
