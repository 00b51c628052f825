/**
 * Runs the calibration plan on a stage through its real Lambda API (the AWS SDK's LambdaClient): creates each
 * reference function; forces cold starts (a configuration update retires the warm environments, as on
 * Lambda) size after size, round after round; then publishes one version per size and invokes them warm in
 * alternating rounds. Every figure is read from the invocation's REPORT line (LogType Tail). Returns the raw samples; compare.ts holds them against the published figures.
 */

import { fileURLToPath } from "node:url";
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  InvokeCommand,
  LambdaClient,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { waitUpdated } from "../../tuning/adapters/lambda-ops.ts";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import type { Stage } from "../../tuning/stage.ts";
import type { CalibrationFunction, CalibrationPlan, Measurements, Samples } from "./plan.ts";
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

function push(samples: Samples, id: ReferenceId, memoryMb: number, ms: number): void {
  const bySize = samples[id] ?? {};
  samples[id] = bySize;
  const list = bySize[memoryMb] ?? [];
  bySize[memoryMb] = list;
  list.push(ms);
}

function add(
  measured: Measurements,
  id: ReferenceId | undefined,
  memoryMb: number,
  ms: number | undefined,
  hostWaitMs: number,
): void {
  if (!id || ms === undefined) return;
  push(measured.ms, id, memoryMb, ms);
  push(measured.hostWaitMs, id, memoryMb, hostWaitMs);
}

/** The clients calibrate talks to the stage with. */
interface Clients {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
}

/**
 * HostCpuWait of the one invocation of `fn:qualifier` between startMs and endMs (invocations are sequential,
 * so the window holds only it), from the stage's Powerbench/LocalStage namespace; 0 when it has none.
 */
async function hostWaitOf(
  cloudwatch: CloudWatchClient,
  name: string,
  qualifier: string,
  startMs: number,
  endMs: number,
): Promise<number> {
  const out = await cloudwatch.send(
    new GetMetricDataCommand({
      MetricDataQueries: [
        {
          Id: "wait",
          MetricStat: {
            Metric: {
              Namespace: "Powerbench/LocalStage",
              MetricName: "HostCpuWait",
              Dimensions: [
                { Name: "FunctionName", Value: name },
                { Name: "Resource", Value: `${name}:${qualifier}` },
              ],
            },
            Period: Math.max(1, Math.ceil((endMs - startMs) / 1000)),
            Stat: "Sum",
          },
        },
      ],
      StartTime: new Date(startMs),
      EndTime: new Date(endMs + 1),
    }),
  );
  return (out.MetricDataResults?.[0]?.Values ?? []).reduce((a, b) => a + b, 0);
}

/** The tuner's own waiter (tuning/adapters/lambda-ops.ts); the stage finishes an update in ~100 ms. */
async function waitUntilUpdated(lambda: LambdaClient, name: string): Promise<void> {
  try {
    await waitUpdated(lambda, name, { maxWaitS: 30, poll: { minDelayS: 0.02, maxDelayS: 0.02 } });
  } catch (error) {
    throw new CalibrationError(
      `${name}: configuration update did not succeed (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

async function invoke(clients: Clients, fn: CalibrationFunction, qualifier: string) {
  const startMs = Date.now();
  const out = await clients.lambda.send(
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
  const hostWaitMs = await hostWaitOf(clients.cloudwatch, fn.name, qualifier, startMs, Date.now());
  return { report, hostWaitMs };
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
  clients: Clients,
  stage: Stage,
  fn: CalibrationFunction,
  measured: Measurements,
  onProgress: (line: string) => void,
): Promise<void> {
  const variables: Record<string, string> = fn.usesTable
    ? {
        DYNAMODB_TABLE_NAME: CALIBRATION_TABLE,
        ...(stage.dynamodbEndpoint ? { AWS_ENDPOINT_URL_DYNAMODB: stage.dynamodbEndpoint } : {}),
      }
    : {};
  await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: fn.name })).catch(() => {});
  await clients.lambda.send(
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
    await clients.lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: fn.name,
        MemorySize: memoryMb,
        Environment: { Variables: { ...variables, CALIBRATION_CONFIGURATION: marker } },
      }),
    );
    await waitUntilUpdated(clients.lambda, fn.name);
  };
  try {
    for (let cold = 0; cold < fn.coldStarts; cold++) {
      for (const memoryMb of fn.memorySizesMb) {
        await configure(memoryMb, `cold-${memoryMb}-${cold}`);
        const { report, hostWaitMs } = await invoke(clients, fn, "$LATEST");
        if (report.initDurationMs === undefined) {
          throw new CalibrationError(`${fn.name} at ${memoryMb} MB: expected a cold start (Init Duration)`);
        }
        add(measured, fn.measures.init, memoryMb, report.initDurationMs, 0);
        add(measured, fn.measures.firstInvoke, memoryMb, report.durationMs, hostWaitMs);
      }
      onProgress(`calibrate: ${fn.name} cold start ${cold + 1} of ${fn.coldStarts} at every size done`);
    }
    if (fn.warmInvocations > 0) {
      // One published version per size, kept warm side by side; its first invocation warms it (not counted).
      const versions = new Map<number, string>();
      for (const memoryMb of fn.memorySizesMb) {
        await configure(memoryMb, `warm-${memoryMb}`);
        const published = await clients.lambda.send(new PublishVersionCommand({ FunctionName: fn.name }));
        if (!published.Version) throw new CalibrationError(`${fn.name}: PublishVersion gave no version`);
        versions.set(memoryMb, published.Version);
        await invoke(clients, fn, published.Version);
      }
      for (let round = 0; round < fn.warmInvocations; round++) {
        for (const [memoryMb, version] of versions) {
          const { report, hostWaitMs } = await invoke(clients, fn, version);
          add(measured, fn.measures.warm, memoryMb, report.durationMs, hostWaitMs);
        }
      }
      onProgress(`calibrate: ${fn.name} ${fn.warmInvocations} warm round(s) at every size done`);
    }
  } finally {
    await clients.lambda.send(new DeleteFunctionCommand({ FunctionName: fn.name })).catch(() => {});
  }
}

/** Runs `plan` on `stage` (a local stage: its awsEndpoint and credentials). */
export async function measureCalibration(
  stage: Stage,
  plan: CalibrationPlan,
  options: MeasureOptions = {},
): Promise<Measurements> {
  const config = {
    region: stage.region,
    ...(stage.awsEndpoint ? { endpoint: stage.awsEndpoint } : {}),
    ...(stage.credentials ? { credentials: stage.credentials } : {}),
  };
  const clients: Clients = { lambda: new LambdaClient(config), cloudwatch: new CloudWatchClient(config) };
  const measured: Measurements = { ms: {}, hostWaitMs: {} };
  try {
    if (plan.functions.some((fn) => fn.usesTable)) await createTable(stage);
    for (const fn of plan.functions) {
      await measureFunction(clients, stage, fn, measured, options.onProgress ?? (() => {}));
    }
  } finally {
    clients.lambda.destroy();
    clients.cloudwatch.destroy();
  }
  return measured;
}
