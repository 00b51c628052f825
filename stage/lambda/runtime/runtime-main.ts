/**
 * The runtime inside one execution environment: a child process of the emulator, like Lambda's Node.js
 * runtime inside a sandbox. It imports the handler module once when told to (INIT), then serves
 * invocations one at a time over the IPC channel. Console output is formatted as Lambda formats it
 * (text: `<ISO>\t<requestId>\tINFO\t<message>`, or JSON records) and sent to the parent in order with the
 * results, so every line lands in the right invocation. Bundled by esbuild (see runtime-bundle.ts).
 */
import { existsSync, openSync, readSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import type { FromRuntime, ToRuntime } from "./protocol.ts";

type Handler = (event: unknown, context: unknown, callback?: unknown) => unknown;

const env = process.env;
const jsonLogs = env["AWS_LAMBDA_LOG_FORMAT"] === "JSON";
// In the JSON format Lambda drops application logs below ApplicationLogLevel (INFO unless configured).
const LEVELS = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
const minimumLevel = jsonLogs ? Math.max(0, LEVELS.indexOf(env["AWS_LAMBDA_LOG_LEVEL"] ?? "INFO")) : 0;
let handler: Handler | undefined;
let currentRequestId: string | undefined;

function send(message: FromRuntime): void {
  process.send?.(message);
}

/**
 * Log lines wait for the end of the event loop's turn and go in one message, or inside the invocation's
 * "done": each IPC message is a write that wakes the emulator, and a CRUD request logs a line right before it
 * returns, so a message per line doubled the messages per invocation.
 */
let queuedLines: Array<{ atMs: number; line: string }> = [];
let queuedChars = 0;
let flushScheduled = false;
/**
 * Past this many characters, queued lines go at once, on their own: a big line (an echoed 5 MB event) must
 * not ride in the same message as a big result, which would double the peak memory of the IPC write.
 */
const MAX_QUEUED_CHARS = 64 * 1024;

function queueLine(line: string): void {
  queuedLines.push({ atMs: Date.now(), line });
  queuedChars += line.length;
  if (queuedChars > MAX_QUEUED_CHARS) {
    flushLines();
    return;
  }
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushLines);
  }
}

function flushLines(): void {
  flushScheduled = false;
  if (queuedLines.length === 0) return;
  const lines = queuedLines;
  queuedLines = [];
  queuedChars = 0;
  send({ t: "logs", lines });
}

/** The queued lines, taken for a "done" message. */
function takeLines(): Array<{ atMs: number; line: string }> {
  const lines = queuedLines;
  queuedLines = [];
  queuedChars = 0;
  return lines;
}

function emit(level: string, message: string): void {
  if (LEVELS.indexOf(level) < minimumLevel) return;
  const timestamp = new Date().toISOString();
  const line = jsonLogs
    ? JSON.stringify({ timestamp, level, requestId: currentRequestId, message })
    : `${timestamp}\t${currentRequestId ?? "undefined"}\t${level}\t${message}`;
  queueLine(line);
}

// Lambda's Node.js runtime patches the global console the same way.
const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
for (const [method, level] of Object.entries(levels)) {
  (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) =>
    emit(level, format(...args));
}

/** Raw writes to stdout/stderr (e.g. a JSON logger with its own Console) pass through line by line, as is. */
function captureRaw(stream: NodeJS.WriteStream): () => void {
  let pending = "";
  const write = (chunk: unknown, encoding?: unknown, callback?: unknown): boolean => {
    const text =
      typeof chunk === "string"
        ? chunk
        : Buffer.from(chunk as Uint8Array).toString(
            typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8",
          );
    pending += text;
    let newline = pending.indexOf("\n");
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.length > 0) queueLine(line);
      newline = pending.indexOf("\n");
    }
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") done();
    return true;
  };
  stream.write = write as typeof stream.write;
  return () => {
    if (pending.length > 0) queueLine(pending);
    pending = "";
  };
}
const flushStdout = captureRaw(process.stdout);
const flushStderr = captureRaw(process.stderr);

interface ErrorPayload {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

function toErrorPayload(error: unknown, fallbackType = "Error"): ErrorPayload {
  if (error instanceof Error) {
    return {
      errorType: error.name || fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? "").split("\n").filter((l) => l.length > 0),
    };
  }
  return {
    errorType: typeof error === "string" ? "string" : fallbackType,
    errorMessage: String(error),
    trace: [],
  };
}

