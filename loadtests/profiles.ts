/**
 * Load profiles: how many iterations start per second over time, how many may be in flight, and the
 * thresholds that decide pass/fail. Each iteration is one request of the workload. Pure: the built-in engine
 * and the k6 scenarios read the same table.
 */
import { ConfigError } from "./errors.ts";
import type { WorkloadInput } from "./workload/config.ts";

export const PROFILE_NAMES = ["smoke", "baseline", "ramp", "spike", "soak"] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** A stage ramps the arrival rate linearly from the previous stage's end rate to `targetRatePerSec`. */
export interface ProfileStage {
  durationMs: number;
  targetRatePerSec: number;
}

export interface Thresholds {
  /** Fail when the share of errors (unexpected statuses, transport errors) reaches this. */
  errorRateBelow: number;
  /** Fail when the overall client-side p95 latency reaches this. */
  p95MsBelow?: number;
  /** Fail when the overall client-side p99 latency reaches this. */
  p99MsBelow?: number;
}

export interface Profile {
  name: string;
  description: string;
  /** k6 executor the profile maps to; the built-in engine follows the same arrival schedule. */
  executor: "constant-arrival-rate" | "ramping-arrival-rate";
  /** Arrival rate at t = 0. */
  startRatePerSec: number;
  stages: ProfileStage[];
  /** Cap on iterations in flight; an iteration due while the cap is reached is dropped (k6: maxVUs). */
  maxInFlight: number;
  thresholds: Thresholds;
  /** Per-request timeout. @default 10000 */
  requestTimeoutMs: number;
  /** How long in-flight requests may finish after the last start (k6: gracefulStop). @default 5000 */
  gracefulStopMs: number;
  workload?: WorkloadInput;
}

const S = 1000;
const common = { requestTimeoutMs: 10 * S, gracefulStopMs: 5 * S };
const constant = (
  ratePerSec: number,
  durationMs: number,
): Pick<Profile, "executor" | "startRatePerSec" | "stages"> => ({
  executor: "constant-arrival-rate",
  startRatePerSec: ratePerSec,
  stages: [{ durationMs, targetRatePerSec: ratePerSec }],
});

/** The built-in profiles. Override rate and duration per run with resolveProfile. */
export const PROFILES = {
  smoke: {
    name: "smoke",
    description: "a few requests per second for 10 s: does every operation work at all",
    ...constant(5, 10 * S),
    maxInFlight: 20,
    thresholds: { errorRateBelow: 0.01, p95MsBelow: 1000, p99MsBelow: 2000 },
    ...common,
  },
  baseline: {
    name: "baseline",
    description:
      "constant arrival rate of 50/s for 60 s: the steady state each memory setting is compared at",
    ...constant(50, 60 * S),
    maxInFlight: 200,
    thresholds: { errorRateBelow: 0.01, p95MsBelow: 500, p99MsBelow: 1000 },
    ...common,
  },
  ramp: {
    name: "ramp",
    description: "ramping arrival rate 0 → 100/s over 30 s, held 60 s, down over 10 s",
    executor: "ramping-arrival-rate",
    startRatePerSec: 0,
    stages: [
      { durationMs: 30 * S, targetRatePerSec: 100 },
      { durationMs: 60 * S, targetRatePerSec: 100 },
      { durationMs: 10 * S, targetRatePerSec: 0 },
    ],
    maxInFlight: 300,
    thresholds: { errorRateBelow: 0.01, p95MsBelow: 800, p99MsBelow: 1500 },
    ...common,
  },
  spike: {
    name: "spike",
    description: "20/s, a sudden spike to 200/s for 20 s, back to 20/s: cold starts and throttling",
    executor: "ramping-arrival-rate",
    startRatePerSec: 20,
    stages: [
      { durationMs: 20 * S, targetRatePerSec: 20 },
      { durationMs: 5 * S, targetRatePerSec: 200 },
      { durationMs: 20 * S, targetRatePerSec: 200 },
      { durationMs: 5 * S, targetRatePerSec: 20 },
      { durationMs: 20 * S, targetRatePerSec: 20 },
    ],
    maxInFlight: 500,
    thresholds: { errorRateBelow: 0.05, p95MsBelow: 2000, p99MsBelow: 4000 },
    ...common,
  },
  soak: {
    name: "soak",
    description: "constant 30/s for 30 min: leaks, drift, table growth",
    ...constant(30, 30 * 60 * S),
    maxInFlight: 200,
    thresholds: { errorRateBelow: 0.01, p95MsBelow: 500, p99MsBelow: 1000 },
    ...common,
  },
} as const satisfies Record<ProfileName, Profile>;

