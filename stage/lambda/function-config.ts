/**
 * A function version's configuration: validation of CreateFunction / UpdateFunctionConfiguration input with
 * Lambda's error wording, and rendering as the API's FunctionConfiguration shape (as @aws-sdk/client-lambda
 * types it). Published versions keep a frozen copy; $LATEST gets a new one on every update.
 */
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { invalidParameter } from "./errors.ts";
import type { LogFormat } from "./platform-log.ts";

export interface VersionSettings {
  functionName: string;
  /** "$LATEST" or a published version number as text. */
  version: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  memoryMb: number;
  timeoutS: number;
  /** Environment.Variables; absent when the function has none. */
  variables?: Record<string, string>;
  logFormat: LogFormat;
  /** Log group; `/aws/lambda/<function>` unless LoggingConfig.LogGroup says otherwise. */
  logGroup: string;
  applicationLogLevel?: string;
  systemLogLevel?: string;
  architectures: string[];
  ephemeralStorageMb: number;
  /** Directory holding the handler module (Code.LocalPath). */
  codeDir: string;
  codeSha256: string;
  codeSize: number;
  revisionId: string;
  /** Lambda's format: 2026-11-27T02:18:12.000+0000 */
  lastModified: string;
}

/** Configuration defaults, as Lambda applies them on CreateFunction. */
export const CONFIG_DEFAULTS = {
  /** @default "nodejs22.x" */
  runtime: "nodejs22.x",
  /** @default 128 */
  memoryMb: 128,
  /** @default 3 */
  timeoutS: 3,
  /** @default ["x86_64"] */
  architectures: ["x86_64"],
  /** @default 512 */
  ephemeralStorageMb: 512,
} as const;

/** Keys Lambda sets itself and refuses in Environment.Variables. */
const RESERVED_VARIABLES = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);

export const lambdaTimestamp = (at: Date = new Date()) => at.toISOString().replace("Z", "+0000");

