/**
 * What one invocation leaves behind, as Lambda words it: the log events of the invocation (platform lines
 * around the function's own output, in order) and the outcome the caller gets (payload, function error). The
 * environment reports a raw result; this turns it into Lambda's error payloads and log lines.
 */
import type { InvokeOutcome, LogEvent } from "../contracts.ts";
import type { CapturedLine, InitResult, InvocationResult } from "./environment.ts";
import { timeoutLine } from "./platform-log.ts";

/** Synchronous invocation payload limit, request and response (6 MB). */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export type FunctionOutcome = Extract<InvokeOutcome, { status: "ok" | "function-error" }>;

/** The log events of one invocation, in the order Lambda writes them. */
export class InvocationLog {
  readonly events: LogEvent[] = [];

  add(message: string, timestampMs: number = Date.now()): void {
    this.events.push({ timestampMs, message });
  }

  addCaptured(lines: CapturedLine[]): void {
    for (const line of lines) this.events.push({ timestampMs: line.timestampMs, message: line.message });
  }

  /** The last `maxBytes` of the invocation's log text (LogType: Tail). */
  tail(maxBytes: number): string {
    const text = `${this.events.map((e) => e.message).join("\n")}\n`;
    const bytes = Buffer.from(text, "utf8");
    return bytes.length <= maxBytes ? text : bytes.subarray(bytes.length - maxBytes).toString("utf8");
  }
}

/** INIT failed: the invocation fails with the init error, as on Lambda, after an INIT_REPORT line. */
export function initFailure(init: Extract<InitResult, { ok: false }>, log: InvocationLog): InvocationResult {
  log.add(
    `INIT_REPORT Init Duration: ${init.initDurationMs.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${init.errorType}`,
  );
  return {
    kind: "done",
    ok: false,
    payload: JSON.stringify({
      errorType: init.errorType,
      errorMessage: init.errorMessage,
      trace: init.trace,
    }),
    durationMs: 0,
    maxMemoryUsedMb: 0,
    lines: [],
  };
}

function functionError(
  base: { requestId: string; executedVersion: string },
  payload: object,
): FunctionOutcome {
  return { ...base, status: "function-error", functionError: "Unhandled", payload: JSON.stringify(payload) };
}

/** The caller's outcome of a raw result; writes the platform's error lines (timeout, crash) to `log`. */
export function toOutcome(
  requestId: string,
  executedVersion: string,
  timeoutS: number,
  result: InvocationResult,
  log: InvocationLog,
): FunctionOutcome {
  const base = { requestId, executedVersion };
  if (result.kind === "done") {
    if (result.ok && Buffer.byteLength(result.payload) > MAX_PAYLOAD_BYTES) {
      const errorMessage = `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`;
      log.add(`${new Date().toISOString()}\t${requestId}\tERROR\t${errorMessage}`);
      return functionError(base, { errorType: "Function.ResponseSizeTooLarge", errorMessage });
    }
    return result.ok
      ? { ...base, status: "ok", payload: result.payload }
      : { ...base, status: "function-error", functionError: "Unhandled", payload: result.payload };
  }
  if (result.kind === "timeout") {
    log.add(timeoutLine(new Date(), requestId, result.durationMs));
    const errorMessage = `RequestId: ${requestId} Error: Task timed out after ${timeoutS.toFixed(2)} seconds`;
    return functionError(base, { errorType: "Sandbox.Timedout", errorMessage });
  }
  const errorMessage = `RequestId: ${requestId} Error: Runtime exited with error: ${result.exitText}`;
  log.add(`${errorMessage}\n${result.errorType}`);
  return functionError(base, { errorType: result.errorType, errorMessage });
}
