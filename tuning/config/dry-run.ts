/**
 * The planned sweep before it starts (pure): its settings, its load per setting and its wall time, as the
 * large-sweep confirmation weighs them, and the `--dry-run` text (every AWS request per setting, the load,
 * the estimated cost of the run itself and its wall time). Nothing here reads a file or the stage: the
 * caller passes the gate's request count (postman/newman-gate.ts) and the stage it would run on.
 */
import { peakRatePerSec, resolveProfile, totalDurationMs } from "../../loadtests/profiles.ts";
import { formatDuration, formatNumber, formatPerSecond, formatUsd } from "../../reports/format.ts";
import { estimateRunCostUsd } from "../core/cost-model.ts";
import type { PriceTable } from "../core/price-table.ts";
import type { Stage } from "../stage.ts";
import type { BenchConfig } from "./bench-config.ts";
import { estimateSweep, type SweepEstimate } from "./estimate.ts";
import { describeRequests, planSettings, type Setting } from "./plan.ts";

export interface PlannedRun {
  settings: Setting[];
  /** The profile's peak rate (or --rate), requests per second. */
  rate: number;
  /** The measured load per setting, seconds (the profile's, or --duration). */
  durationS: number;
  estimate: SweepEstimate;
}

/** The settings and the load of the planned sweep, as the dry run and the confirmation show them. */
export function planRun(config: BenchConfig): PlannedRun {
  const settings = planSettings(config.memoryMb, config.architectures);
  const profile = resolveProfile(config.profile, {
    ...(config.ratePerSec !== undefined ? { ratePerSec: config.ratePerSec } : {}),
    ...(config.durationS !== undefined ? { durationMs: config.durationS * 1000 } : {}),
  });
  const rate = peakRatePerSec(profile);
  const durationS = totalDurationMs(profile) / 1000;
  const estimate = estimateSweep({
    settings: settings.length,
    stage: config.stage,
    mode: config.mode,
    loadS: durationS,
    warmupS: config.warmupS,
    rounds: config.rounds,
    gate: config.gate,
    direct: config.direct,
  });
  return { settings, rate, durationS, estimate };
}

export interface DryRunContext {
  /** The stage the run would use (on AWS the dry run reads the stack); else the local stage's defaults. */
  stage?: Stage;
  /** Requests in one pass of the Newman collection (0 without the gate). */
  gateRequests: number;
  /** The user's price table, already read. */
  priceTable?: PriceTable;
}

/** The `--dry-run` text: what the run would do, change and cost. Nothing is changed. */
export function renderDryRun(config: BenchConfig, context: DryRunContext): string {
  const { settings, rate, durationS, estimate } = planRun(config);
  const { stage, gateRequests } = context;
  const region = stage?.region ?? "us-east-1";
  const fn = stage?.functionName ?? "<local function>";
  const alias = stage?.alias ?? "live";
  // The measured and warm-up loads at the profile's rate (or --rate), plus one pass of the Newman collection.
  const requestsPerSetting =
    config.mode === "direct"
      ? config.direct.invocations
      : Math.ceil(rate * (durationS + config.warmupS)) + gateRequests;
  const costEstimate = estimateRunCostUsd({
    settings,
    requestsPerSetting,
    region,
    apiType: config.mode === "direct" ? null : (stage?.apiType ?? config.aws?.apiType ?? "REST"),
    ...(context.priceTable ? { table: context.priceTable } : {}),
  });
  return [
    `dry run: ${settings.length} setting(s) on the ${config.stage} stage, ${config.mode} mode, nothing is changed`,
    "",
    ...settings.flatMap((s) => [`${s.id}:`, ...describeRequests(s, fn, alias).map((r) => `  ${r}`)]),
    "",
    `then: restore MemorySize and the alias, delete the versions the run published`,
    config.k6Script !== undefined
      ? `load per setting: your k6 script ${config.k6Script} decides it (the estimates below assume ${requestsPerSetting} requests), plus the Newman gate's ${gateRequests} requests`
      : `load per setting: about ${requestsPerSetting} requests (${config.mode === "direct" ? "invocations" : `${formatPerSecond(rate)} for ${formatNumber(durationS)}+${formatNumber(config.warmupS)} s, plus the Newman gate's ${gateRequests} requests`})`,
    `estimated AWS cost of the run itself: ${formatUsd(costEstimate.totalUsd)} (${costEstimate.assumptions})`,
    `estimated wall time: about ${formatDuration(estimate.totalS)} (${estimate.basis})`,
  ].join("\n");
}
