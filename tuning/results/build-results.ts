/**
 * Assembles results.json (pure): run metadata, the settings as measured and the recommendations of every
 * strategy. The only input the report needs.
 */

import { peakRatePerSec, resolveProfile, totalDurationMs } from "../../loadtests/profiles.ts";
import { ArrivalSchedule } from "../../loadtests/schedule.ts";
import type { BenchConfig } from "../config/bench-config.ts";
import { DEFAULT_COLD_START_RATE } from "../core/assess.ts";
import { coldStartSensitivity } from "../core/cold-start-sensitivity.ts";
import type { PricingOptions } from "../core/cost-model.ts";
import { fnv1a32Digest } from "../core/fingerprint.ts";
import { DEFAULT_PRICE_TABLE, type PriceTable, unitPriceUsd } from "../core/price-table.ts";
import { runWarnings } from "../core/run-warnings.ts";
import { type RecommendOptions, recommend } from "../core/strategies.ts";
import type { CpuScaling, Stage } from "../stage.ts";
import {
  RESULTS_SCHEMA_VERSION,
  type Recommendation,
  type Results,
  type RunLoad,
  type RunMetadata,
  type SettingResult,
  type WorkloadInputs,
} from "./results-types.ts";

export interface RunFacts {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  gitRevision?: string;
  engine: { name: "builtin" | "k6" | "direct"; version: string };
  toolVersions: Record<string, string>;
  /** The price table, monthly volume and free tier the run priced with. @default the snapshot, first tiers */
  pricing?: PricingOptions;
  /** The files that defined the workload (tuning/adapters/workload-inputs.ts). */
  inputs?: WorkloadInputs;
}

/**
 * What results.json records of the price table a run used: its version and origin, the region, the monthly
 * volume and free tier, and the region's API Gateway prices per 1M calls at the run's tier (the report's API
 * type lever reads them, so a report rendered later never falls back on the snapshot's prices).
 * @example runPriceTable({ table: userTable }, "eu-west-1").apiGateway?.HTTP // { perMillionUsd: 1.11, source: "..." }
 */
export function runPriceTable(
  pricing: PricingOptions | undefined,
  region: string,
): RunMetadata["priceTable"] {
  const table: PriceTable = pricing?.table ?? DEFAULT_PRICE_TABLE;
  const monthly = pricing?.monthlyRequests;
  const apiGateway: NonNullable<RunMetadata["priceTable"]["apiGateway"]> = {};
  for (const type of ["REST", "HTTP"] as const) {
    const price = table.regions[region]?.apiGateway?.[type];
    if (!price) continue;
    try {
      apiGateway[type] = { perMillionUsd: unitPriceUsd(price, monthly) * 1e6, source: price.source };
    } catch {
      // a monthly volume past the table's confirmed tiers: no price to record for this type
    }
  }
  return {
    version: table.version,
    region,
    ...(monthly !== undefined ? { monthlyRequests: monthly } : {}),
    ...(pricing?.freeTier ? { freeTier: true } : {}),
    origin: table.origin,
    ...(Object.keys(apiGateway).length > 0 ? { apiGateway } : {}),
  };
}

/** A run id that sorts by time and is safe as a folder name, e.g. "2026-11-27T02-10-00Z-3f9a". */
export function makeRunId(at: Date, suffix: string): string {
  return `${at
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-")}-${suffix}`;
}

/** JSON with object keys sorted, so equal values give equal text whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The load that defines the run's workload, from the configuration alone (the preflight compares it with a
 * baseline's before the stage starts). API mode: the profile resolved with --rate and --duration, as the
 * load engine resolves it (tuning/adapters/load-ports.ts).
 *
 * @example runLoadOf({ ...BENCH_DEFAULTS, ...QUICK_PRESET, quick: true }) // { mode: "api", ratePerSec: 20, durationS: 4, ... }
 */
export function runLoadOf(
  config: Pick<BenchConfig, "mode" | "profile" | "ratePerSec" | "durationS" | "warmupS" | "direct" | "quick">,
): RunLoad {
  const quick = config.quick ? { quick: true as const } : {};
  if (config.mode === "direct") {
    return {
      mode: "direct",
      invocations: config.direct.invocations,
      parallelism: config.direct.parallelism,
      onlyColdStarts: config.direct.onlyColdStarts,
      payloadsDigest: fnv1a32Digest(canonicalJson(config.direct.payloads)),
      ...quick,
    };
  }
  const profile = resolveProfile(config.profile, {
    ...(config.ratePerSec !== undefined ? { ratePerSec: config.ratePerSec } : {}),
    ...(config.durationS !== undefined ? { durationMs: config.durationS * 1000 } : {}),
  });
  return {
    mode: "api",
    ratePerSec: peakRatePerSec(profile),
    durationS: totalDurationMs(profile) / 1000,
    warmupS: config.warmupS,
    requests: new ArrivalSchedule(profile).totalIterations,
    ...quick,
  };
}

/** The strategies' options of a run, built in this one place for results.json and the auto-apply pick. */
export function recommendOptionsOf(config: BenchConfig): RecommendOptions {
  return {
    ...(config.slo ? { slo: config.slo } : {}),
    balancedWeight: config.balancedWeight,
    balancedCostTerm: config.balancedCostTerm,
  };
}

/**
 * `recommendations`: when the run already called recommend() on these settings (the auto-apply pick), its
 * answer, so results.json records the very picks that were applied; otherwise recommend() runs here.
 */
export function buildResults(
  facts: RunFacts,
  stage: Stage,
  config: BenchConfig,
  settings: SettingResult[],
  sequence?: RunMetadata["sequence"],
  recommendations?: Recommendation[],
): Results {
  const cpuScaling: CpuScaling =
    stage.cpuScaling ??
    (stage.name === "aws"
      ? { mode: "none", reason: "not applicable: real Lambda on AWS" }
      : { mode: "none", reason: "unknown" });
  const recommendOptions = recommendOptionsOf(config);
  const warnings = runWarnings(settings, config.mode === "direct" ? null : stage.apiType);
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      id: facts.runId,
      startedAt: facts.startedAt.toISOString(),
      endedAt: facts.endedAt.toISOString(),
      ...(facts.gitRevision ? { gitRevision: facts.gitRevision } : {}),
      stage: {
        name: stage.name,
        region: stage.region,
        apiUrl: stage.apiUrl,
        apiType: stage.apiType,
        functionName: stage.functionName,
        alias: stage.alias,
      },
      mode: config.mode,
      engine: facts.engine,
      profile: config.mode === "direct" ? "direct-invoke" : config.profile,
      toolVersions: facts.toolVersions,
      cpuScaling,
      priceTable: runPriceTable(facts.pricing, stage.region),
      ...(config.slo ? { slo: config.slo } : {}),
      ...(config.discardTopBottom > 0 ? { discardTopBottom: config.discardTopBottom } : {}),
      ...(sequence ? { sequence } : {}),
      load: runLoadOf(config),
      ...(facts.inputs ? { inputs: facts.inputs } : {}),
      ...(config.rounds > 1 ? { rounds: config.rounds } : {}),
      coldStartRate:
        config.coldStartRate === undefined
          ? { source: "default", rate: DEFAULT_COLD_START_RATE }
          : config.coldStartRate === "measured"
            ? { source: "measured" }
            : { source: "config", rate: config.coldStartRate },
      coldStartSensitivity: coldStartSensitivity(settings, stage.region, recommendOptions, facts.pricing),
      ...(warnings.length > 0 ? { warnings } : {}),
    },
    settings,
    recommendations: recommendations ?? recommend(settings, recommendOptions),
  };
}
