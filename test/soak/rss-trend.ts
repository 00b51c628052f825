/**
 * The soak's memory check: RSS samples per process, and whether a process's RSS still grows once warm.
 * Pure module.
 *
 * The check looks at the SECOND half of a series (the first half holds warm-up: JIT, connection pools, V8 heap
 * sizing) and at its FLOOR: the lowest sample of each window (30 s by default). RSS between garbage
 * collections swings by tens of MB (V8's young generation alone may take 3 × the semi-space, 51 MB at
 * 1024 MB), but what survives collections sets the floor, and a leak raises it. The least-squares slope of
 * those window minima must stay below a bound in MB per minute.
 */

export interface RssSample {
  /** Milliseconds since the start of the run. */
  atMs: number;
  rssKb: number;
}

export interface TrendBounds {
  /** Largest acceptable slope of the second half's floor, MB per minute. */
  maxSlopeMbPerMin: number;
  /** Window whose lowest sample is one point of the floor. */
  windowMs: number;
  /** The second half must span this many windows for a verdict; shorter → "too short", not a failure. */
  minWindows: number;
}

export interface ProcessTrend {
  label: string;
  samples: number;
  firstMb: number;
  lastMb: number;
  maxMb: number;
  /** Slope of the second half's floor, MB/min; undefined when too short. */
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
  if (last.atMs - midMs < bounds.minWindows * bounds.windowMs)
    return { ...base, slopeMbPerMin: undefined, verdict: "too short" };
  // Full windows only: a last, partial window's lowest sample is no floor.
  const fullWindows = Math.floor((last.atMs - midMs) / bounds.windowMs);
  const floor = new Map<number, RssSample>();
  for (const sample of sorted) {
    if (sample.atMs < midMs) continue;
    const window = Math.floor((sample.atMs - midMs) / bounds.windowMs);
    if (window >= fullWindows) continue;
    const lowest = floor.get(window);
    if (!lowest || sample.rssKb < lowest.rssKb) floor.set(window, sample);
  }
  const slopeMbPerMin = linearSlope([...floor.values()].map((s) => ({ x: s.atMs / 60_000, y: mb(s.rssKb) })));
  return { ...base, slopeMbPerMin, verdict: slopeMbPerMin > bounds.maxSlopeMbPerMin ? "growing" : "flat" };
}
