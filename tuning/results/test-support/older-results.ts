/**
 * Results as older schema versions wrote them, for the tests of their readers (tuning/results/results-v2.ts): the
 * current document with version 2's names put back (the inverse of the upgrade, written out separately so a
 * mistake in the upgrade cannot cancel itself out).
 */
import type { Results } from "../results-types.ts";

const COST_V2: Record<string, string> = {
  lambdaComputePerMillionUsd: "lambdaComputeUsd",
  lambdaRequestsPerMillionUsd: "lambdaRequestsUsd",
  apiGatewayPerMillionUsd: "apiGatewayUsd",
  dynamodbPerMillionUsd: "dynamodbUsd",
  dynamodbFailedWritesPerMillionUsd: "dynamodbFailedWritesUsd",
  cloudwatchLogsPerMillionUsd: "cloudwatchLogsUsd",
  initPerMillionUsd: "initUsd",
};
const UNITS_V2: Record<string, string> = {
  readRequestUnits: "readCapacityUnits",
  writeRequestUnits: "writeCapacityUnits",
};

function renamed(object: Record<string, unknown>, names: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [names[key] ?? key, value]));
}

/** `results` as schema version 2 wrote it (a plain JSON object). */
export function asVersionTwo(results: Results): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(results)) as Record<string, unknown> & {
    settings: Array<Record<string, unknown>>;
  };
  copy["schemaVersion"] = 2;
  copy.settings = copy.settings.map((setting) => {
    const out = { ...setting };
    if (setting["cost"]) out["cost"] = renamed(setting["cost"] as Record<string, unknown>, COST_V2);
    if (setting["dynamodb"])
      out["dynamodb"] = renamed(setting["dynamodb"] as Record<string, unknown>, UNITS_V2);
    if (Array.isArray(setting["rounds"]))
      out["rounds"] = setting["rounds"].map((round) => renamed(round as Record<string, unknown>, UNITS_V2));
    return out;
  });
  return copy;
}
