import { describe, expect, it } from "vitest";
import { ConfigError } from "../errors.ts";
import { createRandom, deriveSeed } from "../random.ts";
import { OPERATIONS, type OperationName } from "../run-result.ts";
import { classifyOutcome, resolveWorkload, Workload } from "./model.ts";
import { createZipfSampler } from "./zipf.ts";

/** Pearson's chi-square statistic of observed counts against expected counts. */
function chiSquare(observed: number[], expected: number[]): number {
  return observed.reduce(
    (sum, o, i) => sum + (o - (expected[i] as number)) ** 2 / (expected[i] as number),
    0,
  );
}

describe("seeded random", () => {
  it("repeats a sequence for a seed and differs between seeds", () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 1));
  });

  it("is uniform over ten bins (chi-square, 9 df, critical 27.9 at p = 0.001)", () => {
    const random = createRandom(12345);
    const bins = new Array(10).fill(0);
    for (let i = 0; i < 50_000; i++) bins[Math.floor(random.next() * 10)] += 1;
    expect(chiSquare(bins, new Array(10).fill(5000))).toBeLessThan(27.9);
  });
});

describe("workload mix", () => {
  it("draws operations by the default weights (chi-square, 4 df, critical 18.5 at p = 0.001)", () => {
    const workload = new Workload(createRandom(1), "t");
    const counts: Record<OperationName, number> = { create: 0, read: 0, update: 0, list: 0, delete: 0 };
    const n = 40_000;
    for (let i = 0; i < n; i++) counts[workload.drawOperation()] += 1;
    const weights = { create: 20, read: 50, update: 15, list: 10, delete: 5 };
    const stat = chiSquare(
      OPERATIONS.map((op) => counts[op]),
      OPERATIONS.map((op) => (weights[op] / 100) * n),
    );
    expect(stat).toBeLessThan(18.5);
  });

  it("plans requests close to the mix when ids exist, with client-chosen ids in create bodies", () => {
    const workload = new Workload(createRandom(2), "run1");
    const counts: Record<OperationName, number> = { create: 0, read: 0, update: 0, list: 0, delete: 0 };
    for (let i = 0; i < 20_000; i++) {
      const request = workload.next();
      counts[request.operation] += 1;
      if (request.operation === "create") {
        expect(JSON.parse(request.body as string).id).toBe(request.id);
        expect(request.id).toMatch(/^run1-\d+$/);
      }
      workload.observe(request, request.expectedStatuses[0] as number);
    }
    expect(counts.read / 20_000).toBeGreaterThan(0.47);
    expect(counts.read / 20_000).toBeLessThan(0.53);
    expect(counts.delete / 20_000).toBeGreaterThan(0.04);
    expect(counts.delete / 20_000).toBeLessThan(0.06);
  });

  it("is reproducible: the same seed plans the same requests", () => {
    const plan = (seed: number) => {
      const w = new Workload(createRandom(seed), "p");
      return Array.from({ length: 200 }, () => {
        const r = w.next();
        w.observe(r, r.expectedStatuses[0] as number);
        return `${r.method} ${r.path} ${r.body?.length ?? 0}`;
      });
    };
    expect(plan(99)).toEqual(plan(99));
    expect(plan(99)).not.toEqual(plan(100));
  });
});

describe("expected statuses", () => {
  it("expects 200 for a live id, 200 or 404 while its create is in flight", () => {
    const workload = new Workload(createRandom(3), "s", {
      mix: { create: 1, read: 1 },
      keyPopularity: "uniform",
    });
    let sawLiveRead = false;
    let sawUncertainRead = false;
    for (let i = 0; i < 2000; i++) {
      const r = workload.next();
      if (r.operation === "read") {
        if (r.expectedStatuses.join() === "200") sawLiveRead = true;
        if (r.expectedStatuses.join() === "200,404") sawUncertainRead = true;
      }
      // Every third create is left in flight: its id's existence stays uncertain.
      if (r.operation !== "create" || i % 3 !== 0) workload.observe(r, r.expectedStatuses[0] as number);
    }
    expect(sawLiveRead).toBe(true);
    expect(sawUncertainRead).toBe(true);
  });

  it("an id whose delete was answered leaves the key space", () => {
    const workload = new Workload(createRandom(4), "d", {
      mix: { create: 1, read: 3, update: 1, delete: 2 },
    });
    const deleted = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const r = workload.next();
      if (r.id && r.operation !== "create") expect(deleted.has(r.id)).toBe(false);
      expect(workload.settle(r, r.expectedStatuses[0] as number)).toBeUndefined();
      if (r.operation === "delete" && r.id) deleted.add(r.id);
    }
    expect(deleted.size).toBeGreaterThan(100);
  });

  it("a read that raced a delete of its id may get 404 without an error; without a delete, 404 is an error", () => {
    const plan = (prefix: string) => {
      const workload = new Workload(createRandom(5), prefix, { mix: { create: 1, read: 1, delete: 1 } });
      const create = workload.next();
      workload.settle(create, 201);
      const read = { operation: "read" as const, method: "GET" as const, path: `/items/${create.id}` };
      return { workload, read: { ...read, id: create.id, expectedStatuses: [200] } };
    };
    const alone = plan("a");
    expect(alone.workload.settle(alone.read, 404)).toBe("unexpected-status");
    const raced = plan("b");
    let del = raced.workload.next();
    while (del.operation !== "delete" || del.id !== raced.read.id) {
      raced.workload.settle(del, del.expectedStatuses[0] as number);
      del = raced.workload.next();
    }
    expect(raced.workload.settle(del, 204)).toBeUndefined();
    expect(raced.workload.settle(raced.read, 404)).toBeUndefined();
  });

  it("classifies outcomes: expected statuses are not errors", () => {
    const read = { operation: "read", method: "GET", path: "/items/a", expectedStatuses: [404] } as const;
    const r = { ...read, expectedStatuses: [...read.expectedStatuses] };
    expect(classifyOutcome(r, 404)).toBeUndefined();
    expect(classifyOutcome(r, 200)).toBe("unexpected-status");
    expect(classifyOutcome(r, 429)).toBe("throttled");
    expect(classifyOutcome(r, 502)).toBe("server-error");
    expect(classifyOutcome(r, 0, "timeout")).toBe("timeout");
  });
});