function logError(kind: string, payload: ErrorPayload): void {
  const { errorType, errorMessage, trace } = payload;
  if (jsonLogs) {
    const timestamp = new Date().toISOString();
    const record = {
      timestamp,
      level: "ERROR",
      requestId: currentRequestId,
      message: kind,
      errorType,
      errorMessage,
    };
    queueLine(JSON.stringify({ ...record, stackTrace: trace }));
    return;
  }
  emit("ERROR", `${kind} \t${JSON.stringify({ errorType, errorMessage, stack: trace })}`);
}

class RuntimeError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

async function loadHandler(): Promise<Handler> {
  const taskRoot = env["LAMBDA_TASK_ROOT"] ?? process.cwd();
  const spec = env["_HANDLER"] ?? "index.handler";
  const dot = spec.lastIndexOf(".");
  if (dot <= 0)
    throw new RuntimeError("Runtime.MalformedHandlerName", `Bad handler ${spec}: expected <module>.<export>`);
  const moduleName = spec.slice(0, dot);
  const exportName = spec.slice(dot + 1);
  const file = [".mjs", ".js", ".cjs"]
    .map((ext) => path.resolve(taskRoot, moduleName + ext))
    .find((candidate) => existsSync(candidate));
  if (!file) {
    throw new RuntimeError(
      "Runtime.ImportModuleError",
      `Error: Cannot find module '${moduleName}' in ${taskRoot} (tried .mjs, .js, .cjs)`,
    );
  }
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fromDefault = (mod["default"] as Record<string, unknown> | undefined)?.[exportName];
  const found = mod[exportName] ?? fromDefault;
  if (typeof found !== "function") {
    throw new RuntimeError("Runtime.HandlerNotFound", `${spec} is undefined or not exported`);
  }
  return found as Handler;
}

/** Epoch ms on this process's high-resolution clock (comparable with the parent's). */
const epochNowMs = () => performance.timeOrigin + performance.now();
/** When "ready" was sent: the wait for "init" after it is the parent's latency, left out of Init Duration. */
let readySentAtMs = 0;

/** The main thread's run-queue wait when "ready" was sent (ms): part of INIT's wait for the host's CPU. */
let readyRunQueueWaitMs: number | undefined;

/**
 * The main thread's run-queue wait during INIT: up to "ready", and from "init" to now. The span between is
 * left out of Init Duration already (waitedMs), wake-up included.
 */
function initRunQueueWaitMs(initStartWaitMs: number | undefined): number | undefined {
  const now = schedStat()?.waitMs;
  if (readyRunQueueWaitMs === undefined || initStartWaitMs === undefined || now === undefined)
    return undefined;
  return readyRunQueueWaitMs + (now - initStartWaitMs);
}

/** Loads the handler (the function's init). Init Duration is computed by the parent, from the spawn. */
async function init(): Promise<void> {
  const initStartWaitMs = schedStat()?.waitMs;
  const waitedMs = Math.max(0, epochNowMs() - readySentAtMs);
  try {
    handler = await loadHandler();
    flushStdout();
    flushStderr();
    flushLines();
    const runQueueWaitMs = initRunQueueWaitMs(initStartWaitMs);
    send({
      t: "init-ok",
      atEpochMs: epochNowMs(),
      waitedMs,
      ...(runQueueWaitMs !== undefined ? { runQueueWaitMs } : {}),
    });
  } catch (error) {
    const payload = toErrorPayload(error, "Runtime.ImportModuleError");
    logError("Uncaught Exception", payload);
    flushStdout();
    flushStderr();
    flushLines();
    const runQueueWaitMs = initRunQueueWaitMs(initStartWaitMs);
    send({
      t: "init-error",
      atEpochMs: epochNowMs(),
      waitedMs,
      ...(runQueueWaitMs !== undefined ? { runQueueWaitMs } : {}),
      ...payload,
    });
  }
}

function callHandler(fn: Handler, event: unknown, context: unknown): Promise<unknown> {
  if (fn.length < 3) return Promise.resolve().then(() => fn(event, context));
  // Callback-style handler (event, context, callback).
  return new Promise((resolve, reject) => {
    const result = fn(event, context, (error: unknown, value: unknown) =>
      error ? reject(error) : resolve(value),
    );
    if (result && typeof (result as Promise<unknown>).then === "function") {
      (result as Promise<unknown>).then(resolve, reject);
    }
  });
}

/**
 * /proc/self/schedstat, opened once: it is read twice per invocation, and a pread on an open descriptor costs
 * about a tenth of readFileSync's open/read/close (measured ~1 µs vs ~10 µs here). -1 where it cannot be
 * opened (not Linux, or no schedstats).
 */
