/**
 * Strategies (pure): which setting to recommend, as a typed table. Each strategy ranks the settings that
 * can win (status "ok", with cost and client latency measured) by its own metric with explicit
 * tie-breakers, says why in words with the deciding figures, and lists the settings its bootstrap intervals
 * cannot tell apart from the pick. Failed settings never win.
 */
import { formatMs, formatNumber, formatPercent, formatRate, formatUsd } from "../../reports/format.ts";
import type {
  ConfidenceInterval,
  Recommendation,
  SettingResult,
  StrategyName,
} from "../results/results-types.ts";
import { distinguishable } from "./statistics.ts";

export interface SloTargets {
  /** Client-side p99 latency target, ms. */
  p99Ms?: number;
  /** Error rate target, fraction 0–1. */
  errorRate?: number;
}

export interface RecommendOptions {
  slo?: SloTargets;
  /** Balanced strategy: 0 = only speed matters, 1 = only cost (power-tuning's balancedWeight). @default 0.5 */
  balancedWeight?: number;
  /**
   * Balanced strategy's cost term: "total" (the whole bill per request) or "lambda-compute" (GB-seconds only,
   * as aws-lambda-power-tuning). With "total", fixed per-request charges (API Gateway, DynamoDB, logs) are in
   * every setting's cost, so cost/max cost spans only a few percent and speed dominates the score.
   * @default "total"
   */
  balancedCostTerm?: "total" | "lambda-compute";
}

export const RECOMMEND_DEFAULTS = { balancedWeight: 0.5 } as const;

/** A setting that can win, with the figures strategies compare. */
export interface Candidate {
  id: string;
  memoryMb: number;
  costPerMillionUsd: number;
  /** Lambda compute alone per 1M requests (power-tuning's cost term for balanced). */
  lambdaComputePerMillionUsd: number;
  /** Client-side p95 through the API, ms: the speed metric. */
  p95Ms: number;
  p99Ms: number;
  errorRate: number;
  costInterval?: ConfidenceInterval;
  p95Interval?: ConfidenceInterval;
}

export interface Strategy {
  description: string;
  pick(candidates: readonly Candidate[], options: RecommendOptions): Recommendation;
}

type Comparator = (a: Candidate, b: Candidate) => number;

const byCost: Comparator = (a, b) => a.costPerMillionUsd - b.costPerMillionUsd;
const byP95: Comparator = (a, b) => a.p95Ms - b.p95Ms;
const byP99: Comparator = (a, b) => a.p99Ms - b.p99Ms;
const byMemory: Comparator = (a, b) => a.memoryMb - b.memoryMb;
const byId: Comparator = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function chain(...comparators: Comparator[]): Comparator {
  return (a, b) => {
    for (const compare of comparators) {
      const order = compare(a, b);
      if (order !== 0) return order;
    }
    return 0;
  };
}

function best(candidates: readonly Candidate[], compare: Comparator): Candidate | undefined {
  return [...candidates].sort(compare)[0];
}

/** Candidates whose interval on a metric overlaps the pick's: the data cannot tell them apart. */
function indistinguishable(
  pick: Candidate,
  candidates: readonly Candidate[],
  interval: (c: Candidate) => ConfidenceInterval | undefined,
): string[] {
  const mine = interval(pick);
  if (!mine) return [];
  return candidates
    .filter((c) => c.id !== pick.id)
    .filter((c) => {
      const theirs = interval(c);
      return theirs !== undefined && !distinguishable(mine, theirs);
    })
    .map((c) => c.id);
}

function none(strategy: StrategyName, reason: string): Recommendation {
  return { strategy, settingId: null, reason, indistinguishableFrom: [] };
}

const NO_CANDIDATES =
  "no setting completed with cost and latency measured (every setting failed or was not measured)";

