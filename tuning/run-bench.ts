/**
 * One bench run, composed: the sweep over the stage with the chosen load (engine through the API, or
 * direct invocations) and the gate the caller gives (scripts/bench.ts: the Newman gate,
 * postman/newman-gate.ts), priced and assembled into results. It returns the results and writes nothing:
 * the comparison with a baseline (reports/compare.ts) and the report (reports/write-report.ts) are the
 * caller's next steps.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findK6Binary } from "../loadtests/engines/k6/engine.ts";
import { createEngine } from "../loadtests/engines/select.ts";
import { loadWorkloadFile } from "../loadtests/workload/file.ts";
import { createAwsClients } from "./adapters/aws-clients.ts";
import { directLoadPort } from "./adapters/direct-invoke.ts";
import { type ApiLoad, apiLoad, k6ScriptLoad, type SnapshotTarget } from "./adapters/load-ports.ts";
import { readPriceTable } from "./adapters/read-price-table.ts";
import { workloadInputsOf } from "./adapters/workload-inputs.ts";
import type { BenchConfig } from "./config/bench-config.ts";
import { planSettings } from "./config/plan.ts";
import type { PricingOptions } from "./core/cost-model.ts";
import { checkPriceCoverage, type PriceTable } from "./core/price-table.ts";
import { recommend } from "./core/strategies.ts";
import { buildResults, makeRunId, recommendOptionsOf, runLoadOf } from "./results/build-results.ts";
import { partialRun } from "./results/partial-run.ts";
import type { Recommendation, Results, SettingResult } from "./results/results-types.ts";
import type { Stage } from "./stage.ts";
import { boundedWarmup } from "./sweep/warmup.ts";
import { type GatePort, type LoadPort, runSweep, type SweepOutcome, type SweepProgress } from "./sweep.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

export interface BenchRunInput {
  config: BenchConfig;
  stage: Stage;
  signal: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /** AWS runs keep a restore journal in `dir` (see tuning/adapters/restore-journal.ts). */
  journal?: { dir: string; force?: boolean; onPath?: (file: string) => void };
  /** The price table, already read; else read from config.priceTable; else the snapshot. */
  priceTable?: PriceTable;
  /**
   * The run's id and start, made first by a caller that names the run's folder before it starts (the
   * Newman gate writes its reports there). @default newRun()
   */
  run?: NewRun;
  /** The functional gate at each setting (postman/newman-gate.ts), on its first round; none when absent. */
  gate?: GatePort;
}

export interface NewRun {
  id: string;
  startedAt: Date;
}

/** A new run's id (its start time and a random suffix, the name of its folder) and start. */
export function newRun(startedAt: Date = new Date()): NewRun {
  return { id: makeRunId(startedAt, randomBytes(2).toString("hex")), startedAt };
}

export interface BenchRunOutput {
  /** What was measured, priced and recommended; `run.partial` when the sweep did not measure every setting. */
  results: Results;
  /** What went wrong beside the measurements, e.g. a warning of the user's k6 script. */
  warnings: string[];
  /** How the sweep ended: aborted, restore error, the setting applied at the end. */
  outcome: SweepOutcome;
}

function gitRevision(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
}

