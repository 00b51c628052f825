import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resolveProfile } from "./profiles.ts";
import { ArrivalSchedule } from "./schedule.ts";

/** Counts what a loop of takeMs up to each time would take: the reference for skipDueMs. */
function takeUpTo(schedule: ArrivalSchedule, nowMs: number): number {
  let taken = 0;
  for (let due = schedule.peekMs(); due !== undefined && due <= nowMs; due = schedule.peekMs()) {
    schedule.takeMs();
    taken += 1;
  }
  return taken;
}

describe("ArrivalSchedule.skipDueMs", () => {
  it("skips exactly the iterations a loop of takeMs would take, for constant and ramping rates", () => {
    const profiles = [
      resolveProfile("baseline", { ratePerSec: 200_000, durationMs: 3000 }),
      resolveProfile("baseline", { ratePerSec: 7, durationMs: 2000 }),
      resolveProfile("ramp", { ratePerSec: 5000, durationMs: 10_000 }),
      resolveProfile("spike", { ratePerSec: 300, durationMs: 4000 }),
    ];
    for (const profile of profiles) {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: 0, max: 1.1, noNaN: true }), { minLength: 1, maxLength: 12 }),
          fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
          (fractions, takeFirst) => {
            const skipping = new ArrivalSchedule(profile);
            const reference = new ArrivalSchedule(profile);
            const times = fractions.map((f) => f * skipping.durationMs).sort((a, b) => a - b);
            times.forEach((nowMs, i) => {
              // Interleave single takes (iterations started) with skips (dropped), as the engine does.
              if (takeFirst[i] && skipping.peekMs() !== undefined && (skipping.peekMs() as number) <= nowMs) {
                expect(skipping.takeMs()).toBe(reference.takeMs());
              }
              expect(skipping.skipDueMs(nowMs)).toBe(takeUpTo(reference, nowMs));
              expect(skipping.nextIteration).toBe(reference.nextIteration);
              expect(skipping.peekMs()).toBe(reference.peekMs());
            });
          },
        ),
        { numRuns: 60 },
      );
    }
  });

  it("skips nothing before the first due time and everything after the end", () => {
    const schedule = new ArrivalSchedule(resolveProfile("baseline", { ratePerSec: 10, durationMs: 1000 }));
    schedule.takeMs(); // iteration 0 is due at 0
    expect(schedule.skipDueMs(99.9)).toBe(0);
    expect(schedule.skipDueMs(100)).toBe(1);
    expect(schedule.skipDueMs(10_000)).toBe(8);
    expect(schedule.peekMs()).toBeUndefined();
    expect(schedule.skipDueMs(20_000)).toBe(0);
  });
});
