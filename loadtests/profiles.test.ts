import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.ts";
import {
  expectedIterations,
  PROFILE_NAMES,
  PROFILES,
  type Profile,
  resolveProfile,
  thresholdExpressions,
  totalDurationMs,
} from "./profiles.ts";
import { ArrivalSchedule } from "./schedule.ts";

describe("profiles", () => {
  it("every built-in profile is valid and has thresholds", () => {
    for (const name of PROFILE_NAMES) {
      const profile = resolveProfile(name);
      expect(profile.name).toBe(name);
      expect(thresholdExpressions(profile.thresholds)["http_req_failed"]).toHaveLength(1);
    }
  });

  it("overrides scale the peak rate and the duration of every stage", () => {
    const ramp = resolveProfile("ramp", { ratePerSec: 10, durationMs: 2000 });
    expect(Math.max(...ramp.stages.map((s) => s.targetRatePerSec))).toBeCloseTo(10);
    expect(totalDurationMs(ramp)).toBeCloseTo(2000);
    const scaled = resolveProfile("baseline", { durationScale: 0.05 });
    expect(totalDurationMs(scaled)).toBeCloseTo(3000);
    expect(resolveProfile("baseline", { thresholds: { p95MsBelow: 50 } }).thresholds.p95MsBelow).toBe(50);
  });

  it("rejects bad profiles and overrides with the field, what was expected and what was got", () => {
    expect(() => resolveProfile("stress")).toThrow(
      /unknown profile "stress": expected one of smoke, baseline/,
    );
    expect(() => resolveProfile("baseline", { ratePerSec: -5 })).toThrow(
      /invalid rate: expected a number > 0, got -5/,
    );
    expect(() => resolveProfile("baseline", { durationMs: 0 })).toThrow(/invalid duration/);
    const bad: Profile = { ...PROFILES.baseline, stages: [{ durationMs: 1000, targetRatePerSec: -1 }] };
    expect(() => resolveProfile(bad)).toThrow(ConfigError);
    const zero: Profile = {
      ...PROFILES.ramp,
      startRatePerSec: 0,
      stages: [{ durationMs: 1000, targetRatePerSec: 0 }],
    };
    expect(() => resolveProfile(zero)).toThrow(/every rate is 0/);
    const mixed: Profile = { ...PROFILES.baseline, stages: [{ durationMs: 1000, targetRatePerSec: 99 }] };
    expect(() => resolveProfile(mixed)).toThrow(/constant-arrival-rate profile must keep one rate/);
    expect(() => resolveProfile("smoke", { maxInFlight: 0 })).toThrow(/maxInFlight/);
  });

  it("threshold expressions are k6's", () => {
    expect(thresholdExpressions({ errorRateBelow: 0.01, p95MsBelow: 500, p99MsBelow: 1000 })).toEqual({
      http_req_failed: ["rate<0.01"],
      http_req_duration: ["p(95)<500", "p(99)<1000"],
    });
  });
});

describe("arrival schedule", () => {
  it("a constant rate starts iterations evenly from 0", () => {
    const schedule = new ArrivalSchedule(resolveProfile("baseline", { ratePerSec: 10, durationMs: 1000 }));
    const starts: number[] = [];
    for (let t = schedule.takeMs(); t !== undefined; t = schedule.takeMs()) starts.push(t);
    expect(starts.map((t) => Math.round(t))).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it("a ramp holds as many iterations as the rate's integral, due ever closer together", () => {
    const profile = resolveProfile("ramp", { ratePerSec: 100, durationMs: 10_000 });
    const schedule = new ArrivalSchedule(profile);
    const starts: number[] = [];
    for (let t = schedule.takeMs(); t !== undefined; t = schedule.takeMs()) starts.push(t);
    expect(starts.length).toBe(Math.ceil(expectedIterations(profile)));
    for (let i = 1; i < starts.length; i++) expect(starts[i]).toBeGreaterThanOrEqual(starts[i - 1] as number);
    // First stage ramps 0 → 100/s over 3 s: 150 iterations; the 2nd ten are closer than the 1st ten.
    expect(starts.filter((t) => t < 3000).length).toBe(150);
    expect((starts[20] as number) - (starts[10] as number)).toBeLessThan(
      (starts[10] as number) - (starts[0] as number),
    );
    expect(starts[starts.length - 1]).toBeLessThan(10_000);
  });
});
