import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ConfidenceInterval, SettingResult } from "../results/results-types.ts";
import { sampleResults } from "../results/test-support/sample-results.ts";
import { candidatesOf, recommend, STRATEGY_NAMES, strategies } from "./strategies.ts";

const ci = (low: number, high: number): ConfidenceInterval => ({ low, high, level: 0.95 });

/** A minimal measured setting: only what strategies read. */
function setting(
  id: string,
  memoryMb: number,
  costPerMillionUsd: number,
  p95Ms: number,
  p99Ms: number,
  errorRate = 0,
  intervals: { cost?: ConfidenceInterval; p95?: ConfidenceInterval } = {},
): SettingResult {
  const latency = {
    count: 100,
    minMs: 1,
    meanMs: p95Ms / 2,
    p50Ms: p95Ms / 2,
    p90Ms: p95Ms,
    p95Ms,
    p99Ms,
    p999Ms: p99Ms,
    maxMs: p99Ms,
  };
  return {
    id,
    memoryMb,
    architecture: "x86_64",
    status: "ok",
    failures: [],
    window: { startMs: 0, endMs: 1000 },
    client: {
      requests: 100,
      errorCount: Math.round(errorRate * 100),
      errorRate,
      achievedRatePerSec: 10,
      targetRatePerSec: 10,
      droppedIterations: 0,
      latency,
      operations: {},
      timeline: [],
      thresholdsPassed: true,
    },
    cost: {
      lambdaComputePerMillionUsd: costPerMillionUsd,
      lambdaRequestsPerMillionUsd: 0,
      apiGatewayPerMillionUsd: 0,
      dynamodbPerMillionUsd: 0,
      dynamodbFailedWritesPerMillionUsd: 0,
      cloudwatchLogsPerMillionUsd: 0,
      initPerMillionUsd: 0,
      totalPerMillionUsd: costPerMillionUsd,
      perRequestUsd: costPerMillionUsd / 1e6,
    },
    stats: {
      ...(intervals.cost ? { costPerMillionUsd: intervals.cost } : {}),
      ...(intervals.p95 ? { p95Ms: intervals.p95 } : {}),
    },
  };
}

// A worked example: cost falls then rises with memory; latency falls with memory.
const sweep: SettingResult[] = [
  setting("x86_64-128", 128, 2.1, 300, 520, 0.002),
  setting("x86_64-256", 256, 1.9, 150, 260),
  setting("x86_64-512", 512, 1.8, 80, 130, 0, { cost: ci(1.75, 1.86), p95: ci(76, 84) }),
  setting("x86_64-1024", 1024, 1.85, 45, 70, 0, { cost: ci(1.82, 1.9), p95: ci(43, 47) }),
  setting("x86_64-2048", 2048, 3.4, 40, 60, 0, { cost: ci(3.3, 3.5), p95: ci(38, 46) }),
];