/** Per-run overrides, e.g. from flags or the tuner's short sweeps. */
export interface ProfileOverrides {
  /** New peak rate: every stage's rate is scaled so the highest one equals this. */
  ratePerSec?: number;
  /** New total duration: every stage is scaled in proportion. */
  durationMs?: number;
  /** Multiplies every stage's duration (after durationMs), e.g. 0.1 for a tenth of the run. */
  durationScale?: number;
  maxInFlight?: number;
  thresholds?: Partial<Thresholds>;
  workload?: WorkloadInput;
}

/** The peak arrival rate of a profile. */
export function peakRatePerSec(profile: Profile): number {
  return Math.max(profile.startRatePerSec, ...profile.stages.map((s) => s.targetRatePerSec));
}

export function totalDurationMs(profile: Profile): number {
  return profile.stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/** Expected number of iterations: the integral of the rate over the stages (trapezoids). */
export function expectedIterations(profile: Profile): number {
  let rate = profile.startRatePerSec;
  let total = 0;
  for (const stage of profile.stages) {
    total += ((rate + stage.targetRatePerSec) / 2) * (stage.durationMs / 1000);
    rate = stage.targetRatePerSec;
  }
  return total;
}

function checkNumber(field: string, value: unknown, min: number, exclusive: boolean, hint: string): number {
  const ok = typeof value === "number" && Number.isFinite(value) && (exclusive ? value > min : value >= min);
  if (!ok) {
    throw new ConfigError(
      field,
      `expected a number ${exclusive ? ">" : "≥"} ${min}, got ${JSON.stringify(value)}; ${hint}`,
    );
  }
  return value as number;
}

/** Checks a profile; throws ConfigError naming the field. Returns it unchanged. */
export function validateProfile(profile: Profile): Profile {
  const p = `profile "${profile.name}"`;
  if (profile.executor !== "constant-arrival-rate" && profile.executor !== "ramping-arrival-rate") {
    throw new ConfigError(
      `${p} executor`,
      `expected "constant-arrival-rate" or "ramping-arrival-rate", got ${JSON.stringify(profile.executor)}`,
    );
  }
  checkNumber(`${p} startRatePerSec`, profile.startRatePerSec, 0, false, "rates are iterations per second");
  if (!Array.isArray(profile.stages) || profile.stages.length === 0) {
    throw new ConfigError(`${p} stages`, "expected at least one stage {durationMs, targetRatePerSec}");
  }
  profile.stages.forEach((stage, i) => {
    checkNumber(`${p} stages[${i}].durationMs`, stage.durationMs, 0, true, "use e.g. 10000 for 10 s");
    checkNumber(
      `${p} stages[${i}].targetRatePerSec`,
      stage.targetRatePerSec,
      0,
      false,
      "rates cannot be negative",
    );
  });
  if (profile.executor === "constant-arrival-rate") {
    const rates = new Set([profile.startRatePerSec, ...profile.stages.map((s) => s.targetRatePerSec)]);
    if (rates.size !== 1) {
      throw new ConfigError(
        `${p} stages`,
        "a constant-arrival-rate profile must keep one rate; use ramping-arrival-rate",
      );
    }
  }
  if (peakRatePerSec(profile) <= 0) {
    throw new ConfigError(
      `${p} rate`,
      "every rate is 0, so no request would start: give a stage a positive rate",
    );
  }
  checkNumber(`${p} maxInFlight`, profile.maxInFlight, 1, false, "e.g. 200");
  checkNumber(`${p} requestTimeoutMs`, profile.requestTimeoutMs, 0, true, "e.g. 10000");
  checkNumber(`${p} gracefulStopMs`, profile.gracefulStopMs, 0, false, "e.g. 5000");
  const t = profile.thresholds;
  checkNumber(`${p} thresholds.errorRateBelow`, t.errorRateBelow, 0, true, "a share, e.g. 0.01 for 1 %");
  if (t.errorRateBelow > 1) {
    throw new ConfigError(
      `${p} thresholds.errorRateBelow`,
      `expected a share up to 1, got ${t.errorRateBelow}`,
    );
  }
  if (t.p95MsBelow !== undefined) checkNumber(`${p} thresholds.p95MsBelow`, t.p95MsBelow, 0, true, "in ms");
  if (t.p99MsBelow !== undefined) checkNumber(`${p} thresholds.p99MsBelow`, t.p99MsBelow, 0, true, "in ms");
  return profile;
}

/**
 * A built-in profile by name (or a custom profile), with per-run overrides applied, validated.
 *
 * @example resolveProfile("baseline", { ratePerSec: 20, durationMs: 3000 }) // a 3 s run at 20/s
 */
export function resolveProfile(
  profile: ProfileName | Profile | string,
  overrides: ProfileOverrides = {},
): Profile {
  let base: Profile;
  if (typeof profile === "string") {
    if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
      throw new ConfigError(
        "profile",
        `unknown profile "${profile}": expected one of ${PROFILE_NAMES.join(", ")}`,
      );
    }
    base = PROFILES[profile as ProfileName];
  } else {
    base = profile;
  }
  validateProfile(base);
  let startRatePerSec = base.startRatePerSec;
  let stages = base.stages.map((s) => ({ ...s }));
  if (overrides.ratePerSec !== undefined) {
    checkNumber(
      "rate",
      overrides.ratePerSec,
      0,
      true,
      "the peak arrival rate in requests per second, e.g. 50",
    );
    const factor = overrides.ratePerSec / peakRatePerSec(base);
    startRatePerSec *= factor;
    stages = stages.map((s) => ({ ...s, targetRatePerSec: s.targetRatePerSec * factor }));
  }
  if (overrides.durationMs !== undefined) {
    checkNumber("duration", overrides.durationMs, 0, true, "the run length in ms, e.g. 30000");
    const factor = overrides.durationMs / totalDurationMs(base);
    stages = stages.map((s) => ({ ...s, durationMs: s.durationMs * factor }));
  }
  if (overrides.durationScale !== undefined) {
    checkNumber("durationScale", overrides.durationScale, 0, true, "a factor, e.g. 0.1 for a tenth");
    const factor = overrides.durationScale;
    stages = stages.map((s) => ({ ...s, durationMs: s.durationMs * factor }));
  }
  const resolved: Profile = {
    ...base,
    startRatePerSec,
    stages,
    maxInFlight: overrides.maxInFlight ?? base.maxInFlight,
    thresholds: { ...base.thresholds, ...overrides.thresholds },
  };
  const workload = overrides.workload ?? base.workload;
  if (workload) resolved.workload = workload;
  return validateProfile(resolved);
}

/** The profile's thresholds as k6 threshold expressions, by metric. Both engines report these. */
export function thresholdExpressions(thresholds: Thresholds): Record<string, string[]> {
  const duration: string[] = [];
  if (thresholds.p95MsBelow !== undefined) duration.push(`p(95)<${thresholds.p95MsBelow}`);
  if (thresholds.p99MsBelow !== undefined) duration.push(`p(99)<${thresholds.p99MsBelow}`);
  const out: Record<string, string[]> = { http_req_failed: [`rate<${thresholds.errorRateBelow}`] };
  if (duration.length > 0) out["http_req_duration"] = duration;
  return out;
}
