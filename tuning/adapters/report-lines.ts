/**
 * Pure parsers of the log lines the tuner reads: Lambda platform REPORT lines (text and JSON log formats)
 * and the service's own JSON request log line (which carries the DynamoDB capacity it consumed).
 *
 * Every field is read as written and never derived from another: before 1 Aug 2025 Billed Duration did not
 * include Init Duration, after it does, and only the line itself knows which rule applied. A field that is
 * missing or unreadable is absent (undefined), never an error. Lines that are not reports return null.
 */

/** One invocation's platform report, as Lambda wrote it. Durations in ms, memory in MB. */
export interface LambdaReport {
  /** Which log format the line was in. */
  format: "text" | "json";
  requestId?: string;
  durationMs?: number;
  /** What Lambda billed for the invocation (INIT included when the line says so, e.g. since 1 Aug 2025). */
  billedDurationMs?: number;
  memorySizeMb?: number;
  maxMemoryUsedMb?: number;
  /** Present only on cold starts. */
  initDurationMs?: number;
  /** SnapStart only. */
  restoreDurationMs?: number;
  /** SnapStart only. */
  billedRestoreDurationMs?: number;
  /**
   * JSON: record.status ("success", "error", "timeout", ...); text: the `Status:` field Lambda appends to the
   * REPORT line of a failed invocation ("timeout", "error"). Absent on a successful text line.
   */
  status?: string;
  /** With status "error": JSON record.errorType or the text `Error Type:` field, e.g. "Runtime.OutOfMemory". */
  errorType?: string;
  /** JSON format only: the record's time as written (ISO 8601). */
  time?: string;
}

/** The service's request log line: one per API request, written by the handler. */
export interface RequestLogEntry {
  requestId?: string;
  route?: string;
  status?: number;
  durationMs?: number;
  /** DynamoDB read capacity units the request consumed (ReturnConsumedCapacity). */
  consumedRcu?: number;
  /** DynamoDB write capacity units the request consumed. */
  consumedWcu?: number;
}

type NumericReportField = Exclude<
  keyof LambdaReport,
  "format" | "requestId" | "status" | "errorType" | "time"
>;

/** Text field name → report property. Units are checked: "ms" for durations, "MB" for memory. */
const TEXT_FIELDS: Record<string, { key: NumericReportField; unit: "ms" | "MB" }> = {
  Duration: { key: "durationMs", unit: "ms" },
  "Billed Duration": { key: "billedDurationMs", unit: "ms" },
  "Memory Size": { key: "memorySizeMb", unit: "MB" },
  "Max Memory Used": { key: "maxMemoryUsedMb", unit: "MB" },
  "Init Duration": { key: "initDurationMs", unit: "ms" },
  "Restore Duration": { key: "restoreDurationMs", unit: "ms" },
  "Billed Restore Duration": { key: "billedRestoreDurationMs", unit: "ms" },
};

/** JSON record.metrics name → report property. */
const JSON_METRICS: Record<string, NumericReportField> = {
  durationMs: "durationMs",
  billedDurationMs: "billedDurationMs",
  memorySizeMB: "memorySizeMb",
  maxMemoryUsedMB: "maxMemoryUsedMb",
  initDurationMs: "initDurationMs",
  restoreDurationMs: "restoreDurationMs",
  billedRestoreDurationMs: "billedRestoreDurationMs",
};

const TEXT_PREFIX = /^\s*REPORT RequestId:\s*/;
/**
 * Fields are tab-separated as Lambda writes them. Some consoles and copy-pastes turn tabs into spaces, so
 * also split after a value's unit (" ms" / " MB") and after the request id.
 */
const FIELD_SEPARATOR = /\t+|(?<=\d (?:ms|MB)) +|(?<=^REPORT RequestId: ?\S+) +|(?<=Status: ?\w+) +/;
const FIELD = /^([A-Za-z][A-Za-z ]*?):\s*(-?\d+(?:\.\d+)?)\s*(ms|MB)?\s*$/;
/** The word fields of a failed invocation's text REPORT line: `Status: timeout`, `Error Type: Runtime.X`. */
const WORD_FIELD = /^(Status|Error Type):\s*([A-Za-z][\w.]*)\s*$/;

function finiteNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function parseTextReport(line: string): LambdaReport {
  const report: LambdaReport = { format: "text" };
  const parts = line.trim().split(FIELD_SEPARATOR);
  const head = parts.shift() ?? "";
  const requestId = head.replace(TEXT_PREFIX, "").trim();
  if (requestId.length > 0) report.requestId = requestId;
  for (const part of parts) {
    const word = WORD_FIELD.exec(part.trim());
    if (word) {
      if (word[1] === "Status") report.status = word[2];
      else report.errorType = word[2];
      continue;
    }
    const match = FIELD.exec(part.trim());
    if (!match) continue;
    const [, name = "", digits = "", unit] = match;
    const field = TEXT_FIELDS[name];
    // A field with an unexpected unit is not the field we know: leave it absent rather than misread it.
    if (!field || (unit !== undefined && unit !== field.unit)) continue;
    const value = finiteNumber(Number(digits));
    if (value !== undefined) report[field.key] = value;
  }
  return report;
}

function parseJsonReport(entry: Record<string, unknown>): LambdaReport | null {
  if (entry["type"] !== "platform.report") return null;
  const report: LambdaReport = { format: "json" };
  const time = nonEmptyString(entry["time"]);
  if (time !== undefined) report.time = time;
  const record = isRecord(entry["record"]) ? entry["record"] : {};
  const requestId = nonEmptyString(record["requestId"]);
  if (requestId !== undefined) report.requestId = requestId;
  const status = nonEmptyString(record["status"]);
  if (status !== undefined) report.status = status;
  const errorType = nonEmptyString(record["errorType"]);
  if (errorType !== undefined) report.errorType = errorType;
  const metrics = isRecord(record["metrics"]) ? record["metrics"] : {};
  for (const [name, key] of Object.entries(JSON_METRICS)) {
    const value = finiteNumber(metrics[name]);
    if (value !== undefined) report[key] = value;
  }
  return report;
}

/**
 * Parse one Lambda log line. Returns the report for a text `REPORT RequestId: …` line or a JSON
 * `platform.report` record, and null for anything else (START, END, XRAY, application logs, blank lines).
 *
 * @example
 * parseReportLine("REPORT RequestId: abc\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 512 MB\tMax Memory Used: 78 MB\t")
 * // → { format: "text", requestId: "abc", durationMs: 12.34, billedDurationMs: 13, memorySizeMb: 512, maxMemoryUsedMb: 78 }
 */
export function parseReportLine(line: string): LambdaReport | null {
  if (TEXT_PREFIX.test(line)) return parseTextReport(line);
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return null;
  const entry = parseJsonObject(trimmed);
  return entry ? parseJsonReport(entry) : null;
}

/** Parse many lines (a text blob such as a LogType Tail, or an array of log event messages); keeps reports only. */
export function parseReportLines(input: string | readonly string[]): LambdaReport[] {
  const lines =
    typeof input === "string" ? input.split(/\r?\n/) : input.flatMap((line) => line.split(/\r?\n/));
  const reports: LambdaReport[] = [];
  for (const line of lines) {
    const report = parseReportLine(line);
    if (report) reports.push(report);
  }
  return reports;
}

/**
 * Parse the service's request log line
 * `{"level":"info","msg":"request","requestId","route","status","durationMs","consumedRcu","consumedWcu"}`.
 * Accepts the JSON alone or after a prefix (Node's text log format writes `time\trequestId\tINFO\t{…}`).
 * Returns null for any other line.
 */
export function parseRequestLogLine(line: string): RequestLogEntry | null {
  const start = line.indexOf("{");
  if (start < 0) return null;
  const entry = parseJsonObject(line.slice(start).trim());
  // Lambda's JSON log format wraps console output as {"message": "..."}; accept that too.
  const inner = entry && typeof entry["message"] === "string" ? parseJsonObject(entry["message"]) : null;
  const candidate = entry?.["msg"] === "request" ? entry : inner?.["msg"] === "request" ? inner : null;
  if (!candidate) return null;
  const result: RequestLogEntry = {};
  const requestId = nonEmptyString(candidate["requestId"]);
  if (requestId !== undefined) result.requestId = requestId;
  const route = nonEmptyString(candidate["route"]);
  if (route !== undefined) result.route = route;
  for (const key of ["status", "durationMs", "consumedRcu", "consumedWcu"] as const) {
    const value = finiteNumber(candidate[key]);
    if (value !== undefined) result[key] = value;
  }
  return result;
}

/** Parse many lines; keeps request log entries only. */
export function parseRequestLogLines(input: string | readonly string[]): RequestLogEntry[] {
  const lines =
    typeof input === "string" ? input.split(/\r?\n/) : input.flatMap((line) => line.split(/\r?\n/));
  const entries: RequestLogEntry[] = [];
  for (const line of lines) {
    const entry = parseRequestLogLine(line);
    if (entry) entries.push(entry);
  }
  return entries;
}