describe("strategies on a worked example", () => {
  it("cost says when the cheapest cannot be told apart and names the tie-break (least memory)", () => {
    const [rec] = recommend(sweep);
    expect(rec).toEqual({
      strategy: "cost",
      settingId: "x86_64-512",
      reason:
        "not distinguishable on cost: x86_64-512 at $1.800 per 1M requests and x86_64-1024 ($1.850) have overlapping 95 % intervals; " +
        "tie-break: least memory, so x86_64-512 (512 MB, p95 80.0 ms)",
      indistinguishableFrom: ["x86_64-1024"],
      tieBreak: "least memory",
    });
  });

  it("cost takes the least memory of a tie even when a larger setting's point estimate is cheaper", () => {
    const tie = [
      setting("x86_64-256", 256, 1.81, 150, 260, 0, { cost: ci(1.76, 1.9) }),
      setting("x86_64-512", 512, 1.8, 80, 130, 0, { cost: ci(1.75, 1.86) }),
      setting("x86_64-1024", 1024, 2.4, 45, 70, 0, { cost: ci(2.3, 2.5) }),
    ];
    const [rec] = recommend(tie);
    expect(rec?.settingId).toBe("x86_64-256");
    expect(rec?.indistinguishableFrom).toEqual(["x86_64-512"]);
    expect(rec?.tieBreak).toBe("least memory");
  });

  it("cost picks the cheapest outright when no interval overlaps it", () => {
    const clear = [
      setting("x86_64-256", 256, 2.0, 150, 260, 0, { cost: ci(1.95, 2.05) }),
      setting("x86_64-512", 512, 1.8, 80, 130, 0, { cost: ci(1.75, 1.86) }),
    ];
    const [rec] = recommend(clear);
    expect(rec).toMatchObject({
      settingId: "x86_64-512",
      reason:
        "x86_64-512 is the cheapest at $1.800 per 1M requests (p95 80.0 ms); next cheapest x86_64-256 at $2.000",
      indistinguishableFrom: [],
    });
    expect(rec?.tieBreak).toBeUndefined();
  });

  it("balanced can score Lambda compute alone (power-tuning's cost term) instead of the whole bill", () => {
    // Whole bill: fixed charges make every cost close (1.8–3.4); compute alone spans far more.
    const bill = [setting("x86_64-256", 256, 4.1, 150, 260), setting("x86_64-1024", 1024, 4.2, 60, 90)];
    const [s256, s1024] = bill as [SettingResult, SettingResult];
    if (s256.cost) s256.cost.lambdaComputePerMillionUsd = 0.05;
    if (s1024.cost) s1024.cost.lambdaComputePerMillionUsd = 0.15;
    const pick = (term: "total" | "lambda-compute") =>
      strategies.balanced.pick(candidatesOf(bill), { balancedWeight: 0.5, balancedCostTerm: term });
    // total: 0.5 × 4.1/4.2 + 0.5 × 1 = 0.988 vs 0.5 × 1 + 0.5 × 0.4 = 0.7 → 1024.
    expect(pick("total").settingId).toBe("x86_64-1024");
    // compute: 0.5 × 0.05/0.15 + 0.5 = 0.667 vs 0.5 + 0.2 = 0.7 → 256.
    expect(pick("lambda-compute").settingId).toBe("x86_64-256");
    expect(pick("lambda-compute").reason).toContain("Lambda compute $0.05000 per 1M");
  });

  it("speed picks the lowest p95; the 1024 MB setting cannot be told apart", () => {
    const rec = recommend(sweep)[1];
    expect(rec?.settingId).toBe("x86_64-2048");
    expect(rec?.reason).toContain("lowest p95 at 40.0 ms");
    expect(rec?.indistinguishableFrom).toEqual(["x86_64-1024"]);
  });

  it("balanced follows the weight from speed (0) to cost (1)", () => {
    const pick = (w: number) =>
      strategies.balanced.pick(candidatesOf(sweep), { balancedWeight: w }).settingId;
    expect(pick(0)).toBe("x86_64-2048");
    expect(pick(1)).toBe("x86_64-512");
    // By hand at 0.5: score = 0.5 × cost/3.4 + 0.5 × p95/300.
    //   512: 0.2647 + 0.1333 = 0.398; 1024: 0.2721 + 0.075 = 0.347; 2048: 0.5 + 0.0667 = 0.567.
    expect(pick(0.5)).toBe("x86_64-1024");
    expect(strategies.balanced.pick(candidatesOf(sweep), { balancedWeight: 0.5 }).reason).toContain(
      "score 0.347",
    );
    expect(() => pick(1.5)).toThrow("balanced weight must be from 0 to 1");
  });

  it("slo picks the cheapest setting meeting p99 and error rate, else null with the reason", () => {
    const slo = (p99Ms: number, errorRate?: number) =>
      strategies.slo.pick(candidatesOf(sweep), {
        slo: { p99Ms, ...(errorRate === undefined ? {} : { errorRate }) },
      });
    expect(slo(100).settingId).toBe("x86_64-1024");
    expect(slo(100).reason).toBe(
      "x86_64-1024 is the cheapest of 2 setting(s) meeting p99 ≤ 100 ms: $1.850 per 1M requests, p99 70.0 ms, error rate 0 %",
    );
    expect(slo(600).settingId).toBe("x86_64-512");
    // 128 MB is cheaper than nothing but breaks the error-rate target.
    expect(slo(1000, 0.001).settingId).toBe("x86_64-512");
    const none = slo(50);
    expect(none.settingId).toBeNull();
    expect(none.reason).toBe(
      "no setting meets p99 ≤ 50.0 ms; the lowest p99 was x86_64-2048 at 60.0 ms with error rate 0 %",
    );
    expect(strategies.slo.pick(candidatesOf(sweep), {}).settingId).toBeNull();
  });
});

