/**
 * How an execution environment's process starts, as Lambda's Node.js runtime starts: the environment
 * variables Lambda sets (the function's own Environment.Variables plus the reserved ones, execution-role
 * credentials included) and the V8 heap flags its bootstrap derives from the memory size.
 */
import path from "node:path";
import type { LogFormat } from "./platform-log.ts";

/** What an environment's process is started with (part of environment.ts's EnvironmentSpec). */
export interface ProcessSpec {
  functionName: string;
  version: string;
  memoryMb: number;
  handler: string;
  codeDir: string;
  logFormat: LogFormat;
  /** LoggingConfig.ApplicationLogLevel (JSON format only). */
  applicationLogLevel?: string;
  logGroupName: string;
  region: string;
  /** The function's Environment.Variables. */
  variables: Record<string, string>;
  /** Credentials of the execution role, as Lambda puts them in the environment. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  runtimePath: string;
}

/** V8 heap sizes as Lambda's Node.js bootstrap derives them from the memory size. */
export function nodeMemoryArgs(memoryMb: number): string[] {
  const newSpaceMb = Math.floor(memoryMb / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpaceMb / 2)}`,
    `--max-old-space-size=${memoryMb - newSpaceMb}`,
  ];
}

/**
 * Variables that change how the environment's process itself starts (Node's flags and preloads, the dynamic
 * loader's) rather than what the function reads. Locally the process runs as the user who started the stage,
 * so a function's Environment cannot set them (`NODE_OPTIONS=--import=data:...` would run any code at start)
 * unless the stage is started with POWERBENCH_ALLOW_FUNCTION_ENV naming them (comma-separated).
 */
export const PROCESS_CONTROL_VARIABLES = [
  "NODE_OPTIONS",
  "NODE_PATH",
  "NODE_REPL_EXTERNAL_MODULE",
  "LD_PRELOAD",
  "LD_LIBRARY_PATH",
  "LD_AUDIT",
] as const;

/** The function's own variables, less the process-control ones the stage was not told to allow. */
export function honouredVariables(
  variables: Record<string, string>,
  allowed: string = process.env["POWERBENCH_ALLOW_FUNCTION_ENV"] ?? "",
): Record<string, string> {
  const allow = new Set(allowed.split(",").map((v) => v.trim()));
  const blocked = new Set<string>(PROCESS_CONTROL_VARIABLES.filter((v) => !allow.has(v)));
  return Object.fromEntries(Object.entries(variables).filter(([name]) => !blocked.has(name.toUpperCase())));
}

/** The process environment of one execution environment: nothing leaks in from the emulator's own. */
export function lambdaProcessEnv(spec: ProcessSpec, logStreamName: string): NodeJS.ProcessEnv {
  return {
    ...honouredVariables(spec.variables),
    PATH: process.env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
    LANG: "en_US.UTF-8",
    TZ: ":UTC",
    LAMBDA_TASK_ROOT: spec.codeDir,
    LAMBDA_RUNTIME_DIR: path.dirname(spec.runtimePath),
    _HANDLER: spec.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split(".")[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: spec.version,
    AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
    AWS_LAMBDA_LOG_GROUP_NAME: spec.logGroupName,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_LAMBDA_LOG_FORMAT: spec.logFormat,
    ...(spec.applicationLogLevel ? { AWS_LAMBDA_LOG_LEVEL: spec.applicationLogLevel } : {}),
    AWS_REGION: spec.region,
    AWS_DEFAULT_REGION: spec.region,
    AWS_ACCESS_KEY_ID: spec.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: spec.credentials.secretAccessKey,
    ...(spec.credentials.sessionToken ? { AWS_SESSION_TOKEN: spec.credentials.sessionToken } : {}),
  };
}
