/**
 * The soak's memory check: RSS samples per process, and whether a process's RSS still grows once warm.
 * Pure module.
 *
 * The check: the least-squares slope of RSS over the SECOND half of the run (the first half holds warm-up:
 * JIT, connection pools, V8 heap sizing) must stay below a bound in MB per minute. A leak of a few hundred
 * bytes per request shows as a steady slope; a warm process that only fluctuates with GC has a slope near 0.
 */

export interface RssSample {
  /** Milliseconds since the start of the run. */
  atMs: number;
  rssKb: number;
}

export interface TrendBounds {
  /** Largest acceptable second-half slope, MB per minute. */
  maxSlopeMbPerMin: number;
  /** Fewest second-half samples for a verdict; fewer → "too short", not a failure. */
  minSamples: number;
}

export interface ProcessTrend {
  label: string;
  samples: number;
  firstMb: number;
  lastMb: number;
  maxMb: number;
  /** Slope of the second half, MB/min; undefined when too short. */
  slopeMbPerMin: number | undefined;
  verdict: "flat" | "growing" | "too short";
}

/** Least-squares slope of y over x; 0 for fewer than two distinct x. */
export function linearSlope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((s, p) => s + p.x, 0) / n;
  const meanY = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - meanX) * (p.y - meanY);
    den += (p.x - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function rssTrend(label: string, samples: readonly RssSample[], bounds: TrendBounds): ProcessTrend {
  const mb = (kb: number) => kb / 1024;
  const sorted = [...samples].sort((a, b) => a.atMs - b.atMs);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const base = {
    label,
    samples: sorted.length,
    firstMb: first ? mb(first.rssKb) : 0,
    lastMb: last ? mb(last.rssKb) : 0,
    maxMb: mb(Math.max(0, ...sorted.map((s) => s.rssKb))),
  };
  if (!first || !last) return { ...base, slopeMbPerMin: undefined, verdict: "too short" };
  const midMs = (first.atMs + last.atMs) / 2;
  const secondHalf = sorted.filter((s) => s.atMs >= midMs);
  if (secondHalf.length < bounds.minSamples)
    return { ...base, slopeMbPerMin: undefined, verdict: "too short" };
  const slopeMbPerMin = linearSlope(secondHalf.map((s) => ({ x: s.atMs / 60_000, y: mb(s.rssKb) })));
  return { ...base, slopeMbPerMin, verdict: slopeMbPerMin > bounds.maxSlopeMbPerMin ? "growing" : "flat" };
}