function packageVersion(name: string): string {
  try {
    const file = path.join(PROJECT_ROOT, "node_modules", name, "package.json");
    return (JSON.parse(readFileSync(file, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

function toolVersions(): Record<string, string> {
  const own = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    version: string;
  };
  return {
    node: process.version,
    powerbench: own.version,
    newman: packageVersion("newman"),
    "@aws-sdk/client-lambda": packageVersion("@aws-sdk/client-lambda"),
    dynalite: packageVersion("dynalite"),
  };
}

/**
 * The winner of a strategy, as the setting to apply at the end (auto-apply), from `recommendations`: the
 * one recommend() call whose answer results.json records too.
 */
function winnerOf(config: BenchConfig, settings: SettingResult[], recommendations: Recommendation[]) {
  if (!config.autoApply) return undefined;
  const pick = recommendations.find((r) => r.strategy === config.autoApply);
  const chosen = settings.find((s) => s.id === pick?.settingId);
  return chosen ? { id: chosen.id, memoryMb: chosen.memoryMb, architecture: chosen.architecture } : undefined;
}

/** The measured load's length per setting (the profile's, or --duration), over all its rounds. */
function measuredDurationS(config: BenchConfig): number {
  const load = runLoadOf(config);
  return load.mode === "api" ? load.durationS : 0;
}

/** The name of the signal that stopped the run, when the abort carries one (scripts/bench.ts does). */
function signalName(signal: AbortSignal): { reason?: string } {
  const reason: unknown = signal.reason;
  const text = reason instanceof Error || reason instanceof DOMException ? reason.message : reason;
  return typeof text === "string" && /^SIG[A-Z]+$/.test(text) ? { reason: text } : {};
}

export async function runBench(input: BenchRunInput): Promise<BenchRunOutput> {
  const { config, stage, signal } = input;
  const apiType = config.mode === "direct" ? null : stage.apiType;
  const table = input.priceTable ?? (config.priceTable ? readPriceTable(config.priceTable) : undefined);
  const pricing: PricingOptions = {
    ...(table ? { table } : {}),
    ...(config.monthlyRequests !== undefined ? { monthlyRequests: config.monthlyRequests } : {}),
    ...(config.freeTier ? { freeTier: true } : {}),
  };
  // Fail before measuring anything when a price the run needs is not in the table.
  checkPriceCoverage(stage.region, { apiType, dynamodb: config.mode === "api", cloudwatchLogs: true }, table);
  // The files that define the workload, fingerprinted for the baseline comparison (read before measuring).
  const inputs = workloadInputsOf({ ...config, stage: stage.name });
  const settings = planSettings(config.memoryMb, config.architectures);
  const { id: runId, startedAt } = input.run ?? newRun();
  // The local stage's function lives and dies with the run: only a deployed one needs a journal.
  const journal =
    input.journal && stage.name === "aws"
      ? {
          dir: input.journal.dir,
          runId,
          force: input.journal.force ?? false,
          target: {
            stage: stage.name,
            region: stage.region,
            ...(stage.awsEndpoint ? { awsEndpoint: stage.awsEndpoint } : {}),
            ...(config.aws?.awsProfile ? { awsProfile: config.aws.awsProfile } : {}),
          },
        }
      : undefined;
  if (journal) input.journal?.onPath?.(path.join(journal.dir, `${runId}.json`));
  const clients = createAwsClients(stage);
  const warnings: string[] = [];
  try {
    // A workload file or a k6 script changes the user's table in ways the harness cannot undo through the
    // API: the table is put back by snapshot (tuning/adapters/table-state.ts), on the stage's DynamoDB.
    const snapshot: SnapshotTarget = {
      tableName: stage.tableName,
      region: stage.region,
      ...(stage.dynamodbEndpoint ? { endpoint: stage.dynamodbEndpoint } : {}),
      ...(stage.credentials ? { credentials: stage.credentials } : {}),
    };
    const userScript =
      config.mode === "api" && config.k6Script !== undefined
        ? k6ScriptLoad({
            apiUrl: stage.apiUrl,
            binary: findK6Binary() ?? "k6",
            script: config.k6Script,
            seed: config.seed,
            snapshot,
            onWarning: (message) => warnings.push(message),
          })
        : undefined;
    const api: ApiLoad | undefined =
      config.mode === "direct" || userScript
        ? undefined
        : apiLoad(createEngine(config.engine, { builtin: { handleSigint: false } }), {
            apiUrl: stage.apiUrl,
            profile: config.profile,
            seed: config.seed,
            warmupS: config.warmupS,
            ...(config.ratePerSec !== undefined ? { ratePerSec: config.ratePerSec } : {}),
            // A bounded warm-up (tuning/sweep/warmup.ts), unless the cold-start rate is measured from the profile's own.
            ...(config.coldStartRate !== "measured"
              ? { warmupMaxInFlight: boundedWarmup(config.profile, config.ratePerSec) }
              : {}),
            // Rounds split the measured duration: the sequence is one round long, replayed in every round.
            ...(config.durationS !== undefined || config.rounds > 1
              ? { durationS: measuredDurationS(config) / config.rounds }
              : {}),
            // Without a workload file: the bundled CRUD one (loadtests/workload/crud.yaml).
            snapshot,
            // The local stage's table is its own dynalite: put it back directly, not through the API.
            preferSnapshotReset: stage.name === "local",
            ...(config.workload !== undefined ? { workload: loadWorkloadFile(config.workload) } : {}),
          });
    const port = userScript
      ? userScript.port
      : api
        ? api.port
        : directLoadPort(clients.lambdaInvoke, stage, config.direct);
    // Which engine ran, and its version, as its run results say (auto may have picked k6 or the built-in one).
    let engineFacts: Results["run"]["engine"] = {
      name: config.mode === "direct" ? "direct" : config.engine === "k6" ? "k6" : "builtin",
      version: "unknown",
    };
    const load: LoadPort = async (request) => {
      const run = await port(request);
      engineFacts = run.engine;
      return run;
    };
    // recommend() runs once per run: at the end of the sweep when a pick is applied, else in buildResults.
    const recommended: { settings?: SettingResult[]; recommendations?: Recommendation[] } = {};
    const outcome = await runSweep(
      {
        stage,
        settings,
        maxErrorRate: config.maxErrorRate,
        discardTopBottom: config.discardTopBottom,
        ...(config.coldStartRate !== undefined ? { coldStartRate: config.coldStartRate } : {}),
        coldStarts: config.coldStarts,
        rounds: config.rounds,
        apiType,
        pricing,
        invokesVersion: config.mode === "direct",
        warmup: config.mode === "api" && config.warmupS > 0 && !userScript,
        signal,
        ...(journal ? { journal } : {}),
        ...(config.autoApply
          ? {
              applyAtEnd: (measured: SettingResult[]) => {
                const recommendations = recommend(measured, recommendOptionsOf(config));
                Object.assign(recommended, { settings: measured, recommendations });
                return winnerOf(config, measured, recommendations);
              },
            }
          : {}),
        ...(input.onProgress ? { onProgress: input.onProgress } : {}),
      },
      {
        clients,
        load,
        ...(input.gate && config.mode === "api" ? { gate: input.gate } : {}),
        ...(api ? { tableState: api.tableState } : userScript ? { tableState: userScript.tableState } : {}),
      },
    );
    const gitRev = gitRevision();
    const results = buildResults(
      {
        runId,
        startedAt,
        endedAt: new Date(),
        ...(gitRev ? { gitRevision: gitRev } : {}),
        engine: engineFacts,
        toolVersions: toolVersions(),
        pricing,
        ...(inputs ? { inputs } : {}),
      },
      stage,
      config,
      outcome.settings,
      api
        ? {
            seed: api.measured.seed,
            requests: api.measured.requests.length,
            preseedItems: api.measured.preseed.length,
            reuseGapRequests: api.measured.reuseGapRequests,
            idPrefix: api.measured.idPrefix,
          }
        : undefined,
      recommended.settings === outcome.settings ? recommended.recommendations : undefined,
    );
    // The user's k6 script decided the load, not the profile: say so where the profile's name would be.
    if (userScript && config.k6Script) results.run.profile = `k6-script:${path.basename(config.k6Script)}`;
    const partial = partialRun(
      settings.map((s) => s.id),
      outcome.settings,
      { aborted: outcome.aborted, ...signalName(signal) },
    );
    if (partial) results.run.partial = partial;
    return { results, warnings, outcome };
  } finally {
    clients.destroy();
  }
}
