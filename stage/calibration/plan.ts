/**
 * What `npm run calibrate` runs: one reference function per workload of the published benchmarks, the
 * memory sizes, and how many cold starts and warm invocations per size. Pure data.
 */
import type { ReferenceId } from "./reference.ts";

/** ms samples per reference, per memory size. */
export type Samples = Partial<Record<ReferenceId, Record<number, number[]>>>;

/**
 * The emulator's measurements: each figure from the REPORT line, and beside it (same index) the time the
 * invocation's environment waited for the host's CPU beyond its quota (the stage's HostCpuWait metric; 0 for
 * Init Durations, which leave that wait out already).
 */
export interface Measurements {
  ms: Samples;
  hostWaitMs: Samples;
}

/** A reference function of stage/calibration/functions/ and the references its invocations measure. */
export interface CalibrationFunction {
  /** Function name on the stage. */
  name: string;
  handler: string;
  memorySizesMb: number[];
  /** The event of each invocation. */
  event: Record<string, unknown>;
  /** Cold starts per size: Init Duration and the first invocation's Duration. */
  coldStarts: number;
  /** Warm invocations per size, after the cold starts. */
  warmInvocations: number;
  /** Which figure each measurement compares with. */
  measures: { init?: ReferenceId; firstInvoke?: ReferenceId; warm?: ReferenceId };
  /** Needs the DynamoDB table. */
  usesTable?: boolean;
}

export interface CalibrationPlan {
  functions: CalibrationFunction[];
}

export const PUBLISHED_SIZES_MB = [128, 256, 512, 1024, 1769, 2048];

export const DEFAULTS = {
  /** @default 5 cold starts per size */
  coldStarts: 5,
  /** @default 5 warm invocations per size */
  warmInvocations: 5,
  /**
   * SHA-256 iterations per invocation. The published figures are for 500,000 (21 s at 128 MB); ratios to
   * 1,769 MB do not depend on the count once an invocation spans many CFS periods (20 ms).
   * @default 100_000 (about 0.1 s at 1,769 MB on a 2026 x86_64 core, 1.4 s at 128 MB)
   */
  sha256Iterations: 100_000,
  /** MB sorted per invocation (the published handler sorts 100 MB). @default 16 */
  sortSizeMb: 16,
} as const;

export interface PlanOptions {
  coldStarts?: number;
  warmInvocations?: number;
  sha256Iterations?: number;
  sortSizeMb?: number;
  /** Two sizes, one of each, a few iterations: proves the command works end to end (tests). */
  quick?: boolean;
}

/** The default plan, or the quick one. */
export function calibrationPlan(options: PlanOptions = {}): CalibrationPlan {
  const quick = options.quick === true;
  const coldStarts = options.coldStarts ?? (quick ? 1 : DEFAULTS.coldStarts);
  const warmInvocations = options.warmInvocations ?? (quick ? 1 : DEFAULTS.warmInvocations);
  const sizes = quick ? [128, 1769] : PUBLISHED_SIZES_MB;
  return {
    functions: [
      {
        name: "calibration-hello",
        handler: "hello.handler",
        memorySizesMb: sizes,
        event: {},
        coldStarts,
        warmInvocations: 0,
        measures: { init: "hello-init", firstInvoke: "hello-first-invoke" },
      },
      {
        name: "calibration-dynamodb",
        handler: "dynamodb.handler",
        memorySizesMb: sizes,
        event: {},
        coldStarts,
        warmInvocations,
        measures: { init: "dynamodb-init", firstInvoke: "dynamodb-first-invoke", warm: "dynamodb-warm" },
        usesTable: true,
      },
      {
        name: "calibration-sha256",
        handler: "sha256.handler",
        // 3,008 and 10,240 MB are not published for this workload: the emulator's figure shows its model.
        memorySizesMb: quick ? sizes : [...sizes, 3008, 10240],
        event: { iterations: options.sha256Iterations ?? (quick ? 200 : DEFAULTS.sha256Iterations) },
        coldStarts: 1,
        warmInvocations,
        measures: { warm: "cpu-sha256" },
      },
      {
        name: "calibration-sort",
        handler: "sort.handler",
        // Below 1,024 MB a sort takes seconds: the published curve is proportional there, like cpu-sha256.
        memorySizesMb: quick ? [1769] : [1024, 1769, 2048, 4096, 10240],
        event: { sizeMb: options.sortSizeMb ?? (quick ? 1 : DEFAULTS.sortSizeMb) },
        coldStarts: 1,
        warmInvocations,
        measures: { warm: "single-thread-sort" },
      },
    ],
  };
}