const schedStatFd = (() => {
  try {
    return openSync("/proc/self/schedstat", "r");
  } catch {
    return -1;
  }
})();
const schedStatBuffer = Buffer.alloc(128);

/** The main thread's time on a CPU and on the run queue so far (ms), from the kernel's scheduler statistics. */
function schedStat(): { onCpuMs: number; waitMs: number } | undefined {
  if (schedStatFd < 0) return undefined;
  try {
    // The file is generated anew on each read from offset 0.
    const bytes = readSync(schedStatFd, schedStatBuffer, 0, schedStatBuffer.length, 0);
    const [onCpuNs, waitNs] = schedStatBuffer.toString("latin1", 0, bytes).split(" ");
    const onCpuMs = Number(onCpuNs) / 1e6;
    const waitMs = Number(waitNs) / 1e6;
    return Number.isFinite(onCpuMs) && Number.isFinite(waitMs) ? { onCpuMs, waitMs } : undefined;
  } catch {
    return undefined;
  }
}

function finish(id: string, started: number, ok: boolean, payload: string, fatal?: boolean): void {
  const durationMs = performance.now() - started;
  const before = active?.schedBefore;
  const after = before ? schedStat() : undefined;
  flushStdout();
  flushStderr();
  const lines = takeLines();
  send({
    t: "done",
    id,
    ok,
    payload,
    durationMs,
    ...(lines.length > 0 ? { lines } : {}),
    maxRssKb: process.resourceUsage().maxRSS,
    ...(before && after
      ? { runQueueWaitMs: after.waitMs - before.waitMs, onCpuMs: after.onCpuMs - before.onCpuMs }
      : {}),
    ...(fatal ? { fatal } : {}),
  });
  currentRequestId = undefined;
}

let active:
  | { id: string; started: number; schedBefore: { onCpuMs: number; waitMs: number } | undefined }
  | undefined;

async function invoke(message: Extract<ToRuntime, { t: "invoke" }>): Promise<void> {
  const schedBefore = message.measureWait ? schedStat() : undefined;
  const started = performance.now();
  currentRequestId = message.id;
  active = { id: message.id, started, schedBefore };
  const context = {
    awsRequestId: message.id,
    functionName: env["AWS_LAMBDA_FUNCTION_NAME"],
    functionVersion: env["AWS_LAMBDA_FUNCTION_VERSION"],
    invokedFunctionArn: message.arn,
    memoryLimitInMB: env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"],
    logGroupName: env["AWS_LAMBDA_LOG_GROUP_NAME"],
    logStreamName: env["AWS_LAMBDA_LOG_STREAM_NAME"],
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
  let ok = true;
  let payload: string;
  try {
    if (!handler) throw new RuntimeError("Runtime.HandlerNotFound", "the handler was not initialised");
    const result = await callHandler(handler, JSON.parse(message.payload), context);
    payload = JSON.stringify(result) ?? "null";
  } catch (error) {
    ok = false;
    const errorPayload = toErrorPayload(error);
    logError("Invoke Error", errorPayload);
    payload = JSON.stringify(errorPayload);
  }
  finish(message.id, started, ok, payload);
  active = undefined;
}

function onFatal(kind: string, error: unknown): void {
  const errorPayload = toErrorPayload(error);
  logError(kind, errorPayload);
  if (active) {
    const { id, started } = active;
    finish(id, started, false, JSON.stringify(errorPayload), true);
    active = undefined;
  } else {
    flushStdout();
    flushStderr();
    flushLines();
  }
  // Lambda restarts the runtime after an uncaught error; the parent discards this environment.
  setImmediate(() => process.exit(129));
}
process.on("uncaughtException", (error) => onFatal("Uncaught Exception", error));
// Lambda's Node.js runtime reports an unhandled rejection under its own error type.
process.on("unhandledRejection", (reason) => {
  const text = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  const error = new RuntimeError("Runtime.UnhandledPromiseRejection", text);
  if (reason instanceof Error && reason.stack) error.stack = reason.stack;
  onFatal("Unhandled Promise Rejection", error);
});

process.on("message", (message: ToRuntime) => {
  if (message.t === "invoke") void invoke(message);
  else if (message.t === "init") void init();
});
// The parent went away: an environment never outlives its emulator.
process.on("disconnect", () => process.exit(0));
readyRunQueueWaitMs = schedStat()?.waitMs;
readySentAtMs = epochNowMs();
send({ t: "ready" });
