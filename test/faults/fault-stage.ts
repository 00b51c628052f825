/**
 * The real local stage set up for fault injection: the service reaches DynamoDB through a TcpSwitch (so a test
 * can hang it or close its port), and configuration changes go through the real @aws-sdk/client-lambda against
 * the stage's AWS endpoint with the tuner's own FunctionConfigurator (tuning/adapters/configure.ts): snapshot, then per
 * change UpdateFunctionConfiguration → wait → PublishVersion → alias, and its restore(). What the tuner never
 * changes (Timeout, Handler, the code) the harness puts back first; `restore()` then leaves the alias, the
 * configuration and the versions as they were, so a test can assert that nothing is left over.
 */
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import type { LocalStage, StageOptions } from "../../stage/stage.ts";
import { FunctionConfigurator } from "../../tuning/adapters/configure.ts";
import { getConfiguration, type WaitOptions, waitUpdated } from "../../tuning/adapters/lambda-ops.ts";
import { settingId } from "../../tuning/config/plan.ts";
import { readLogMessages } from "../fuzz/stage-logs.ts";
import { startStageWithClients } from "../support/stage.ts";
import { startTcpSwitch, type TcpSwitch } from "./tcp-switch.ts";

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface Deployment {
  Timeout?: number;
  MemorySize?: number;
  Handler?: string;
  Environment?: { Variables: Record<string, string> };
  /** A directory with the handler module (UpdateFunctionCode). */
  codeDir?: string;
}

/** What a restore must leave: the versions and aliases there were, the configuration there was. */
export interface FunctionState {
  versions: string[];
  aliases: { name: string; version: string }[];
  configuration: {
    Timeout?: number;
    MemorySize?: number;
    Handler?: string;
    Environment?: Record<string, string>;
  };
}

export interface FaultStage {
  local: LocalStage;
  /** The service's way to DynamoDB. */
  dynamo: TcpSwitch;
  lambda: LambdaClient;
  functionName: string;
  alias: string;
  /** The version the alias pointed at before any change. */
  originalVersion: string;
  /** Applies `changes` to $LATEST, publishes a version and points the alias at it. Returns the version. */
  deploy(changes: Deployment): Promise<string>;
  /** Calls the API (path relative to the stage URL). */
  api(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** Every message in the function's log group so far. */
  logMessages(): string[];
  /** Alias, configuration and code back as they were; published versions deleted. */
  restore(): Promise<void>;
  /** Versions, aliases and configuration of the function now (compare with `initialState`). */
  functionState(): Promise<FunctionState>;
  initialState: FunctionState;
  stop(): Promise<void>;
}

/** The stage finishes an update in ~100 ms: poll every 50 ms, give up after 15 s. */
const WAIT: WaitOptions = { maxWaitS: 15, poll: { minDelayS: 0.05, maxDelayS: 0.05 } };

export async function startFaultStage(options: StageOptions = {}): Promise<FaultStage> {
  const { local, clients } = await startStageWithClients(
    { cpuScaling: "off", ...options },
    { maxAttempts: 1 },
  );
  const dynalite = new URL(local.dynamodb.endpoint);
  const dynamo = await startTcpSwitch({ host: dynalite.hostname, port: Number(dynalite.port) });
  const lambda = clients.lambda;
  const functionName = local.stage.functionName;
  const alias = local.stage.alias;
  const configurator = new FunctionConfigurator(lambda, functionName, alias, {
    maxWaitS: WAIT.maxWaitS,
    poll: WAIT.poll,
  });
  const snapshot = await configurator.snapshot();
  // What the configurator does not own: it never changes them, so the harness keeps them itself.
  const original = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const originalCode = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
  const originalCodeDir = (originalCode.Code?.Location ?? "").replace(/^file:\/\//, "");
  const originalVersion = snapshot.aliasVersion;
  let codeChanged = false;

  const functionState = async (): Promise<FunctionState> => {
    const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: functionName }));
    const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: functionName }));
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    return {
      versions: (versions.Versions ?? []).map((v) => v.Version ?? "?"),
      aliases: (aliases.Aliases ?? []).map((a) => ({
        name: a.Name ?? "?",
        version: a.FunctionVersion ?? "?",
      })),
      configuration: {
        Timeout: config.Timeout,
        MemorySize: config.MemorySize,
        Handler: config.Handler,
        Environment: { ...config.Environment?.Variables },
      },
    };
  };
  const initialState = await functionState();

  const deploy = async (changes: Deployment): Promise<string> => {
    const { codeDir, MemorySize, ...configuration } = changes;
    if (Object.keys(configuration).length > 0) {
      await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...configuration }),
      );
      await waitUpdated(lambda, functionName, WAIT);
    }
    if (codeDir) {
      // The stage's convention for local code through the SDK: S3Bucket "local", S3Key = the directory.
      await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: functionName, S3Bucket: "local", S3Key: codeDir }),
      );
      await waitUpdated(lambda, functionName, WAIT);
      codeChanged = true;
    }
    // Memory, PublishVersion and the alias: the tuner's own step, which also records the version for restore().
    const memoryMb =
      MemorySize ?? (await getConfiguration(lambda, functionName)).MemorySize ?? snapshot.memoryMb;
    return configurator.apply({
      id: settingId(snapshot.architecture, memoryMb),
      memoryMb,
      architecture: snapshot.architecture,
    });
  };

  // Every test of a fault stage reaches DynamoDB through the switch.
  await deploy({
    Environment: {
      Variables: { ...original.Environment?.Variables, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
    },
  });

  const api = async (method: string, path: string, body?: unknown): Promise<ApiAnswer> => {
    const res = await fetch(`${local.stage.apiUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(40_000),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };

  const restore = async () => {
    await dynamo.set("forward");
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        Timeout: original.Timeout,
        Handler: original.Handler,
      }),
    );
    await waitUpdated(lambda, functionName, WAIT);
    if (codeChanged) {
      await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: functionName,
          S3Bucket: "local",
          S3Key: originalCodeDir,
        }),
      );
      await waitUpdated(lambda, functionName, WAIT);
      codeChanged = false;
    }
    // Alias, memory, architecture, environment back; the versions it published deleted; the result checked.
    await configurator.restore();
  };

  return {
    local,
    dynamo,
    lambda,
    functionName,
    alias,
    originalVersion,
    deploy,
    api,
    logMessages: () => readLogMessages(local.logs, `/aws/lambda/${functionName}`),
    restore,
    functionState,
    initialState,
    async stop() {
      clients.destroy();
      await dynamo.close().catch(() => undefined);
      await local.stop();
    },
  };
}
