/**
 * Puts a function back as a run found it, from what the run recorded (in memory or in its restore journal):
 * alias target and routing, architecture, memory and environment; then deletes every version the run
 * published (those it recorded, and those carrying its tag in their Description, which covers a version
 * published just before a crash). Checks the result against the original and reports every difference.
 */
import {
  DeleteFunctionCommand,
  GetAliasCommand,
  type LambdaClient,
  UpdateAliasCommand,
} from "@aws-sdk/client-lambda";
import { describeError } from "../errors.ts";
import { isNetworkError } from "./aws-clients.ts";
import {
  architectureOf,
  changeArchitecture,
  getConfiguration,
  listVersions,
  sameEnvironment,
  updateConfiguration,
  type WaitOptions,
} from "./lambda-ops.ts";
import type { JournalOriginal } from "./restore-journal.ts";

export interface RestoreTarget {
  functionName: string;
  alias: string;
  original: JournalOriginal;
  /** The Description tag of the run's versions. */
  versionTag?: string;
  /** Versions the run recorded as published. */
  createdVersions: readonly string[];
}

export interface RestoreOutcome {
  /** Versions deleted. */
  deleted: string[];
  /** What could not be done, one line each; empty when the function is as it was. */
  failures: string[];
  /** The endpoint did not answer: nothing more could be tried. */
  unreachable: boolean;
}

/** The versions of the run still present: recorded ones and tagged ones, never a pre-existing one. */
export async function runVersions(client: LambdaClient, target: RestoreTarget): Promise<string[]> {
  const preexisting = new Set(target.original.preexistingVersions);
  const present = await listVersions(client, target.functionName);
  const ours = present
    .filter(
      (v) =>
        target.createdVersions.includes(v.version) ||
        (target.versionTag !== undefined && v.description === target.versionTag),
    )
    .map((v) => v.version);
  return ours.filter((v) => !preexisting.has(v) && v !== target.original.aliasVersion);
}

/** Differences between the function now and its original, one line each (empty: as it was). */
export async function differences(client: LambdaClient, target: RestoreTarget): Promise<string[]> {
  const { original } = target;
  const diffs: string[] = [];
  const config = await getConfiguration(client, target.functionName);
  if (config.MemorySize !== original.memoryMb)
    diffs.push(`MemorySize is ${config.MemorySize}, was ${original.memoryMb}`);
  if (architectureOf(config) !== original.architecture)
    diffs.push(`architecture is ${architectureOf(config)}, was ${original.architecture}`);
  if (!sameEnvironment(config.Environment?.Variables ?? {}, original.environment))
    diffs.push("the environment variables differ from the original");
  if (original.codeSha256 && config.CodeSha256 !== original.codeSha256)
    diffs.push(`CodeSha256 is ${config.CodeSha256}, was ${original.codeSha256}`);
  const alias = await client.send(
    new GetAliasCommand({ FunctionName: target.functionName, Name: target.alias }),
  );
  if (alias.FunctionVersion !== original.aliasVersion)
    diffs.push(
      `alias ${target.alias} points at version ${alias.FunctionVersion}, was ${original.aliasVersion}`,
    );
  const routing = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
  if (JSON.stringify(routing) !== JSON.stringify(original.aliasRoutingConfig ?? {}))
    diffs.push(
      `alias ${target.alias} routing is ${JSON.stringify(routing)}, was ${JSON.stringify(original.aliasRoutingConfig ?? {})}`,
    );
  const left = await runVersions(client, target);
  if (left.length > 0) diffs.push(`version(s) ${left.join(", ")} published by the run still exist`);
  return diffs;
}

/**
 * Restores the function. Tries every step even when one fails (except when the endpoint does not answer at
 * all: then it stops at once, since every further call would wait for its timeout too).
 */
export async function restoreFunction(
  client: LambdaClient,
  target: RestoreTarget,
  wait: WaitOptions,
): Promise<RestoreOutcome> {
  const { original, functionName } = target;
  const failures: string[] = [];
  const deleted: string[] = [];
  let unreachable = false;
  const attempt = async (what: string, step: () => Promise<unknown>) => {
    if (unreachable) return;
    try {
      await step();
    } catch (error) {
      if (isNetworkError(error)) unreachable = true;
      failures.push(`${what}: ${describeError(error)}`);
    }
  };
  await attempt(`point alias ${target.alias} back at version ${original.aliasVersion}`, () =>
    client.send(
      new UpdateAliasCommand({
        FunctionName: functionName,
        Name: target.alias,
        FunctionVersion: original.aliasVersion,
        RoutingConfig: { AdditionalVersionWeights: original.aliasRoutingConfig ?? {} },
      }),
    ),
  );
  await attempt(`restore architecture ${original.architecture}`, async () => {
    if (architectureOf(await getConfiguration(client, functionName)) !== original.architecture)
      await changeArchitecture(client, functionName, original.architecture, wait);
  });
  await attempt(`restore MemorySize ${original.memoryMb} and the environment`, () =>
    updateConfiguration(client, functionName, original.memoryMb, wait, original.environment),
  );
  let versions: string[] = [];
  await attempt("list the versions the run published", async () => {
    versions = await runVersions(client, target);
  });
  for (const version of versions) {
    await attempt(`delete version ${version}`, async () => {
      await client.send(new DeleteFunctionCommand({ FunctionName: functionName, Qualifier: version }));
      deleted.push(version);
    });
  }
  if (failures.length === 0) {
    await attempt("check the function against its original", async () => {
      for (const diff of await differences(client, target)) failures.push(`after the restore: ${diff}`);
    });
  }
  return { deleted, failures, unreachable };
}
