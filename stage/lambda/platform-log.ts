/**
 * The platform's own log lines per invocation, in Lambda's exact formats: text
 * (`START RequestId: <id> Version: <v>`, `END RequestId: <id>`, tab-separated `REPORT` fields with a trailing
 * tab) and JSON (`platform.start` / `platform.report` records). Pure: data in, strings out.
 */

export type LogFormat = "Text" | "JSON";

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  /** Only on the first invocation of an environment (a cold start). */
  initDurationMs?: number;
  /** Absent for a normal end (including a handler error); "timeout" or "error" when the platform ended it. */
  status?: "timeout" | "error";
  /** With status "error": e.g. "Runtime.OutOfMemory", "Runtime.ExitError". */
  errorType?: string;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/**
 * Billed Duration: Duration plus Init Duration (INIT is billed since 1 Aug 2025), rounded up to whole ms,
 * at least 1 ms. From the measured values, not the 2-decimal figures the REPORT line shows (as Lambda bills).
 * A timed-out invocation is billed its timeout, not the few ms the kill took beyond it: pass `timeoutMs` and
 * the Duration part is capped there (Lambda's "Duration: 3003.35 ms  Billed Duration: 3000 ms"); Duration
 * itself is reported as measured.
 *
 * @example billedDurationMs(3003.35, 0, 3000) // 3000
 */
export function billedDurationMs(
  durationMs: number,
  initDurationMs = 0,
  timeoutMs = Number.POSITIVE_INFINITY,
): number {
  return Math.max(1, Math.ceil(Math.min(durationMs, timeoutMs) + initDurationMs - 1e-9));
}

/** What INIT_START names: where the runtime runs and which Node.js it is (e.g. "20.20.2"). */
export interface InitStart {
  region: string;
  functionName: string;
  version: string;
  nodeVersion: string;
}

export function initStartLine(logFormat: LogFormat, at: Date, init: InitStart): string {
  const [major, minor] = init.nodeVersion.split(".");
  const runtimeVersion = `nodejs:${major}.v${minor}`;
  const runtimeVersionArn = `arn:aws:lambda:${init.region}::runtime:powerbench-local-node${init.nodeVersion}`;
  if (logFormat === "JSON") {
    return JSON.stringify({
      time: at.toISOString(),
      type: "platform.initStart",
      record: {
        initializationType: "on-demand",
        phase: "init",
        runtimeVersion,
        runtimeVersionArn,
        functionName: init.functionName,
        functionVersion: init.version,
      },
    });
  }
  return `INIT_START Runtime Version: ${runtimeVersion}\tRuntime Version ARN: ${runtimeVersionArn}`;
}

export function startLine(logFormat: LogFormat, at: Date, requestId: string, version: string): string {
  if (logFormat === "JSON") {
    return JSON.stringify({ time: at.toISOString(), type: "platform.start", record: { requestId, version } });
  }
  return `START RequestId: ${requestId} Version: ${version}`;
}

/** The END line; JSON format has no record for it. */
export function endLine(logFormat: LogFormat, requestId: string): string | undefined {
  return logFormat === "JSON" ? undefined : `END RequestId: ${requestId}`;
}

export function reportLine(logFormat: LogFormat, at: Date, fields: ReportFields): string {
  if (logFormat === "JSON") {
    return JSON.stringify({
      time: at.toISOString(),
      type: "platform.report",
      record: {
        requestId: fields.requestId,
        metrics: {
          durationMs: round3(fields.durationMs),
          billedDurationMs: fields.billedDurationMs,
          memorySizeMB: fields.memorySizeMb,
          maxMemoryUsedMB: fields.maxMemoryUsedMb,
          ...(fields.initDurationMs === undefined ? {} : { initDurationMs: round3(fields.initDurationMs) }),
        },
        status: fields.status ?? "success",
        ...(fields.errorType ? { errorType: fields.errorType } : {}),
      },
    });
  }
  const parts = [
    `REPORT RequestId: ${fields.requestId}`,
    `Duration: ${fields.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${fields.billedDurationMs} ms`,
    `Memory Size: ${fields.memorySizeMb} MB`,
    `Max Memory Used: ${fields.maxMemoryUsedMb} MB`,
  ];
  if (fields.initDurationMs !== undefined)
    parts.push(`Init Duration: ${fields.initDurationMs.toFixed(2)} ms`);
  if (fields.status) parts.push(`Status: ${fields.status}`);
  if (fields.errorType) parts.push(`Error Type: ${fields.errorType}`);
  return `${parts.join("\t")}\t`;
}

/** `<ISO time> <requestId> Task timed out after 3.00 seconds` (space-separated, as Lambda writes it). */
export function timeoutLine(at: Date, requestId: string, elapsedMs: number): string {
  return `${at.toISOString()} ${requestId} Task timed out after ${(elapsedMs / 1000).toFixed(2)} seconds`;
}

/** A log stream name as Lambda builds it: `YYYY/MM/DD/[<version>]<32 hex>`. */
export function logStreamName(at: Date, version: string, environmentId: string): string {
  const day = at.toISOString().slice(0, 10).replaceAll("-", "/");
  return `${day}/[${version}]${environmentId}`;
}
