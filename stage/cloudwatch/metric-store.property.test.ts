/** Properties of the metric store on random data (fast-check): percentiles, period splits, exact windows. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MetricStore } from "./metric-store.ts";

const T0 = Date.UTC(2026, 0, 1);
const dims = { FunctionName: "f" };

/** Random points within 60 s of T0, values with decimals. */
const points = fc.array(
  fc.record({
    offsetMs: fc.integer({ min: 0, max: 59_999 }),
    value: fc.double({ min: 0, max: 1e4, noNaN: true }),
  }),
  { minLength: 1, maxLength: 300 },
);

function storeOf(data: { offsetMs: number; value: number }[]): MetricStore {
  const store = new MetricStore();
  for (const p of data) {
    store.put({
      namespace: "N",
      metricName: "M",
      dimensions: dims,
      value: p.value,
      unit: "None",
      timestampMs: T0 + p.offsetMs,
    });
  }
  return store;
}

const query = (store: MetricStore, stat: string, periodSeconds: number, startMs: number, endMs: number) =>
  store.query({ namespace: "N", metricName: "M", dimensions: dims, stat, periodSeconds, startMs, endMs });

describe("MetricStore properties", () => {
  it("a percentile is a stored value with at least p % of the values at or below it and fewer than p % below", () => {
    fc.assert(
      fc.property(points, fc.double({ min: 0.1, max: 100, noNaN: true }), (data, p) => {
        const stat = `p${Number(p.toFixed(1))}`;
        const percentile = Number(stat.slice(1));
        if (!(percentile > 0)) return;
        const [got] = query(storeOf(data), stat, 60, T0, T0 + 60_000).values;
        const values = data.map((d) => d.value);
        expect(values).toContain(got);
        const n = values.length;
        expect(values.filter((v) => v <= (got ?? Number.NaN)).length).toBeGreaterThanOrEqual(
          Math.ceil((percentile / 100) * n),
        );
        expect(values.filter((v) => v < (got ?? Number.NaN)).length).toBeLessThan(
          Math.max(1, Math.ceil((percentile / 100) * n)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it("Sum and SampleCount over any periods and any window add up to the points inside the window", () => {
    fc.assert(
      fc.property(
        points,
        fc.integer({ min: 1, max: 61 }),
        fc.integer({ min: 0, max: 59_999 }),
        fc.integer({ min: 1, max: 60_000 }),
        (data, periodSeconds, startOffsetMs, lengthMs) => {
          const store = storeOf(data);
          const startMs = T0 + startOffsetMs;
          const endMs = startMs + lengthMs;
          const inside = data.filter((d) => T0 + d.offsetMs >= startMs && T0 + d.offsetMs < endMs);
          const counts = query(store, "SampleCount", periodSeconds, startMs, endMs);
          const sums = query(store, "Sum", periodSeconds, startMs, endMs);
          expect(counts.values.reduce((a, b) => a + b, 0)).toBe(inside.length);
          const expectedSum = inside.reduce((a, d) => a + d.value, 0);
          expect(sums.values.reduce((a, b) => a + b, 0)).toBeCloseTo(expectedSum, 6);
          // Timestamps are period starts aligned to StartTime, newest first, within the window.
          for (const t of counts.timestampsMs) {
            expect((t - startMs) % (periodSeconds * 1000)).toBe(0);
            expect(t).toBeGreaterThanOrEqual(startMs);
            expect(t).toBeLessThan(endMs);
          }
          expect(counts.timestampsMs).toEqual([...counts.timestampsMs].sort((a, b) => b - a));
        },
      ),
      { numRuns: 200 },
    );
  });
});
