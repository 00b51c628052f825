/** Unit tests of the soak's RSS trend check. */
import { describe, expect, it } from "vitest";
import { linearSlope, type RssSample, rssTrend } from "./rss-trend.ts";

const bounds = { maxSlopeMbPerMin: 2, windowMs: 30_000, minWindows: 4 };
/** One sample per second for `seconds`, RSS from `mbAt(t)`. */
const series = (seconds: number, mbAt: (t: number) => number): RssSample[] =>
  Array.from({ length: seconds + 1 }, (_, t) => ({ atMs: t * 1000, rssKb: Math.round(mbAt(t) * 1024) }));

describe("linearSlope", () => {
  it("is the least-squares slope", () => {
    expect(
      linearSlope([
        { x: 0, y: 1 },
        { x: 1, y: 3 },
        { x: 2, y: 5 },
      ]),
    ).toBeCloseTo(2);
    expect(
      linearSlope([
        { x: 0, y: 1 },
        { x: 1, y: 0 },
        { x: 2, y: 1 },
      ]),
    ).toBeCloseTo(0);
    expect(linearSlope([{ x: 1, y: 1 }])).toBe(0);
    expect(
      linearSlope([
        { x: 1, y: 1 },
        { x: 1, y: 5 },
      ]),
    ).toBe(0);
  });
});

describe("rssTrend", () => {
  it("calls a warm process that grew only during warm-up and then breathes with GC flat", () => {
    const warmThenFlat = series(300, (t) => (t < 60 ? 40 + t / 3 : 60 + (t % 10 < 5 ? 3 : -3)));
    const trend = rssTrend("lambda-env 1", warmThenFlat, bounds);
    expect(trend.verdict).toBe("flat");
    expect(Math.abs(trend.slopeMbPerMin ?? 99)).toBeLessThan(0.5);
    expect(trend.firstMb).toBe(40);
    expect(trend.maxMb).toBe(63);
  });

  it("looks through GC swings at the floor: big sawtooth peaks on a flat floor are flat, on a rising one growing", () => {
    // Peaks up to +60 MB that come and go every 40 s, late in the run too.
    const swing = (t: number) => (t % 40 < 30 ? (t % 40) * 2 : 0);
    expect(
      rssTrend(
        "env",
        series(600, (t) => 60 + swing(t)),
        bounds,
      ).verdict,
    ).toBe("flat");
    const leaking = rssTrend(
      "env",
      series(600, (t) => 60 + (3 * t) / 60 + swing(t)),
      bounds,
    );
    expect(leaking.verdict).toBe("growing");
    expect(leaking.slopeMbPerMin).toBeCloseTo(3, 0);
  });

  it("calls a steady leak of 3 MB/min growing", () => {
    const trend = rssTrend(
      "stage",
      series(300, (t) => 80 + (3 * t) / 60),
      bounds,
    );
    expect(trend.verdict).toBe("growing");
    expect(trend.slopeMbPerMin).toBeCloseTo(3, 1);
  });

  it("gives no verdict on too few samples", () => {
    expect(
      rssTrend(
        "x",
        series(8, () => 50),
        bounds,
      ).verdict,
    ).toBe("too short");
    expect(rssTrend("x", [], bounds).verdict).toBe("too short");
  });
});
