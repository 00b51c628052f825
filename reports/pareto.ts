/**
 * The Pareto frontier of cost versus latency: the settings no other setting beats on both. Pure.
 */

export interface CostLatencyPoint {
  id: string;
  latencyMs: number;
  costUsd: number;
}

/** True when `a` is at least as good as `b` on both and strictly better on one (lower is better). */
export function dominates(a: CostLatencyPoint, b: CostLatencyPoint): boolean {
  return (
    a.latencyMs <= b.latencyMs &&
    a.costUsd <= b.costUsd &&
    (a.latencyMs < b.latencyMs || a.costUsd < b.costUsd)
  );
}

/**
 * The points no other point dominates, sorted by latency (ascending), then cost, then id. Equal points are
 * all kept. Points with a non-finite figure are ignored. O(n²), which is fine for tens of settings.
 *
 * @example paretoFrontier([{ id: "a", latencyMs: 10, costUsd: 2 }, { id: "b", latencyMs: 20, costUsd: 3 }])
 *   // → [{ id: "a", ... }]: a is faster and cheaper than b
 */
export function paretoFrontier<P extends CostLatencyPoint>(points: readonly P[]): P[] {
  const finite = points.filter((p) => Number.isFinite(p.latencyMs) && Number.isFinite(p.costUsd));
  return finite
    .filter((candidate) => !finite.some((other) => dominates(other, candidate)))
    .sort((a, b) => a.latencyMs - b.latencyMs || a.costUsd - b.costUsd || a.id.localeCompare(b.id));
}
