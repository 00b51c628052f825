/**
 * Assembles results.json (pure): run metadata, the settings as measured and the recommendations of every
 * strategy. The only input the report needs.
 */
import type { CpuScaling } from "../stage/contracts.ts";
import type { BenchConfig } from "./bench-config.ts";
import { coldStartSensitivity } from "./cold-start-sensitivity.ts";
import { DEFAULT_PRICE_TABLE } from "./price-table.ts";
import {
  RESULTS_SCHEMA_VERSION,
  type Results,
  type RunMetadata,
  type SettingResult,
} from "./results-types.ts";
import type { Stage } from "./stage.ts";
import { recommend } from "./strategies.ts";

export interface RunFacts {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  gitRevision?: string;
  engine: { name: "builtin" | "k6" | "direct"; version: string };
  toolVersions: Record<string, string>;
}

/** A run id that sorts by time and is safe as a folder name, e.g. "2026-11-27T02-10-00Z-3f9a". */
export function makeRunId(at: Date, suffix: string): string {
  return `${at
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-")}-${suffix}`;
}

export function buildResults(
  facts: RunFacts,
  stage: Stage,
  config: BenchConfig,
  settings: SettingResult[],
  sequence?: RunMetadata["sequence"],
): Results {
  const cpuScaling: CpuScaling =
    stage.cpuScaling ??
    (stage.name === "aws"
      ? { mode: "none", reason: "not applicable: real Lambda on AWS" }
      : { mode: "none", reason: "unknown" });
  const recommendOptions = {
    ...(config.slo ? { slo: config.slo } : {}),
    balancedWeight: config.balancedWeight,
    balancedCostTerm: config.balancedCostTerm,
  };
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
      priceTable: { version: DEFAULT_PRICE_TABLE.version, region: stage.region },
      ...(config.slo ? { slo: config.slo } : {}),
      ...(config.discardTopBottom > 0 ? { discardTopBottom: config.discardTopBottom } : {}),
      ...(sequence ? { sequence } : {}),
      coldStartRate:
        config.coldStartRate === undefined
          ? { source: "measured" }
          : { source: "config", rate: config.coldStartRate },
      coldStartSensitivity: coldStartSensitivity(settings, stage.region, recommendOptions),
    },
    settings,
    recommendations: recommend(settings, recommendOptions),
  };
}
