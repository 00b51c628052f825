/**
 * PERF SUPPORT: what the sweep benchmarks (tuning/repeatability.perf.ts, tuning/setting-overhead.perf.ts) both
 * do: one local stage with the tuner's SDK clients and a DynamoDB client on its table; the built-in engine's
 * load port and the sweep options for a bench config, as tuning/run-bench.ts builds them for the API mode;
 * the sweep's phases as a setting reports them.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createBuiltinEngine } from "../../loadtests/engines/builtin/engine.ts";
import { LOCAL_CREDENTIALS } from "../../stage/dynamodb.ts";
import { type LocalStage, startStage } from "../../stage/stage.ts";
import { type AwsClients, createAwsClients } from "../adapters/aws-clients.ts";
import { type ApiLoad, apiLoad } from "../adapters/load-ports.ts";
import type { BenchConfig } from "../config/bench-config.ts";
import { planSettings } from "../config/plan.ts";
import { runLoadOf } from "../results/build-results.ts";
import type { Stage } from "../stage.ts";
import { boundedWarmup } from "../sweep/warmup.ts";
import type { SweepOptions } from "../sweep.ts";

/** A setting's phases (SettingResult.phaseMs), in the order a sweep runs them. */
export const SWEEP_PHASES = [
  "configure",
  "warmup",
  "load",
  "gate",
  "coldStarts",
  "reset",
  "collect",
] as const;

export interface PerfStage {
  local: LocalStage;
  clients: AwsClients;
  /** A DynamoDB client on the stage's dynalite (to count, fill or clean the table). */
  dynamodb: DynamoDBClient;
  /** Destroys the clients, then stops the stage. */
  stop(): Promise<void>;
}

/** The local stage as `npm run bench` starts it by default (`--capacity auto`: the host's capacity, pinned). */
export async function startPerfStage(): Promise<PerfStage> {
  const local = await startStage({ capacity: "host" });
  const clients = createAwsClients(local.stage);
  const dynamodb = new DynamoDBClient({
    endpoint: local.dynamodb.endpoint,
    region: local.stage.region,
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    local,
    clients,
    dynamodb,
    async stop() {
      dynamodb.destroy();
      clients.destroy();
      await local.stop();
    },
  };
}

export interface PerfLoadOptions {
  /** The bounded warm-up of tuning/sweep/warmup.ts (else the profile's own in-flight cap). */
  boundedWarmup: boolean;
  /** @default the port's own default */
  commonRandomNumbers?: boolean;
  /** Put the table back by snapshot on the stage's dynalite, as `npm run bench` does on the local stage. */
  snapshotReset?: boolean;
}

/** The built-in engine's load port for `config`; as tuning/run-bench.ts, rounds split the measured duration. */
export function builtinApiLoad(stage: Stage, config: BenchConfig, options: PerfLoadOptions): ApiLoad {
  const load = runLoadOf(config);
  return apiLoad(createBuiltinEngine({ handleSigint: false }), {
    apiUrl: stage.apiUrl,
    profile: config.profile,
    seed: config.seed,
    warmupS: config.warmupS,
    ...(config.ratePerSec !== undefined ? { ratePerSec: config.ratePerSec } : {}),
    durationS: (load.mode === "api" ? load.durationS : 0) / config.rounds,
    ...(options.commonRandomNumbers !== undefined
      ? { commonRandomNumbers: options.commonRandomNumbers }
      : {}),
    ...(options.boundedWarmup ? { warmupMaxInFlight: boundedWarmup(config.profile, config.ratePerSec) } : {}),
    ...(options.snapshotReset
      ? {
          snapshot: {
            tableName: stage.tableName,
            region: stage.region,
            ...(stage.dynamodbEndpoint ? { endpoint: stage.dynamodbEndpoint } : {}),
            ...(stage.credentials ? { credentials: stage.credentials } : {}),
          },
          preferSnapshotReset: true,
        }
      : {}),
  });
}

/** The sweep options for `config` on the stage: its settings, error bound, trimming, warm-up, cold starts, rounds. */
export function sweepOptionsOf(stage: Stage, config: BenchConfig): SweepOptions {
  return {
    stage,
    settings: planSettings(config.memoryMb, config.architectures),
    maxErrorRate: config.maxErrorRate,
    discardTopBottom: config.discardTopBottom,
    apiType: stage.apiType,
    warmup: config.warmupS > 0,
    coldStarts: config.coldStarts,
    rounds: config.rounds,
    ...(config.coldStartRate !== undefined ? { coldStartRate: config.coldStartRate } : {}),
  };
}
