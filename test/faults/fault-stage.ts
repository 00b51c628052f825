/**
 * The real local stage set up for fault injection: the service reaches DynamoDB through a TcpSwitch (so a test
 * can hang it or close its port), and configuration changes go through the real @aws-sdk/client-lambda against
 * the stage's AWS endpoint, as the tuner makes them: UpdateFunctionConfiguration → wait → PublishVersion →
 * alias. `restore()` puts the alias, the configuration and the code back and deletes every version it
 * published, so a test can assert that nothing is left over.
 */
import {
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { type LocalStage, type StageOptions, startStage } from "../../stage/stage.ts";
import { readLogMessages } from "../fuzz/stage-logs.ts";
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

async function waitUntilUpdated(lambda: LambdaClient, functionName: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
    if (config.LastUpdateStatus === "Successful") return;
    if (Date.now() > deadline)
      throw new Error(`${functionName} still ${config.LastUpdateStatus} after 15 s: expected Successful`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startFaultStage(options: StageOptions = {}): Promise<FaultStage> {
  const local = await startStage({ cpuScaling: "off", ...options });
  const dynalite = new URL(local.dynamodb.endpoint);
  const dynamo = await startTcpSwitch({ host: dynalite.hostname, port: Number(dynalite.port) });
  const lambda = new LambdaClient({
    endpoint: local.stage.awsEndpoint,
    region: local.stage.region,
    credentials: local.stage.credentials,
    maxAttempts: 1,
  });
  const functionName = local.stage.functionName;
  const alias = local.stage.alias;
  const original = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: functionName }));
  const originalCode = await lambda.send(new GetFunctionCommand({ FunctionName: functionName }));
  const originalCodeDir = (originalCode.Code?.Location ?? "").replace(/^file:\/\//, "");
  const originalVersion =
    (await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: alias }))).FunctionVersion ??
    "1";
  const published: string[] = [];
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
    const { codeDir, ...configuration } = changes;
    await lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: functionName, ...configuration }),
    );
    await waitUntilUpdated(lambda, functionName);
    if (codeDir) {
      // The stage's convention for local code through the SDK: S3Bucket "local", S3Key = the directory.
      await lambda.send(
        new UpdateFunctionCodeCommand({ FunctionName: functionName, S3Bucket: "local", S3Key: codeDir }),
      );
      await waitUntilUpdated(lambda, functionName);
      codeChanged = true;
    }
    const version = (await lambda.send(new PublishVersionCommand({ FunctionName: functionName }))).Version;
    if (!version) throw new Error("PublishVersion returned no Version");
    published.push(version);
    await lambda.send(
      new UpdateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: version }),
    );
    return version;
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
      new UpdateAliasCommand({ FunctionName: functionName, Name: alias, FunctionVersion: originalVersion }),
    );
    for (const version of published.splice(0)) {
      await lambda.send(new DeleteFunctionCommand({ FunctionName: functionName, Qualifier: version }));
    }
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: functionName,
        Timeout: original.Timeout,
        MemorySize: original.MemorySize,
        Handler: original.Handler,
        Environment: { Variables: { ...original.Environment?.Variables } },
      }),
    );
    await waitUntilUpdated(lambda, functionName);
    if (codeChanged) {
      await lambda.send(
        new UpdateFunctionCodeCommand({
          FunctionName: functionName,
          S3Bucket: "local",
          S3Key: originalCodeDir,
        }),
      );
      await waitUntilUpdated(lambda, functionName);
      codeChanged = false;
    }
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
      lambda.destroy();
      await dynamo.close().catch(() => undefined);
      await local.stop();
    },
  };
}
