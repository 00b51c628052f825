/**
 * The wall time of a sweep, estimated before it starts (pure): shown by `--dry-run` and by the confirmation a
 * large sweep asks for. The per-setting overheads are what the default run measured on the 2-core development
 * machine (README: 8 settings × (1 s warm-up + 6 s load + gate) in about 1.5 minutes ⇒ ≈ 4 s per setting beyond
 * the load, plus ≈ 6 s to build and start the local stage); on AWS, configuring waits for the function update
 * and collecting waits out CloudWatch's ingestion delay (docs/aws.md), about a minute per setting.
 */
import { formatDuration } from "../../reports/format.ts";

export interface SweepEstimateInput {
  settings: number;
  stage: "local" | "aws";
  mode: "api" | "direct";
  /** Measured load per setting, s (the profile's length with the overrides). */
  loadS: number;
  warmupS: number;
  /** Rounds per setting (each with its own warm-up; the measured load is split, not repeated). @default 1 */
  rounds?: number;
  gate: boolean;
  /** Direct mode: invocations per setting, in flight at once, and the pause between them. */
  direct?: { invocations: number; parallelism: number; sleepBetweenMs: number };
}

export interface SweepEstimate {
  totalS: number;
  perSettingS: number;
  /** How the figure was made, in words. */
  basis: string;
}

/** Overheads in seconds. @default local: 4 s per setting, 6 s start; aws: 60 s per setting, 0 s start */
export const ESTIMATE_OVERHEADS = {
  local: { perSettingS: 4, startS: 6 },
  aws: { perSettingS: 60, startS: 0 },
  /** Newman's collection through the API, per setting. */
  gateS: 2,
  /** Direct mode: one invocation, s (a small function; the sweep's own figure replaces it). */
  directInvocationS: 0.1,
} as const;

/** Above these a sweep asks for confirmation on a terminal and needs --yes otherwise. */
export const LARGE_SWEEP = {
  /** @default 24 */
  settings: 24,
  /** @default 1200 (20 minutes) */
  wallTimeS: 1200,
} as const;

export function estimateSweep(input: SweepEstimateInput): SweepEstimate {
  const overhead = ESTIMATE_OVERHEADS[input.stage];
  const loadS =
    input.mode === "direct" && input.direct
      ? Math.ceil(input.direct.invocations / Math.max(1, input.direct.parallelism)) *
        (ESTIMATE_OVERHEADS.directInvocationS + input.direct.sleepBetweenMs / 1000)
      : input.loadS + input.warmupS * (input.rounds ?? 1);
  const gateS = input.gate && input.mode === "api" ? ESTIMATE_OVERHEADS.gateS : 0;
  const perSettingS = loadS + gateS + overhead.perSettingS;
  return {
    totalS: Math.round(overhead.startS + input.settings * perSettingS),
    perSettingS,
    basis: `${input.settings} setting(s) × ${formatDuration(perSettingS)} (load, gate and ${input.stage} overhead)${
      overhead.startS ? ` + ${overhead.startS} s to start the stage` : ""
    }`,
  };
}

/** A sweep needs a confirmation when it has more settings, or takes longer, than LARGE_SWEEP. */
export function isLargeSweep(settings: number, estimate: SweepEstimate): boolean {
  return settings > LARGE_SWEEP.settings || estimate.totalS > LARGE_SWEEP.wallTimeS;
}
