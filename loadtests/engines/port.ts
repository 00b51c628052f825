/**
 * The LoadEngine port: the built-in engine and the k6 adapter both take these options and return a RunResult,
 * so the tuner does not care which one ran. Types, and the engine names (the one list `--engine` takes in
 * every command and the bench config).
 */
import type { Profile, ProfileName, ProfileOverrides } from "../profiles.ts";
import type { RequestSequence } from "../request-sequence.ts";
import type { RunResult } from "../run-result.ts";
import type { EngineName } from "./names.ts";

/** The engines a run can ask for: `auto` runs k6 when a k6 binary is available, else the built-in engine. */
export const ENGINE_CHOICES = ["auto", "builtin", "k6"] as const;
export type EngineChoice = (typeof ENGINE_CHOICES)[number];

export interface LoadProgress {
  elapsedMs: number;
  requests: number;
  errors: number;
}

export interface LoadRunOptions {
  /** Base URL of the API, e.g. "http://127.0.0.1:3000/prod". */
  target: string;
  profile: ProfileName | Profile;
  /**
   * Seed of the workload's random choices; the same seed plans the same requests.
   * @default a fresh random seed, recorded in the result's `seed` (and printed by `npm run loadtest`)
   */
  seed?: number;
  /**
   * The request sequence to replay (common random numbers: every setting gets the same one). Request i goes
   * out at the schedule's i-th arrival; it needs at least as many requests as the schedule has arrivals.
   * @default built from `seed` with no preseeded items (loadtests/request-sequence.ts)
   */
  sequence?: RequestSequence;
  /** Ends the run early; the result is still valid, with `aborted: true`. */
  signal?: AbortSignal;
  /** Called about once a second. */
  onProgress?: (progress: LoadProgress) => void;
  /** Multiplies every stage's duration, e.g. 0.05 for a quick sweep in a test. */
  durationScale?: number;
  /** Overrides the profile's total duration. */
  durationMs?: number;
  /** Overrides the profile's peak arrival rate. */
  ratePerSec?: number;
  /** Overrides the profile's in-flight cap. */
  maxInFlight?: number;
  /** Further overrides (thresholds, workload). */
  overrides?: ProfileOverrides;
}

export interface LoadEngine {
  readonly name: EngineName;
  run(options: LoadRunOptions): Promise<RunResult>;
}

/** Folds the run options into profile overrides. */
export function overridesOf(options: LoadRunOptions): ProfileOverrides {
  const out: ProfileOverrides = { ...options.overrides };
  if (options.durationMs !== undefined) out.durationMs = options.durationMs;
  if (options.ratePerSec !== undefined) out.ratePerSec = options.ratePerSec;
  if (options.durationScale !== undefined) out.durationScale = options.durationScale;
  if (options.maxInFlight !== undefined) out.maxInFlight = options.maxInFlight;
  return out;
}
