/**
 * Planning the sweep (pure): which settings (architecture × memory size) to measure, in what order.
 * Memory is validated against Lambda's limits: 128–10,240 MB in 1 MB steps.
 */
import { InvalidSweepOptionError } from "../errors.ts";
import type { Architecture } from "../results/results-types.ts";

export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10_240;
export const ARCHITECTURES = ["x86_64", "arm64"] as const satisfies readonly Architecture[];

/** Default memory sizes of a sweep: power-tuning's usual list plus 1,769 MB (exactly one vCPU). */
export const DEFAULT_MEMORY_MB: readonly number[] = [128, 256, 512, 1024, 1536, 1769, 2048, 3008];

/** aws-lambda-power-tuning's `powerValues: "ALL"`: 128 to 3,008 MB in steps of 64 MB (46 sizes). */
export const POWER_TUNING_ALL_MB: readonly number[] = Array.from(
  { length: (3008 - 128) / 64 + 1 },
  (_, i) => 128 + 64 * i,
);

/** One point of the sweep. */
export interface Setting {
  /** e.g. "x86_64-512" */
  id: string;
  memoryMb: number;
  architecture: Architecture;
}

export function settingId(architecture: Architecture, memoryMb: number): string {
  return `${architecture}-${memoryMb}`;
}

/** Validates one memory size; throws naming the bad value. */
export function validateMemoryMb(value: unknown, option = "--memory"): number {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < LAMBDA_MIN_MEMORY_MB || n > LAMBDA_MAX_MEMORY_MB) {
    throw new InvalidSweepOptionError(
      option,
      value,
      `an integer from ${LAMBDA_MIN_MEMORY_MB} to ${LAMBDA_MAX_MEMORY_MB} MB (Lambda's memory range)`,
    );
  }
  return n;
}

/**
 * Parses a memory list as users write it: a comma list ("128,512,1024"), ranges with a step
 * ("128-1024:128"), or both ("128,256-1024:256,1769"). Sorted, duplicates removed.
 *
 * @example parseMemoryList("128,256-1024:256") // [128, 256, 512, 768, 1024]
 */
export function parseMemoryList(text: string, option = "--memory"): number[] {
  if (text.trim().toUpperCase() === "ALL") return [...POWER_TUNING_ALL_MB];
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (parts.length === 0) {
    throw new InvalidSweepOptionError(
      option,
      text,
      'a comma-separated list of sizes or ranges, e.g. "128,512,1024"',
    );
  }
  const sizes: number[] = [];
  for (const part of parts) {
    const range = /^(\d+)\s*-\s*(\d+)(?::(\d+))?$/.exec(part);
    if (!range) {
      sizes.push(validateMemoryMb(part, option));
      continue;
    }
    const from = validateMemoryMb(range[1], option);
    const to = validateMemoryMb(range[2], option);
    const step = range[3] === undefined ? 64 : Number(range[3]);
    if (to < from || !Number.isInteger(step) || step < 1) {
      throw new InvalidSweepOptionError(
        option,
        part,
        'a range "from-to:step" with from ≤ to and a step ≥ 1 MB',
      );
    }
    for (let mb = from; mb <= to; mb += step) sizes.push(mb);
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
}

/** Validates an architecture name; throws naming the bad value. */
export function validateArchitecture(value: unknown, option = "--arch"): Architecture {
  if (value === "x86_64" || value === "arm64") return value;
  throw new InvalidSweepOptionError(option, value, `one of ${ARCHITECTURES.join(", ")}`);
}

/**
 * Settings = architectures × memory sizes, grouped by architecture (an architecture change is the costlier
 * configuration update on AWS, so it happens once per architecture), memory ascending within each.
 */
export function planSettings(memoryMb: readonly number[], architectures: readonly Architecture[]): Setting[] {
  if (memoryMb.length === 0) throw new InvalidSweepOptionError("--memory", [], "at least one memory size");
  if (architectures.length === 0)
    throw new InvalidSweepOptionError("--arch", [], "at least one architecture");
  const sizes = [...new Set(memoryMb.map((m) => validateMemoryMb(m)))].sort((a, b) => a - b);
  const archs = [...new Set(architectures.map((a) => validateArchitecture(a)))];
  return archs.flatMap((architecture) =>
    sizes.map((mb) => ({ id: settingId(architecture, mb), memoryMb: mb, architecture })),
  );
}

/** The AWS requests a sweep sends per setting, for --dry-run. */
export function describeRequests(setting: Setting, functionName: string, alias: string): string[] {
  return [
    `lambda:UpdateFunctionConfiguration FunctionName=${functionName} MemorySize=${setting.memoryMb}`,
    "lambda:GetFunctionConfiguration (waiter, until LastUpdateStatus=Successful)",
    `lambda:PublishVersion FunctionName=${functionName}`,
    `lambda:UpdateAlias FunctionName=${functionName} Name=${alias} FunctionVersion=<new version>`,
    "cloudwatch:GetMetricData AWS/Lambda (Invocations, Errors, Throttles, ConcurrentExecutions, Duration) + AWS/ApiGateway",
    `logs:FilterLogEvents /aws/lambda/${functionName} (REPORT lines and request log lines)`,
  ];
}
