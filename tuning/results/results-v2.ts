/**
 * The reader for results.json schema version 2 (tuning/results/results.schema.v2.json): validates a version 2 file
 * against its own schema and upgrades it to the current version. Version 3 only renamed fields so that
 * their units are in their names, so nothing is lost or invented: the cost components per 1M requests
 * (`lambdaComputeUsd` → `lambdaComputePerMillionUsd`, ...) and DynamoDB's units under the word on-demand
 * bills them by (`readCapacityUnits` → `readRequestUnits`, `writeCapacityUnits` → `writeRequestUnits`).
 * `run.upgradedFromSchemaVersion` says the file was version 2 (or keeps 1 when it began as version 1).
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import schemaV2 from "./results.schema.v2.json" with { type: "json" };
import type {
  CostBreakdown,
  DynamoDbMeasurements,
  Recommendation,
  Results,
  RunMetadata,
  SettingResult,
  SettingRound,
} from "./results-types.ts";

let compiled: ValidateFunction | undefined;

/** The version 2 validator (compiled once). */
export function validatorV2(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true }).compile(
    schemaV2,
  );
  return compiled;
}

/** Version 2's name of each cost component (all per 1M requests) → version 3's. */
export const COST_NAMES_V2 = {
  lambdaComputeUsd: "lambdaComputePerMillionUsd",
  lambdaRequestsUsd: "lambdaRequestsPerMillionUsd",
  apiGatewayUsd: "apiGatewayPerMillionUsd",
  dynamodbUsd: "dynamodbPerMillionUsd",
  dynamodbFailedWritesUsd: "dynamodbFailedWritesPerMillionUsd",
  cloudwatchLogsUsd: "cloudwatchLogsPerMillionUsd",
  initUsd: "initPerMillionUsd",
} as const satisfies Record<string, keyof CostBreakdown>;

type Units = "readRequestUnits" | "writeRequestUnits";
export type CostV2 = { [K in keyof typeof COST_NAMES_V2]: number } & Pick<
  CostBreakdown,
  "totalPerMillionUsd" | "perRequestUsd"
>;
type DynamoDbV2 = Omit<DynamoDbMeasurements, Units> & {
  readCapacityUnits: number;
  writeCapacityUnits: number;
};
type RoundV2 = Omit<SettingRound, Units> & { readCapacityUnits?: number; writeCapacityUnits?: number };
export type SettingV2 = Omit<SettingResult, "cost" | "dynamodb" | "rounds"> & {
  cost?: CostV2;
  dynamodb?: DynamoDbV2;
  rounds?: RoundV2[];
};
/** A version 2 document (or a version 1 document upgraded to version 2's shape). */
export interface ResultsV2 {
  schemaVersion: 2;
  run: Omit<RunMetadata, "upgradedFromSchemaVersion"> & { upgradedFromSchemaVersion?: 1 };
  settings: SettingV2[];
  recommendations: Recommendation[];
}

function upgradeCost(cost: CostV2): CostBreakdown {
  const { totalPerMillionUsd, perRequestUsd } = cost;
  const renamed = Object.fromEntries(
    Object.entries(COST_NAMES_V2).map(([v2, v3]) => [v3, cost[v2 as keyof typeof COST_NAMES_V2]]),
  ) as Omit<CostBreakdown, "totalPerMillionUsd" | "perRequestUsd">;
  return { ...renamed, totalPerMillionUsd, perRequestUsd };
}

function upgradeRound({ readCapacityUnits, writeCapacityUnits, ...round }: RoundV2): SettingRound {
  return {
    ...round,
    ...(readCapacityUnits !== undefined ? { readRequestUnits: readCapacityUnits } : {}),
    ...(writeCapacityUnits !== undefined ? { writeRequestUnits: writeCapacityUnits } : {}),
  };
}

function upgradeSetting({ cost, dynamodb, rounds, ...setting }: SettingV2): SettingResult {
  const upgraded: SettingResult = { ...setting };
  if (dynamodb) {
    const { readCapacityUnits, writeCapacityUnits, ...rest } = dynamodb;
    upgraded.dynamodb = {
      ...rest,
      readRequestUnits: readCapacityUnits,
      writeRequestUnits: writeCapacityUnits,
    };
  }
  if (cost) upgraded.cost = upgradeCost(cost);
  if (rounds) upgraded.rounds = rounds.map(upgradeRound);
  return upgraded;
}

/** A validated version 2 document, upgraded to the current shape. */
export function upgradeResultsV2(data: ResultsV2): Results {
  return {
    schemaVersion: 3,
    run: { ...data.run, upgradedFromSchemaVersion: data.run.upgradedFromSchemaVersion ?? 2 },
    settings: data.settings.map(upgradeSetting),
    recommendations: data.recommendations,
  };
}