describe("key popularity", () => {
  it("zipfian ranks follow 1/k (n = 20, chi-square, 19 df, critical 43.8 at p = 0.001)", () => {
    const zipf = createZipfSampler(1.0, createRandom(5));
    const n = 20;
    const draws = 50_000;
    const counts = new Array(n).fill(0);
    for (let i = 0; i < draws; i++) counts[zipf.sample(n) - 1] += 1;
    const harmonic = Array.from({ length: n }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
    const expected = Array.from({ length: n }, (_, k) => (draws * (1 / (k + 1))) / harmonic);
    expect(chiSquare(counts, expected)).toBeLessThan(43.8);
  });

  it("zipfian with exponent 1.3 also matches its law (n = 50, 49 df, critical 85.4 at p = 0.001)", () => {
    const zipf = createZipfSampler(1.3, createRandom(6));
    const n = 50;
    const draws = 80_000;
    const counts = new Array(n).fill(0);
    for (let i = 0; i < draws; i++) counts[zipf.sample(n) - 1] += 1;
    const weights = Array.from({ length: n }, (_, k) => (k + 1) ** -1.3);
    const total = weights.reduce((a, b) => a + b, 0);
    // The rarest rank still expects ~170 draws, enough for the chi-square approximation.
    expect(
      chiSquare(
        counts,
        weights.map((w) => (draws * w) / total),
      ),
    ).toBeLessThan(85.4);
  });

  it("uniform keys hit every created id about equally", () => {
    const workload = new Workload(createRandom(7), "u", {
      mix: { create: 1, read: 0 },
      keyPopularity: "uniform",
    });
    for (let i = 0; i < 10; i++) workload.observe(workload.next(), 201);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20_000; i++) counts[workload.drawIdIndex()] += 1;
    expect(chiSquare(counts, new Array(10).fill(2000))).toBeLessThan(27.9);
  });
});