describe("failed settings and tie-breakers", () => {
  it("never recommends a failed setting, however cheap and fast", () => {
    const failed: SettingResult = { ...setting("x86_64-4096", 4096, 0.01, 1, 2), status: "failed" };
    const recs = recommend([...sweep, failed], { slo: { p99Ms: 1000 } });
    expect(recs.map((r) => r.settingId)).not.toContain("x86_64-4096");
    expect(recs.flatMap((r) => r.indistinguishableFrom)).not.toContain("x86_64-4096");
  });

  it("returns null for every strategy when every setting failed", () => {
    const recs = recommend([{ ...setting("x86_64-128", 128, 1, 1, 1), status: "failed" }], {
      slo: { p99Ms: 10 },
    });
    expect(recs.map((r) => r.settingId)).toEqual([null, null, null, null]);
    expect(recs[0]?.reason).toContain("no setting completed");
  });

  it("breaks cost ties by lower p99, then less memory", () => {
    const tied = [
      setting("a-1024", 1024, 2, 50, 90),
      setting("b-512", 512, 2, 60, 80),
      setting("c-256", 256, 2, 60, 80),
    ];
    expect(recommend(tied)[0]?.settingId).toBe("c-256");
    const speedTied = [setting("a-1024", 1024, 3, 50, 90), setting("b-512", 512, 2, 50, 80)];
    expect(recommend(speedTied)[1]?.settingId).toBe("b-512");
  });
});

describe("the strategy names", () => {
  it("are one list: the strategies table, recommend()'s order and --auto-apply's choices", () => {
    expect(Object.keys(strategies)).toEqual([...STRATEGY_NAMES]);
    expect(recommend([]).map((r) => r.strategy)).toEqual([...STRATEGY_NAMES]);
  });
});

describe("the sample results", () => {
  it("carry exactly what recommend() makes of their settings", () => {
    const results = sampleResults();
    expect(recommend(results.settings, { slo: results.run.slo ?? {}, balancedWeight: 0.5 })).toEqual(
      results.recommendations,
    );
    expect(results.recommendations.find((r) => r.strategy === "cost")?.settingId).toBe("arm64-512");
  });
});

describe("strategy properties", () => {
  it("picks only ok settings, and cost and speed pick a minimum of their metric", () => {
    const arbitrarySetting = fc.record({
      memoryMb: fc.integer({ min: 128, max: 10_240 }),
      cost: fc.double({ min: 0.01, max: 100, noNaN: true }),
      p95: fc.double({ min: 1, max: 5000, noNaN: true }),
      extraP99: fc.double({ min: 0, max: 5000, noNaN: true }),
      errorRate: fc.double({ min: 0, max: 1, noNaN: true }),
      failed: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(arbitrarySetting, { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (rows, weight) => {
          const settings = rows.map((r, i) => {
            const s = setting(`s${i}`, r.memoryMb, r.cost, r.p95, r.p95 + r.extraP99, r.errorRate);
            return r.failed ? { ...s, status: "failed" as const } : s;
          });
          const ok = settings.filter((s) => s.status === "ok");
          const recs = recommend(settings, { slo: { p99Ms: 1000, errorRate: 0.01 }, balancedWeight: weight });
          for (const rec of recs) {
            if (rec.settingId !== null) expect(ok.map((s) => s.id)).toContain(rec.settingId);
          }
          if (ok.length === 0) {
            expect(recs.every((r) => r.settingId === null)).toBe(true);
            return;
          }
          const byId = new Map(ok.map((s) => [s.id, s]));
          const minCost = Math.min(...ok.map((s) => s.cost?.totalPerMillionUsd ?? Number.NaN));
          const minP95 = Math.min(...ok.map((s) => s.client?.latency.p95Ms ?? Number.NaN));
          expect(byId.get(recs[0]?.settingId ?? "")?.cost?.totalPerMillionUsd).toBe(minCost);
          expect(byId.get(recs[1]?.settingId ?? "")?.client?.latency.p95Ms).toBe(minP95);
          const slo = byId.get(recs[3]?.settingId ?? "");
          if (slo) {
            expect(slo.client?.latency.p99Ms).toBeLessThanOrEqual(1000);
            expect(slo.client?.errorRate).toBeLessThanOrEqual(0.01);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
