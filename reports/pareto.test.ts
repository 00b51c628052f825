import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dominates, paretoFrontier } from "./pareto.ts";

describe("paretoFrontier", () => {
  it("keeps the settings no other beats on both cost and latency, sorted by latency", () => {
    const points = [
      { id: "x86_64-256", latencyMs: 120, costUsd: 4.0 },
      { id: "x86_64-512", latencyMs: 64, costUsd: 4.1 },
      { id: "x86_64-1024", latencyMs: 38, costUsd: 4.4 },
      { id: "x86_64-2048", latencyMs: 40, costUsd: 5.2 }, // slower and dearer than 1024
      { id: "arm64-512", latencyMs: 70, costUsd: 4.05 },
    ];
    expect(paretoFrontier(points).map((p) => p.id)).toEqual([
      "x86_64-1024",
      "x86_64-512",
      "arm64-512",
      "x86_64-256",
    ]);
  });

  it("keeps equal points, ignores non-finite ones and handles empty input", () => {
    const a = { id: "a", latencyMs: 10, costUsd: 1 };
    const b = { id: "b", latencyMs: 10, costUsd: 1 };
    const nan = { id: "nan", latencyMs: Number.NaN, costUsd: 0 };
    expect(paretoFrontier([b, nan, a]).map((p) => p.id)).toEqual(["a", "b"]);
    expect(paretoFrontier([])).toEqual([]);
  });

  it("returns a non-empty set of mutually non-dominated points that dominate or equal every other", () => {
    const point = fc.record({
      id: fc.string(),
      latencyMs: fc.integer({ min: 1, max: 50 }),
      costUsd: fc.integer({ min: 1, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 30 }), (points) => {
        const frontier = paretoFrontier(points);
        expect(frontier.length).toBeGreaterThan(0);
        for (const f of frontier) for (const g of frontier) expect(dominates(f, g)).toBe(false);
        for (const p of points) {
          if (frontier.includes(p)) continue;
          expect(frontier.some((f) => dominates(f, p))).toBe(true);
        }
      }),
    );
  });
});
