/**
 * The reader for results.json schema version 1 (tuning/results/results.schema.v1.json): validates a version 1
 * file against its own schema and upgrades it to the current version. What version 1 did not measure is
 * marked, not invented: the new cost components are 0 and `run.upgradedFromSchemaVersion` says why;
 * attribution is "window" (version 1 priced every invocation of the version in the window). The upgrade goes
 * through version 2's shape, then tuning/results/results-v2.ts's.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import schemaV1 from "./results.schema.v1.json" with { type: "json" };
import type { CostV2, ResultsV2, SettingV2 } from "./results-v2.ts";

let compiled: ValidateFunction | undefined;

/** The version 1 validator (compiled once). */
export function validatorV1(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true }).compile(
    schemaV1,
  );
  return compiled;
}

type SettingV1 = Omit<SettingV2, "cost"> & {
  cost?: Omit<CostV2, "dynamodbFailedWritesUsd" | "cloudwatchLogsUsd" | "initUsd">;
};

/**
 * A validated version 1 document, upgraded to version 2's shape (tuning/results/results-v2.ts takes it on to the
 * current version).
 */
export function upgradeResultsV1(data: {
  run: Omit<ResultsV2["run"], "upgradedFromSchemaVersion">;
  settings: SettingV1[];
  recommendations: ResultsV2["recommendations"];
}): ResultsV2 {
  return {
    schemaVersion: 2,
    run: { ...data.run, upgradedFromSchemaVersion: 1 },
    settings: data.settings.map(
      ({ cost, ...setting }): SettingV2 => ({
        ...setting,
        ...(setting.lambda ? { lambda: { ...setting.lambda, attribution: "window" as const } } : {}),
        ...(cost ? { cost: { ...cost, dynamodbFailedWritesUsd: 0, cloudwatchLogsUsd: 0, initUsd: 0 } } : {}),
      }),
    ),
    recommendations: data.recommendations,
  };
}