function validateRange(value: unknown, field: string, low: number, high: number, hint: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw invalidParameter(
      `1 validation error detected: Value '${String(value)}' at '${field}' must be an integer. ${hint}`,
    );
  }
  if (value < low || value > high) {
    const bound = value < low ? `greater than or equal to ${low}` : `less than or equal to ${high}`;
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have value ${bound}. ${hint}`,
    );
  }
  return value;
}

export const validateMemorySize = (value: unknown) =>
  validateRange(value, "memorySize", 128, 10240, "MemorySize is in MB, an integer from 128 to 10240.");
export const validateTimeout = (value: unknown) =>
  validateRange(value, "timeout", 1, 900, "Timeout is in seconds, an integer from 1 to 900.");

function validateVariables(input: unknown): Record<string, string> | undefined {
  if (input === undefined || input === null) return undefined;
  const variables = (input as { Variables?: unknown }).Variables;
  if (variables === undefined) return undefined;
  if (typeof variables !== "object" || variables === null) {
    throw invalidParameter(
      "Environment.Variables must be an object of string values, e.g. { TABLE_NAME: 'items' }.",
    );
  }
  const reserved = Object.keys(variables).filter((key) => RESERVED_VARIABLES.has(key));
  if (reserved.length > 0) {
    throw invalidParameter(
      "Lambda was unable to configure your environment variables because the environment variables you have " +
        `provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`,
    );
  }
  for (const [key, value] of Object.entries(variables)) {
    if (typeof value !== "string") {
      throw invalidParameter(
        `Environment variable ${key} must be a string; got ${typeof value}. Quote the value.`,
      );
    }
  }
  return { ...(variables as Record<string, string>) };
}

function validateArchitectures(value: unknown): string[] {
  if (!Array.isArray(value) || value.length !== 1 || (value[0] !== "x86_64" && value[0] !== "arm64")) {
    throw invalidParameter(
      `1 validation error detected: Value '${JSON.stringify(value)}' at 'architectures' failed to satisfy constraint: ` +
        'expected exactly one of x86_64 or arm64, e.g. ["arm64"].',
    );
  }
  return [value[0]];
}

/** Finds the module of `handler` ("index.handler" → index.mjs/.js/.cjs) in `codeDir` and hashes it. */
export function readCode(
  codeDir: unknown,
  handler: string,
): Pick<VersionSettings, "codeDir" | "codeSha256" | "codeSize"> {
  if (typeof codeDir !== "string" || codeDir.length === 0) {
    throw invalidParameter(
      "The local stage registers code from a directory: pass Code: { LocalPath: '<dir with index.mjs>' } " +
        "(ZipFile, S3 and image code are not supported locally).",
    );
  }
  const dir = path.resolve(codeDir);
  const moduleName = handler.slice(0, Math.max(0, handler.lastIndexOf(".")));
  const file = [".mjs", ".js", ".cjs"]
    .map((ext) => path.join(dir, moduleName + ext))
    .find((f) => existsSync(f));
  if (!moduleName || !file) {
    throw invalidParameter(
      `Code.LocalPath ${dir} has no module for handler '${handler}': expected ${moduleName || "<module>"}.mjs, .js or .cjs ` +
        "in that directory. Build the bundle first (npm run build) or fix Handler.",
    );
  }
  const bytes = readFileSync(file);
  return {
    codeDir: dir,
    codeSha256: createHash("sha256").update(bytes).digest("base64"),
    codeSize: bytes.length,
  };
}

/** Applies the configuration fields of CreateFunction / UpdateFunctionConfiguration input to `base`. */
export function applyConfiguration(base: VersionSettings, input: Record<string, unknown>): VersionSettings {
  const next: VersionSettings = { ...base, revisionId: randomUUID(), lastModified: lambdaTimestamp() };
  if (input["MemorySize"] !== undefined) next.memoryMb = validateMemorySize(input["MemorySize"]);
  if (input["Timeout"] !== undefined) next.timeoutS = validateTimeout(input["Timeout"]);
  if (input["Environment"] !== undefined) next.variables = validateVariables(input["Environment"]);
  if (typeof input["Description"] === "string") next.description = input["Description"];
  if (typeof input["Runtime"] === "string") {
    if (!input["Runtime"].startsWith("nodejs")) {
      throw invalidParameter(
        `Runtime ${input["Runtime"]} is not supported locally: use a nodejs runtime, e.g. nodejs22.x.`,
      );
    }
    next.runtime = input["Runtime"];
  }
  if (typeof input["Role"] === "string") next.role = input["Role"];
  if (typeof input["Handler"] === "string") next.handler = input["Handler"];
  if (input["Architectures"] !== undefined)
    next.architectures = validateArchitectures(input["Architectures"]);
  const storage = (input["EphemeralStorage"] as { Size?: unknown } | undefined)?.Size;
  if (storage !== undefined)
    next.ephemeralStorageMb = validateRange(storage, "ephemeralStorage.size", 512, 10240, "");
  const logging = input["LoggingConfig"] as Record<string, unknown> | undefined;
  if (logging) {
    const format = logging["LogFormat"];
    if (format !== undefined && format !== "Text" && format !== "JSON") {
      throw invalidParameter(`LoggingConfig.LogFormat must be Text or JSON; got ${String(format)}.`);
    }
    if (format) next.logFormat = format;
    if (typeof logging["LogGroup"] === "string") next.logGroup = logging["LogGroup"];
    if (typeof logging["ApplicationLogLevel"] === "string")
      next.applicationLogLevel = logging["ApplicationLogLevel"];
    if (typeof logging["SystemLogLevel"] === "string") next.systemLogLevel = logging["SystemLogLevel"];
    if (next.logFormat === "Text" && (next.applicationLogLevel || next.systemLogLevel)) {
      throw invalidParameter("ApplicationLogLevel and SystemLogLevel need LoggingConfig.LogFormat JSON.");
    }
  }
  return next;
}

/** What makes two versions the same for PublishVersion (which publishes nothing when nothing changed). */
export function fingerprint(s: VersionSettings): string {
  const { version: _v, revisionId: _r, lastModified: _l, description: _d, ...rest } = s;
  return JSON.stringify(rest);
}

export interface RenderState {
  functionArn: string;
  lastUpdateStatus: "Successful" | "InProgress";
}

/** The FunctionConfiguration shape of the Lambda API. */
export function renderConfiguration(s: VersionSettings, state: RenderState): Record<string, unknown> {
  return {
    FunctionName: s.functionName,
    FunctionArn: state.functionArn,
    Runtime: s.runtime,
    Role: s.role,
    Handler: s.handler,
    CodeSize: s.codeSize,
    Description: s.description,
    Timeout: s.timeoutS,
    MemorySize: s.memoryMb,
    LastModified: s.lastModified,
    CodeSha256: s.codeSha256,
    Version: s.version,
    ...(s.variables ? { Environment: { Variables: { ...s.variables } } } : {}),
    TracingConfig: { Mode: "PassThrough" },
    RevisionId: s.revisionId,
    State: "Active",
    LastUpdateStatus: state.lastUpdateStatus,
    ...(state.lastUpdateStatus === "InProgress"
      ? { LastUpdateStatusReason: "The function is being updated." }
      : {}),
    PackageType: "Zip",
    Architectures: [...s.architectures],
    EphemeralStorage: { Size: s.ephemeralStorageMb },
    SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
    LoggingConfig: {
      LogFormat: s.logFormat,
      LogGroup: s.logGroup,
      ...(s.applicationLogLevel ? { ApplicationLogLevel: s.applicationLogLevel } : {}),
      ...(s.systemLogLevel ? { SystemLogLevel: s.systemLogLevel } : {}),
    },
  };
}
