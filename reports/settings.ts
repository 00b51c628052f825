/**
 * Helpers over the settings of a results object: order, labels, which ones can be drawn. Pure.
 */
import type { Architecture, Results, SettingResult, StrategyName } from "../tuning/results/results-types.ts";
import { formatNumber } from "./format.ts";

/** Fixed order and colours of the architectures, so every chart uses the same legend. */
export const ARCHITECTURES = ["x86_64", "arm64"] as const satisfies readonly Architecture[];
export const ARCHITECTURE_COLORS = ["#4c78a8", "#f58518"] as const;

/** Settings sorted by architecture (x86_64 first), then memory size, then id. */
export function orderedSettings(results: Results): SettingResult[] {
  return [...results.settings].sort(
    (a, b) =>
      ARCHITECTURES.indexOf(a.architecture) - ARCHITECTURES.indexOf(b.architecture) ||
      a.memoryMb - b.memoryMb ||
      a.id.localeCompare(b.id),
  );
}

/** The order of setting ids on nominal axes. */
export function settingOrder(results: Results): string[] {
  return orderedSettings(results).map((s) => s.id);
}

/** Settings that completed (status "ok"); failed settings are listed in the report, not drawn. */
export function okSettings(results: Results): SettingResult[] {
  return orderedSettings(results).filter((s) => s.status === "ok");
}

export function failedSettings(results: Results): SettingResult[] {
  return orderedSettings(results).filter((s) => s.status === "failed");
}

/** The setting each strategy picked: setting id → strategy names. */
export function picksBySetting(results: Results): Map<string, string[]> {
  const picks = new Map<string, string[]>();
  for (const rec of results.recommendations) {
    if (rec.settingId === null) continue;
    picks.set(rec.settingId, [...(picks.get(rec.settingId) ?? []), rec.strategy]);
  }
  return picks;
}

/**
 * Cold-start rate of a setting: cold starts / invocations (both from Lambda), or undefined without
 * invocations. Documented in docs/report.md.
 */
export function coldStartRate(setting: SettingResult): number | undefined {
  const lambda = setting.lambda;
  if (!lambda || lambda.invocations <= 0) return undefined;
  return lambda.coldStarts / lambda.invocations;
}

/**
 * Whether a setting meets the run's SLO: client p99 ≤ slo.p99Ms and client error rate ≤ slo.errorRate
 * (each only when set). Undefined when there is no SLO or no client measurements.
 */
export function meetsSlo(results: Results, setting: SettingResult): boolean | undefined {
  const slo = results.run.slo;
  const client = setting.client;
  if (!slo || (slo.p99Ms === undefined && slo.errorRate === undefined) || !client) return undefined;
  if (setting.status !== "ok") return false;
  return (
    (slo.p99Ms === undefined || client.latency.p99Ms <= slo.p99Ms) &&
    (slo.errorRate === undefined || client.errorRate <= slo.errorRate)
  );
}

/** The answer of a strategy that could not run for want of its input: the SLO strategy without an SLO. */
export const SLO_NOT_SET = "not set (--slo-p99, --slo-error-rate)";

/** Whether the run had no SLO target (neither a p99 nor an error rate): the SLO card says "not set". */
export function sloNotSet(results: Results): boolean {
  const slo = results.run.slo;
  return !slo || (slo.p99Ms === undefined && slo.errorRate === undefined);
}

/**
 * What a strategy that picked nothing answers: "not set (--slo-p99, --slo-error-rate)" for the SLO strategy
 * of a run without an SLO, "no setting qualifies" otherwise.
 */
export function noPickAnswer(results: Results, strategy: StrategyName): string {
  return strategy === "slo" && sloNotSet(results) ? SLO_NOT_SET : "no setting qualifies";
}

/** How many architectures the run's settings used (failed ones included: they ran too). */
export function architectureCount(results: Results): number {
  return new Set(results.settings.map((s) => s.architecture)).size;
}

/**
 * A setting named as an answer, not by its id: "1,024 MB", with the architecture only when more than one ran
 * ("1,024 MB arm64"). Ids (`x86_64-1024`) stay in tables and tooltips, where they are keys.
 * @example settingLabel(setting, architectureCount(results)) // "512 MB"
 */
export function settingLabel(
  setting: Pick<SettingResult, "memoryMb" | "architecture">,
  archs: number,
): string {
  return `${formatNumber(setting.memoryMb, 0)} MB${archs > 1 ? ` ${setting.architecture}` : ""}`;
}

/** The label of the setting with `id`, or the id itself when the results have no such setting. */
export function labelOfId(results: Results, id: string): string {
  const setting = results.settings.find((s) => s.id === id);
  return setting ? settingLabel(setting, architectureCount(results)) : id;
}

/** What each strategy's pick answers, as the card's title says it: "Lowest cost: 512 MB". */
export const STRATEGY_TITLES = {
  cost: "Lowest cost",
  speed: "Fastest (p95)",
  balanced: "Balanced cost and speed",
  slo: "Cheapest within the SLO",
} as const satisfies Record<StrategyName, string>;