describe("Workload.next() against its configuration (seeded, so deterministic)", () => {
  /**
   * Plans `n` requests with a custom mix and no deletes, answering each as expected, and returns the
   * operation counts and, per read or update, the drawn id's rank (its creation number: 1 is the oldest) with
   * the number of ids created before the draw.
   */
  function plan(keyPopularity: "uniform" | "zipfian", zipfExponent: number, seed: number, n: number) {
    const mix = { create: 4, read: 50, update: 26, list: 20, delete: 0 };
    const workload = new Workload(createRandom(seed), "k", { mix, keyPopularity, zipfExponent });
    const counts: Record<OperationName, number> = { create: 0, read: 0, update: 0, list: 0, delete: 0 };
    const draws: Array<{ rank: number; ids: number }> = [];
    for (let i = 0; i < n; i++) {
      const r = workload.next();
      if (r.operation === "read" || r.operation === "update") {
        draws.push({ rank: Number((r.id as string).slice(2)), ids: counts.create });
      }
      counts[r.operation] += 1;
      workload.settle(r, r.expectedStatuses[0] as number);
    }
    return { mix, counts, draws };
  }

  // Rank bins 1, 2, 3–4, 5–8, …, 1025–2048, 2049+: 13 bins, 12 df, critical 32.9 at p = 0.001.
  const BIN_STARTS = [1, 2, 3, 5, 9, 17, 33, 65, 129, 257, 513, 1025, 2049];
  const binOf = (rank: number) => BIN_STARTS.findLastIndex((start) => rank >= start);

  /**
   * Expected draws per rank bin: each draw's probability of landing in each bin, given how many ids existed
   * then, summed over the draws (the key space grows during the run). `cumulative(k, n)`: P(rank ≤ k | n ids).
   */
  function expectedPerBin(draws: Array<{ ids: number }>, cumulative: (k: number, n: number) => number) {
    const drawsPerSize = new Map<number, number>();
    for (const d of draws) drawsPerSize.set(d.ids, (drawsPerSize.get(d.ids) ?? 0) + 1);
    const expected = new Array<number>(BIN_STARTS.length).fill(0);
    for (const [n, count] of drawsPerSize) {
      BIN_STARTS.forEach((start, b) => {
        const end = Math.min(n, (BIN_STARTS[b + 1] ?? Number.POSITIVE_INFINITY) - 1);
        if (start <= end)
          expected[b] = (expected[b] as number) + count * (cumulative(end, n) - cumulative(start - 1, n));
      });
    }
    return expected;
  }

  /** Draws per rank bin. */
  function observedPerBin(draws: Array<{ rank: number }>): number[] {
    const observed = new Array<number>(BIN_STARTS.length).fill(0);
    for (const d of draws) {
      const b = binOf(d.rank);
      observed[b] = (observed[b] as number) + 1;
    }
    return observed;
  }

  it("draws operations by a custom mix (chi-square over 4 operations, 3 df, critical 16.3 at p = 0.001)", () => {
    const { mix, counts } = plan("zipfian", 1, 21, 60_000);
    expect(counts.delete).toBe(0);
    const ops = OPERATIONS.filter((op) => mix[op] > 0);
    const total = ops.reduce((sum, op) => sum + mix[op], 0);
    const stat = chiSquare(
      ops.map((op) => counts[op]),
      ops.map((op) => (mix[op] / total) * 60_000),
    );
    expect(stat).toBeLessThan(16.3);
  });

  it("draws ids by zipfian rank over the ids created so far (exponent 1.2; 12 df, critical 32.9)", () => {
    const s = 1.2;
    const { draws } = plan("zipfian", s, 22, 60_000);
    const maxIds = Math.max(...draws.map((d) => d.ids));
    // Generalized harmonic numbers H(k) = Σ_{j ≤ k} j^-s, so P(rank ≤ k | n ids) = H(k) / H(n).
    const harmonic = [0];
    for (let k = 1; k <= maxIds; k++) harmonic.push((harmonic[k - 1] as number) + k ** -s);
    const expected = expectedPerBin(draws, (k, n) => (harmonic[k] as number) / (harmonic[n] as number));
    const observed = observedPerBin(draws);
    expect(maxIds).toBeGreaterThan(2049);
    expect(Math.min(...expected)).toBeGreaterThan(5);
    expect(chiSquare(observed, expected)).toBeLessThan(32.9);
  });

  it("draws ids uniformly over the ids created so far (12 df, critical 32.9)", () => {
    const { draws } = plan("uniform", 1, 23, 60_000);
    const expected = expectedPerBin(draws, (k, n) => k / n);
    const observed = observedPerBin(draws);
    expect(Math.min(...expected)).toBeGreaterThan(5);
    expect(chiSquare(observed, expected)).toBeLessThan(32.9);
  });
});

describe("item sizes", () => {
  it("lognormal sizes stay within bounds with the configured median", () => {
    const workload = new Workload(createRandom(8), "z", {
      itemSize: { medianBytes: 1000, minBytes: 100, maxBytes: 5000 },
    });
    const sizes = Array.from({ length: 10_001 }, () => workload.drawSizeBytes()).sort((a, b) => a - b);
    expect(sizes[0]).toBeGreaterThanOrEqual(100);
    expect(sizes[sizes.length - 1]).toBeLessThanOrEqual(5000);
    expect(sizes[5000]).toBeGreaterThan(950);
    expect(sizes[5000]).toBeLessThan(1050);
  });

  it("a create body has the drawn size in bytes", () => {
    const workload = new Workload(createRandom(9), "b", {
      itemSize: { distribution: "fixed", medianBytes: 300 },
    });
    const r = workload.next();
    expect(r.operation).toBe("create");
    expect(r.body?.length).toBe(300);
  });
});

describe("workload config errors", () => {
  it("rejects negative weights, unknown operations and weights summing to 0, naming the field", () => {
    expect(() => resolveWorkload({ mix: { read: -1, create: 1 } })).toThrow(
      /invalid mix\.read: expected a number ≥ 0, got -1/,
    );
    expect(() => resolveWorkload({ mix: { fetch: 1 } })).toThrow(
      /unknown operation "fetch": expected one of create, read/,
    );
    expect(() => resolveWorkload({ mix: { read: 0, create: 0 } })).toThrow(/sum to 0/);
    expect(() => resolveWorkload({ mix: { read: 1 } })).toThrow(/invalid mix\.create/);
    expect(() => resolveWorkload({ keyPopularity: "hot" })).toThrow(ConfigError);
    expect(() => resolveWorkload({ itemSize: { minBytes: 500, maxBytes: 100 } })).toThrow(
      /itemSize\.maxBytes/,
    );
  });

  it("a given mix replaces the default one", () => {
    expect(resolveWorkload({ mix: { create: 1, list: 1 } }).mix).toEqual({
      create: 1,
      read: 0,
      update: 0,
      list: 1,
      delete: 0,
    });
  });
});
