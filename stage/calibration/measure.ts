/**
 * Runs the calibration plan on a stage through its real Lambda API (the AWS SDK's LambdaClient): creates each
 * reference function; forces cold starts (a configuration update retires the warm environments, as on
 * Lambda) size after size, round after round; then publishes one version per size and invokes them warm in
 * alternating rounds. Every figure is read from the invocation's REPORT line (LogType Tail). Returns the raw samples; compare.ts holds them against the published figures.
 */

import { fileURLToPath } from "node:url";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { parseReportLine } from "../../tuning/report-log.ts";
import type { Stage } from "../../tuning/stage.ts";
import type { CalibrationFunction, CalibrationPlan, Samples } from "./plan.ts";
import type { ReferenceId } from "./reference.ts";

/** The reference functions' code (Code.LocalPath through the SDK: S3Bucket "local", S3Key the directory). */
export const FUNCTIONS_DIR = fileURLToPath(new URL("./functions/", import.meta.url));
export const CALIBRATION_TABLE = "calibration-items";

export class CalibrationError extends Error {
  override readonly name = "CalibrationError";
}

export interface MeasureOptions {
  /** Called after each memory size of each function (progress on stderr). */
  onProgress?: (line: string) => void;
}

function add(samples: Samples, id: ReferenceId | undefined, memoryMb: number, ms: number | undefined): void {
  if (!id || ms === undefined) return;
  const bySize = samples[id] ?? {};
  samples[id] = bySize;
  const list = bySize[memoryMb] ?? [];
  bySize[memoryMb] = list;
  list.push(ms);
}

async function waitUntilUpdated(lambda: LambdaClient, name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const config = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (config.LastUpdateStatus === "Successful") return;
    if (config.LastUpdateStatus === "Failed" || Date.now() > deadline) {
      throw new CalibrationError(
        `${name}: configuration update did not succeed (${config.LastUpdateStatus})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function invoke(lambda: LambdaClient, fn: CalibrationFunction, qualifier: string) {
  const out = await lambda.send(
    new InvokeCommand({
      FunctionName: fn.name,
      Qualifier: qualifier,
      Payload: new TextEncoder().encode(JSON.stringify(fn.event)),
      LogType: "Tail",
    }),
  );
  const payload = new TextDecoder().decode(out.Payload ?? new Uint8Array());
  if (out.FunctionError) throw new CalibrationError(`${fn.name} failed: ${payload}`);
  const tail = Buffer.from(out.LogResult ?? "", "base64").toString("utf8");
  const reportLine = tail.split("\n").findLast((line) => line.startsWith("REPORT "));
  const report = reportLine ? parseReportLine(reportLine) : null;
  if (!report?.durationMs) throw new CalibrationError(`${fn.name}: no REPORT line in the log tail: ${tail}`);
  return report;
}

async function createTable(stage: Stage): Promise<void> {
  const dynamodb = new DynamoDBClient({
    region: stage.region,
    ...(stage.dynamodbEndpoint ? { endpoint: stage.dynamodbEndpoint } : {}),
    ...(stage.credentials ? { credentials: stage.credentials } : {}),
  });
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: CALIBRATION_TABLE,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );
  } catch (error) {
    if ((error as Error).name !== "ResourceInUseException") throw error;
  } finally {
    dynamodb.destroy();
  }
}

async function measureFunction(
  lambda: LambdaClient,
  stage: Stage,
  fn: CalibrationFunction,
  samples: Samples,
  onProgress: (line: string) => void,
): Promise<void> {
  const variables: Record<string, string> = fn.usesTable
    ? {
        DYNAMODB_TABLE_NAME: CALIBRATION_TABLE,
        ...(stage.dynamodbEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: stage.dynamodbEndpoint } : {}),
      }
    : {};
  await lambda.send(new DeleteFunctionCommand({ FunctionName: fn.name })).catch(() => {});
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: fn.name,
      Runtime: "nodejs22.x",
      Role: "arn:aws:iam::123456789012:role/powerbench-calibration",
      Handler: fn.handler,
      Code: { S3Bucket: "local", S3Key: FUNCTIONS_DIR },
      MemorySize: fn.memorySizesMb[0] ?? 128,
      Timeout: 900,
      Environment: { Variables: variables },
    }),
  );
  // Sizes alternate within each round, so a change in the host's load over the run spreads over every size
  // instead of slanting the curve.
  const configure = async (memoryMb: number, marker: string) => {
    // A new configuration revision: the warm environments are retired, the next invoke is a cold start.
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: fn.name,
        MemorySize: memoryMb,
        Environment: { Variables: { ...variables, CALIBRATION_CONFIGURATION: marker } },
      }),
    );
    await waitUntilUpdated(lambda, fn.name);
  };
  try {
    for (let cold = 0; cold < fn.coldStarts; cold++) {
      for (const memoryMb of fn.memorySizesMb) {
        await configure(memoryMb, `cold-${memoryMb}-${cold}`);
        const report = await invoke(lambda, fn, "$LATEST");
        if (report.initDurationMs === undefined) {
          throw new CalibrationError(`${fn.name} at ${memoryMb} MB: expected a cold start (Init Duration)`);
        }
        add(samples, fn.measures.init, memoryMb, report.initDurationMs);
        add(samples, fn.measures.firstInvoke, memoryMb, report.durationMs);
      }
      onProgress(`calibrate: ${fn.name} cold start ${cold + 1} of ${fn.coldStarts} at every size done`);
    }
    if (fn.warmInvocations > 0) {
      // One published version per size, kept warm side by side; its first invocation warms it (not counted).
      const versions = new Map<number, string>();
      for (const memoryMb of fn.memorySizesMb) {
        await configure(memoryMb, `warm-${memoryMb}`);
        const published = await lambda.send(new PublishVersionCommand({ FunctionName: fn.name }));
        if (!published.Version) throw new CalibrationError(`${fn.name}: PublishVersion gave no version`);
        versions.set(memoryMb, published.Version);
        await invoke(lambda, fn, published.Version);
      }
      for (let round = 0; round < fn.warmInvocations; round++) {
        for (const [memoryMb, version] of versions) {
          add(samples, fn.measures.warm, memoryMb, (await invoke(lambda, fn, version)).durationMs);
        }
      }
      onProgress(`calibrate: ${fn.name} ${fn.warmInvocations} warm round(s) at every size done`);
    }
  } finally {
    await lambda.send(new DeleteFunctionCommand({ FunctionName: fn.name })).catch(() => {});
  }
}

/** Runs `plan` on `stage` (a local stage: its awsEndpoint and credentials). */
export async function measureCalibration(
  stage: Stage,
  plan: CalibrationPlan,
  options: MeasureOptions = {},
): Promise<Samples> {
  const lambda = new LambdaClient({
    region: stage.region,
    ...(stage.awsEndpoint ? { endpoint: stage.awsEndpoint } : {}),
    ...(stage.credentials ? { credentials: stage.credentials } : {}),
  });
  const samples: Samples = {};
  try {
    if (plan.functions.some((fn) => fn.usesTable)) await createTable(stage);
    for (const fn of plan.functions) {
      await measureFunction(lambda, stage, fn, samples, options.onProgress ?? (() => {}));
    }
  } finally {
    lambda.destroy();
  }
  return samples;
}