const cost: Strategy = {
  description:
    "lowest total cost per 1M requests; when the cheapest cannot be told apart (95 % intervals overlap), the least memory among them; ties: lower p99, then less memory",
  pick(candidates) {
    const cheapest = best(candidates, chain(byCost, byP99, byMemory, byId));
    if (!cheapest) return none("cost", NO_CANDIDATES);
    // Settings the bootstrap cannot tell apart from the cheapest: the tie-break (least memory) decides.
    const tied = indistinguishable(cheapest, candidates, (c) => c.costInterval);
    const group = candidates.filter((c) => c.id === cheapest.id || tied.includes(c.id));
    const pick = tied.length > 0 ? (best(group, chain(byMemory, byCost, byId)) as Candidate) : cheapest;
    const others = (c: Candidate) => c.id !== pick.id;
    if (tied.length > 0) {
      const names = group.filter(others).map((c) => `${c.id} (${formatUsd(c.costPerMillionUsd)})`);
      return {
        strategy: "cost",
        settingId: pick.id,
        reason:
          `not distinguishable on cost: ${pick.id} at ${formatUsd(pick.costPerMillionUsd)} per 1M requests and ${names.join(", ")} ` +
          `have overlapping 95 % intervals; tie-break: least memory, so ${pick.id} (${pick.memoryMb} MB, p95 ${formatMs(pick.p95Ms)})`,
        indistinguishableFrom: group.filter(others).map((c) => c.id),
        tieBreak: "least memory",
      };
    }
    const next = best(candidates.filter(others), chain(byCost, byP99, byMemory, byId));
    const margin = next ? `; next cheapest ${next.id} at ${formatUsd(next.costPerMillionUsd)}` : "";
    return {
      strategy: "cost",
      settingId: pick.id,
      reason: `${pick.id} is the cheapest at ${formatUsd(pick.costPerMillionUsd)} per 1M requests (p95 ${formatMs(pick.p95Ms)})${margin}`,
      indistinguishableFrom: [],
    };
  },
};

const speed: Strategy = {
  description: "lowest client-side p95 through the API; ties: cheaper, then less memory",
  pick(candidates) {
    const pick = best(candidates, chain(byP95, byCost, byMemory, byId));
    if (!pick) return none("speed", NO_CANDIDATES);
    return {
      strategy: "speed",
      settingId: pick.id,
      reason: `${pick.id} has the lowest p95 at ${formatMs(pick.p95Ms)} (p99 ${formatMs(pick.p99Ms)}), costing ${formatUsd(pick.costPerMillionUsd)} per 1M requests`,
      indistinguishableFrom: indistinguishable(pick, candidates, (c) => c.p95Interval),
    };
  },
};

const balanced: Strategy = {
  description:
    "lowest weight × cost/max cost + (1 − weight) × p95/max p95 (weight 0 = speed, 1 = cost); ties: cheaper, then lower p99, then less memory",
  pick(candidates, options) {
    const weight = options.balancedWeight ?? RECOMMEND_DEFAULTS.balancedWeight;
    if (!(weight >= 0 && weight <= 1)) {
      throw new RangeError(`balanced weight must be from 0 to 1 (0 = speed, 1 = cost), got ${weight}`);
    }
    if (candidates.length === 0) return none("balanced", NO_CANDIDATES);
    const computeOnly = options.balancedCostTerm === "lambda-compute";
    const costOf = (c: Candidate) => (computeOnly ? c.lambdaComputePerMillionUsd : c.costPerMillionUsd);
    const maxCost = Math.max(...candidates.map(costOf)) || 1;
    const maxP95 = Math.max(...candidates.map((c) => c.p95Ms)) || 1;
    const score = (c: Candidate) => weight * (costOf(c) / maxCost) + (1 - weight) * (c.p95Ms / maxP95);
    const pick = best(
      candidates,
      chain((a, b) => score(a) - score(b), byCost, byP99, byMemory, byId),
    );
    if (!pick) return none("balanced", NO_CANDIDATES);
    return {
      strategy: "balanced",
      settingId: pick.id,
      reason:
        `${pick.id} has the best balanced score ${formatNumber(score(pick), 3)} at weight ${weight} ` +
        `(${computeOnly ? "Lambda compute" : "cost"} ${formatUsd(costOf(pick))} per 1M = ${formatPercent(costOf(pick) / maxCost)} of the most expensive, ` +
        `p95 ${formatMs(pick.p95Ms)} = ${formatPercent(pick.p95Ms / maxP95)} of the slowest)`,
      // Not distinguishable on either metric: both intervals overlap the pick's.
      indistinguishableFrom: indistinguishable(pick, candidates, (c) => c.costInterval).filter((id) =>
        indistinguishable(pick, candidates, (c) => c.p95Interval).includes(id),
      ),
    };
  },
};

