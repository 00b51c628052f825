/**
 * The Lambda calls the configurator and the restore share: wait for an update, change memory and
 * environment, change the architecture (which needs the code again), list versions with their descriptions.
 * Configuration updates must be sequential, or Lambda answers ResourceConflictException: every change here
 * waits until the function is updated.
 */
import { setTimeout as sleep } from "node:timers/promises";
import {
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListVersionsByFunctionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import type { Architecture } from "../results/results-types.ts";

export interface WaitOptions {
  /** Longest wait for an update to finish, seconds. */
  maxWaitS: number;
  /** Waiter polling, seconds: first delay and cap. */
  poll: { minDelayS: number; maxDelayS: number };
}

/** Uploading a deployment package (up to 50 MB zipped) takes longer than a control-plane call. */
const CODE_UPLOAD_TIMEOUT_MS = 300_000;

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sameEnvironment(a: Record<string, string>, b: Record<string, string>): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

export function architectureOf(config: FunctionConfiguration): Architecture {
  return (config.Architectures?.[0] as Architecture | undefined) ?? "x86_64";
}

export async function getConfiguration(
  client: LambdaClient,
  functionName: string,
): Promise<FunctionConfiguration> {
  return client.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
}

/**
 * Polls until the function (or a version) satisfies `done`, with backoff from minDelayS to maxDelayS. Not the
 * SDK's waiters: they take a failed poll for "not yet" and keep polling until maxWaitTime, so with the
 * endpoint gone each poll waits out its timeouts for two minutes. Here an error of a poll is thrown at once.
 */
async function pollConfiguration(
  client: LambdaClient,
  input: { FunctionName: string; Qualifier?: string },
  wait: WaitOptions,
  what: string,
  done: (config: FunctionConfiguration) => boolean,
): Promise<void> {
  const deadline = Date.now() + wait.maxWaitS * 1000;
  let delayS = wait.poll.minDelayS;
  for (;;) {
    const config = await client.send(new GetFunctionConfigurationCommand(input));
    if (config.LastUpdateStatus === "Failed" || config.State === "Failed") {
      throw new Error(
        `${what} failed: ${config.LastUpdateStatusReason ?? config.StateReason ?? "no reason given"}`,
      );
    }
    if (done(config)) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `${what} not done after ${wait.maxWaitS} s (State ${config.State}, LastUpdateStatus ${config.LastUpdateStatus})`,
      );
    }
    await sleep(delayS * 1000);
    delayS = Math.min(delayS * 2, wait.poll.maxDelayS);
  }
}

/** Waits until the last update of $LATEST is done (LastUpdateStatus Successful). */
export async function waitUpdated(
  client: LambdaClient,
  functionName: string,
  wait: WaitOptions,
): Promise<void> {
  await pollConfiguration(
    client,
    { FunctionName: functionName },
    wait,
    `the update of ${functionName}`,
    (c) => c.LastUpdateStatus === undefined || c.LastUpdateStatus === "Successful",
  );
}

/** Waits until a published version is Active. */
export async function waitVersionActive(
  client: LambdaClient,
  functionName: string,
  version: string,
  wait: WaitOptions,
): Promise<void> {
  await pollConfiguration(
    client,
    { FunctionName: functionName, Qualifier: version },
    wait,
    `version ${version} of ${functionName}`,
    (c) => c.State === undefined || c.State === "Active",
  );
}

/** Sets MemorySize (and the environment, when given) if they differ, then waits until the update is done. */
export async function updateConfiguration(
  client: LambdaClient,
  functionName: string,
  memoryMb: number,
  wait: WaitOptions,
  environment?: Record<string, string>,
): Promise<void> {
  const current = await getConfiguration(client, functionName);
  const envChanged =
    environment !== undefined && !sameEnvironment(current.Environment?.Variables ?? {}, environment);
  if (current.MemorySize !== memoryMb || envChanged) {
    await client.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        MemorySize: memoryMb,
        ...(envChanged ? { Environment: { Variables: environment } } : {}),
      }),
    );
  }
  await waitUpdated(client, functionName, wait);
}

/**
 * On the real API, Architectures is set with UpdateFunctionCode, which needs the code again: the
 * deployment package is downloaded from GetFunction's presigned Code.Location and re-uploaded.
 */
export async function changeArchitecture(
  client: LambdaClient,
  functionName: string,
  architecture: Architecture,
  wait: WaitOptions,
): Promise<void> {
  const fn = await client.send(new GetFunctionCommand({ FunctionName: functionName }));
  const location = fn.Code?.Location;
  if (!location)
    throw new Error("GetFunction returned no Code.Location to re-upload for an architecture change");
  const response = await fetch(location, { signal: AbortSignal.timeout(CODE_UPLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`downloading the deployment package failed: HTTP ${response.status}`);
  const zip = new Uint8Array(await response.arrayBuffer());
  await client.send(
    new UpdateFunctionCodeCommand({
      FunctionName: functionName,
      ZipFile: zip,
      Architectures: [architecture],
    }),
    { requestTimeout: CODE_UPLOAD_TIMEOUT_MS },
  );
  await waitUpdated(client, functionName, wait);
}

/** Every published version of the function ($LATEST left out), with its Description. */
export async function listVersions(
  client: LambdaClient,
  functionName: string,
): Promise<{ version: string; description: string }[]> {
  const versions: { version: string; description: string }[] = [];
  let marker: string | undefined;
  do {
    const page = await client.send(
      new ListVersionsByFunctionCommand({
        FunctionName: functionName,
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    for (const v of page.Versions ?? []) {
      if (v.Version && v.Version !== "$LATEST")
        versions.push({ version: v.Version, description: v.Description ?? "" });
    }
    marker = page.NextMarker;
  } while (marker);
  return versions;
}
