/**
 * The open-model arrival schedule: when each iteration is due, as k6's arrival-rate executors plan it.
 * Iteration k (from 0) is due at the time t where the integral of the rate from 0 to t equals k, so a
 * constant 10/s starts at 0, 100, 200, ... ms and a ramp packs starts tighter as the rate rises. Pure.
 */
import type { Profile } from "./profiles.ts";

interface Segment {
  startMs: number;
  durationMs: number;
  fromRatePerSec: number;
  toRatePerSec: number;
  /** Iterations due before this segment. */
  countBefore: number;
  /** Iterations due within it (may be fractional). */
  count: number;
}

function segmentsOf(profile: Profile): Segment[] {
  const segments: Segment[] = [];
  let startMs = 0;
  let rate = profile.startRatePerSec;
  let countBefore = 0;
  for (const stage of profile.stages) {
    const count = ((rate + stage.targetRatePerSec) / 2) * (stage.durationMs / 1000);
    segments.push({
      startMs,
      durationMs: stage.durationMs,
      fromRatePerSec: rate,
      toRatePerSec: stage.targetRatePerSec,
      countBefore,
      count,
    });
    startMs += stage.durationMs;
    countBefore += count;
    rate = stage.targetRatePerSec;
  }
  return segments;
}

export class ArrivalSchedule {
  private readonly segments: Segment[];
  private segmentIndex = 0;
  private iteration = 0;
  /** The next iteration's due time once computed (peeked repeatedly by the engine), NaN before. */
  private nextDueMs = Number.NaN;
  /** Total iterations the schedule holds. */
  readonly totalIterations: number;
  readonly durationMs: number;

  constructor(profile: Profile) {
    this.segments = segmentsOf(profile);
    const last = this.segments[this.segments.length - 1];
    const total = last ? last.countBefore + last.count : 0;
    // Iteration k is due when the integral reaches k, for k strictly below the total (tolerating rounding).
    this.totalIterations = Math.max(0, Math.ceil(total - 1e-9));
    this.durationMs = last ? last.startMs + last.durationMs : 0;
  }

  /** Index of the next iteration. */
  get nextIteration(): number {
    return this.iteration;
  }

  /** Due time (ms from the start) of the next iteration, or undefined when the schedule is done. */
  peekMs(): number | undefined {
    if (this.iteration >= this.totalIterations) return undefined;
    if (Number.isNaN(this.nextDueMs)) this.nextDueMs = this.computeMs(this.iteration);
    return this.nextDueMs;
  }

  /** Due time of iteration k (not before the current segment). */
  private computeMs(k: number): number {
    for (;;) {
      const seg = this.segments[this.segmentIndex];
      if (!seg) return this.durationMs;
      const m = k - seg.countBefore;
      if (m < seg.count || this.segmentIndex === this.segments.length - 1) {
        const d = seg.durationMs / 1000;
        const a = (seg.toRatePerSec - seg.fromRatePerSec) / (2 * d);
        const b = seg.fromRatePerSec;
        // Solve a t² + b t = m for t ≥ 0 in the cancellation-free form t = 2m / (b + √(b² + 4am)).
        const root = Math.sqrt(Math.max(0, b * b + 4 * a * m));
        const tSec = m <= 0 ? 0 : b + root > 0 ? (2 * m) / (b + root) : d;
        return seg.startMs + Math.min(tSec, d) * 1000;
      }
      this.segmentIndex += 1;
    }
  }

  /**
   * Skips every iteration due at or before `nowMs` and returns how many: the engine's drops while the in-flight
   * cap is reached. Exactly the iterations `takeMs` would return in a loop up to `nowMs`, in O(1) for a run of
   * any length: a jump by the integral of the rate (kept one short, against rounding), then single steps.
   */
  skipDueMs(nowMs: number): number {
    const first = this.iteration;
    const target = Math.min(this.totalIterations, Math.floor(this.iterationsDueBy(nowMs)) - 1);
    if (target > this.iteration) {
      this.iteration = target;
      this.nextDueMs = Number.NaN;
    }
    for (let due = this.peekMs(); due !== undefined && due <= nowMs; due = this.peekMs()) this.takeMs();
    return this.iteration - first;
  }

  /** The integral of the rate from 0 to `nowMs`: iterations 0 .. floor(result) are due by then. */
  private iterationsDueBy(nowMs: number): number {
    let count = 0;
    for (const seg of this.segments) {
      if (nowMs <= seg.startMs) break;
      const d = seg.durationMs / 1000;
      const t = Math.min(d, (nowMs - seg.startMs) / 1000);
      const a = d > 0 ? (seg.toRatePerSec - seg.fromRatePerSec) / (2 * d) : 0;
      count = seg.countBefore + a * t * t + seg.fromRatePerSec * t;
    }
    return count;
  }

  /** Takes the next iteration's due time and advances. */
  takeMs(): number | undefined {
    const due = this.peekMs();
    if (due !== undefined) {
      this.iteration += 1;
      this.nextDueMs = Number.NaN;
    }
    return due;
  }
}