const slo: Strategy = {
  description:
    "cheapest setting whose p99 and error rate meet the targets; ties: lower p99, then less memory",
  pick(candidates, options) {
    const targets = options.slo;
    if (!targets || (targets.p99Ms === undefined && targets.errorRate === undefined)) {
      return none("slo", "no SLO targets were given (a p99 latency and/or an error rate)");
    }
    const wanted = [
      targets.p99Ms !== undefined ? `p99 ≤ ${formatMs(targets.p99Ms)}` : undefined,
      targets.errorRate !== undefined ? `error rate ≤ ${formatRate(targets.errorRate)}` : undefined,
    ]
      .filter(Boolean)
      .join(" and ");
    const meets = candidates.filter(
      (c) =>
        (targets.p99Ms === undefined || c.p99Ms <= targets.p99Ms) &&
        (targets.errorRate === undefined || c.errorRate <= targets.errorRate),
    );
    const pick = best(meets, chain(byCost, byP99, byMemory, byId));
    if (!pick) {
      const closest = best(candidates, chain(byP99, byCost, byMemory, byId));
      const hint = closest
        ? `; the lowest p99 was ${closest.id} at ${formatMs(closest.p99Ms)} with error rate ${formatRate(closest.errorRate)}`
        : "";
      return none(
        "slo",
        `no setting meets ${wanted}${candidates.length === 0 ? ` (${NO_CANDIDATES})` : hint}`,
      );
    }
    return {
      strategy: "slo",
      settingId: pick.id,
      reason:
        `${pick.id} is the cheapest of ${meets.length} setting(s) meeting ${wanted}: ` +
        `${formatUsd(pick.costPerMillionUsd)} per 1M requests, p99 ${formatMs(pick.p99Ms)}, error rate ${formatRate(pick.errorRate)}`,
      indistinguishableFrom: indistinguishable(pick, meets, (c) => c.costInterval),
    };
  },
};

/** The strategies, in the order recommendations are listed. */
export const strategies = { cost, speed, balanced, slo } satisfies Record<StrategyName, Strategy>;

/** The strategies, in the order results.json lists their recommendations; every `StrategyName` once. */
export const STRATEGY_NAMES = ["cost", "speed", "balanced", "slo"] as const satisfies readonly StrategyName[];
// Compile-time: a name added to the schema's StrategyName and missing here fails the type check.
const everyStrategyNamed: Exclude<StrategyName, (typeof STRATEGY_NAMES)[number]> extends never
  ? true
  : never = true;
void everyStrategyNamed;

/** The settings that can win: status "ok" with cost and client latency measured. */
export function candidatesOf(settings: readonly SettingResult[]): Candidate[] {
  const candidates: Candidate[] = [];
  for (const s of settings) {
    if (s.status !== "ok" || !s.cost || !s.client) continue;
    const candidate: Candidate = {
      id: s.id,
      memoryMb: s.memoryMb,
      costPerMillionUsd: s.cost.totalPerMillionUsd,
      lambdaComputePerMillionUsd: s.cost.lambdaComputePerMillionUsd + s.cost.initPerMillionUsd,
      p95Ms: s.client.latency.p95Ms,
      p99Ms: s.client.latency.p99Ms,
      errorRate: s.client.errorRate,
    };
    if (s.stats?.costPerMillionUsd) candidate.costInterval = s.stats.costPerMillionUsd;
    if (s.stats?.p95Ms) candidate.p95Interval = s.stats.p95Ms;
    candidates.push(candidate);
  }
  return candidates;
}

/** One recommendation per strategy (cost, speed, balanced, slo). */
export function recommend(
  settings: readonly SettingResult[],
  options: RecommendOptions = {},
): Recommendation[] {
  const candidates = candidatesOf(settings);
  return (Object.keys(strategies) as StrategyName[]).map((name) =>
    strategies[name].pick(candidates, options),
  );
}
