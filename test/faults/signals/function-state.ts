/**
 * Everything a bench run may change on a function, read with the real Lambda client: versions (with their
 * descriptions), aliases (target and routing) and the configuration of $LATEST. Two equal states mean the
 * function is exactly as it was.
 */
import {
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
} from "@aws-sdk/client-lambda";

export interface FunctionState {
  versions: { version: string; description: string }[];
  aliases: { name: string; version: string; routing: Record<string, number> }[];
  configuration: {
    memoryMb?: number;
    architectures?: string[];
    environment: Record<string, string>;
    codeSha256?: string;
    timeoutS?: number;
    handler?: string;
  };
}

export async function readFunctionState(lambda: LambdaClient, functionName: string): Promise<FunctionState> {
  const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName }));
  const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: functionName }));
  const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  return {
    versions: (versions.Versions ?? [])
      .filter((v) => v.Version !== "$LATEST")
      .map((v) => ({ version: v.Version ?? "?", description: v.Description ?? "" })),
    aliases: (aliases.Aliases ?? []).map((a) => ({
      name: a.Name ?? "?",
      version: a.FunctionVersion ?? "?",
      routing: { ...a.RoutingConfig?.AdditionalVersionWeights },
    })),
    configuration: {
      ...(config.MemorySize !== undefined ? { memoryMb: config.MemorySize } : {}),
      ...(config.Architectures ? { architectures: config.Architectures } : {}),
      environment: { ...config.Environment?.Variables },
      ...(config.CodeSha256 ? { codeSha256: config.CodeSha256 } : {}),
      ...(config.Timeout !== undefined ? { timeoutS: config.Timeout } : {}),
      ...(config.Handler ? { handler: config.Handler } : {}),
    },
  };
}

/** Differences between two states, one line each (empty when equal). */
export function stateDifferences(before: FunctionState, after: FunctionState): string[] {
  const diffs: string[] = [];
  const known = new Set(before.versions.map((v) => v.version));
  const extra = after.versions.filter((v) => !known.has(v.version)).map((v) => v.version);
  if (extra.length > 0) diffs.push(`leftover version(s) ${extra.join(", ")}`);
  const gone = before.versions.filter((v) => !after.versions.some((a) => a.version === v.version));
  if (gone.length > 0) diffs.push(`version(s) ${gone.map((v) => v.version).join(", ")} deleted`);
  if (JSON.stringify(before.aliases) !== JSON.stringify(after.aliases))
    diffs.push(`aliases ${JSON.stringify(after.aliases)}, were ${JSON.stringify(before.aliases)}`);
  for (const key of Object.keys({
    ...before.configuration,
    ...after.configuration,
  }) as (keyof FunctionState["configuration"])[]) {
    const a = JSON.stringify(before.configuration[key]);
    const b = JSON.stringify(after.configuration[key]);
    if (a !== b) diffs.push(`${key} is ${b}, was ${a}`);
  }
  return diffs;
}

/** Versions in `after` that `before` did not have. */
export function leftoverVersions(before: FunctionState, after: FunctionState): string[] {
  const known = new Set(before.versions.map((v) => v.version));
  return after.versions.filter((v) => !known.has(v.version)).map((v) => v.version);
}
