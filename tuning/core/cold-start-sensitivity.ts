/**
 * How the cost pick changes with the cold-start rate (pure): each setting's INIT share is repriced at
 * 0 %, 0.1 %, 1 % and 5 % cold starts (its mean billed INIT × the rate, at its GB-second price), its cost
 * interval shifted by the same amount, and the cost strategy picks again.
 */

import type { SettingResult } from "../results/results-types.ts";
import { computeCost, type PricingOptions } from "./cost-model.ts";
import { candidatesOf, type RecommendOptions, strategies } from "./strategies.ts";

/** The rates the report shows. */
export const SENSITIVITY_RATES = [0, 0.001, 0.01, 0.05] as const;

/** INIT cost per 1M requests of a setting at a cold-start rate. */
function initUsdAt(setting: SettingResult, rate: number, region: string, pricing: PricingOptions): number {
  const billedMeanMs = setting.lambda?.init?.billedMeanMs ?? 0;
  return computeCost(
    {
      architecture: setting.architecture,
      memoryMb: setting.memoryMb,
      billedDurationMeanMs: 0,
      invocationsPerRequest: 0,
      apiType: null,
      coldStartRate: rate,
      initBilledMs: billedMeanMs,
    },
    { ...pricing, region },
  ).initPerMillionUsd;
}

/** The setting as if INIT were priced at `rate`. */
export function repriceAtColdStartRate(
  setting: SettingResult,
  rate: number,
  region: string,
  pricing: PricingOptions = {},
): SettingResult {
  if (!setting.cost) return setting;
  const delta = initUsdAt(setting, rate, region, pricing) - setting.cost.initPerMillionUsd;
  const interval = setting.stats?.costPerMillionUsd;
  return {
    ...setting,
    cost: {
      ...setting.cost,
      initPerMillionUsd: setting.cost.initPerMillionUsd + delta,
      totalPerMillionUsd: setting.cost.totalPerMillionUsd + delta,
      perRequestUsd: (setting.cost.totalPerMillionUsd + delta) / 1e6,
    },
    ...(setting.stats
      ? {
          stats: {
            ...setting.stats,
            ...(interval
              ? { costPerMillionUsd: { ...interval, low: interval.low + delta, high: interval.high + delta } }
              : {}),
          },
        }
      : {}),
  };
}

/** The cost pick at each of SENSITIVITY_RATES. */
export function coldStartSensitivity(
  settings: readonly SettingResult[],
  region: string,
  options: RecommendOptions = {},
  pricing: PricingOptions = {},
): Array<{ rate: number; costPick: string | null; notDistinguishableFrom: string[] }> {
  return SENSITIVITY_RATES.map((rate) => {
    const repriced = settings.map((s) => repriceAtColdStartRate(s, rate, region, pricing));
    const pick = strategies.cost.pick(candidatesOf(repriced), options);
    return { rate, costPick: pick.settingId, notDistinguishableFrom: pick.indistinguishableFrom };
  });
}
