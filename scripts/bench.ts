/**
 * `npm run bench`: the main job. Starts the local stage (or uses a deployed one), sweeps the memory sizes
 * under load through the API, writes reports/out/<run-id>/{results.json,index.html,summary.md,newman/},
 * prints a summary and stops everything it started.
 *
 * Exit codes: 0 done; 1 error (bad flags or config, a failure, an interrupted run); 2 the SLO is met by
 * no setting, every setting failed, or a baseline regression.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { peakRatePerSec, resolveProfile, totalDurationMs } from "../loadtests/profiles.ts";
import { readCollection } from "../postman/run-collection.ts";
import { type LocalStage, startStage } from "../stage/stage.ts";
import { restoreCommand } from "../tuning/adapters/restore-journal.ts";
import {
  defaultJournalDir,
  RESTORE_USAGE,
  runRestore,
  splitRestoreFlags,
} from "../tuning/adapters/run-restore.ts";
import {
  type BenchConfig,
  type BenchConfigLayer,
  resolveBenchConfig,
  validateConfigLayer,
} from "../tuning/bench-config.ts";
import { estimateRunCostUsd } from "../tuning/cost-model.ts";
import { describeError, InvalidSweepOptionError } from "../tuning/errors.ts";
import { describeRequests, planSettings } from "../tuning/plan.ts";
import { type BenchRunOutput, runBench } from "../tuning/run-bench.ts";
import type { Stage } from "../tuning/stage.ts";
import { renderTerminalSummary } from "../tuning/terminal-summary.ts";
import { benchUsage, parseBenchArgs } from "./bench-args.ts";
import { createProgressReporter } from "./bench-progress.ts";
import { buildBundles } from "./build.ts";
import { handleInterrupts } from "./interrupts.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

function readJsonFile(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidSweepOptionError(what, file, `a readable JSON file (${describeError(error)})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidSweepOptionError(what, file, `valid JSON (${describeError(error)})`);
  }
}

/** --payload: inline JSON, or @file with JSON in it. */
function payloadLayer(value: string): BenchConfigLayer {
  const raw = value.startsWith("@") ? readJsonFile(value.slice(1), "--payload") : parseInline(value);
  return validateConfigLayer({ direct: { payloads: raw } }, "--payload");
}

function parseInline(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new InvalidSweepOptionError("--payload", value, `JSON or @<file> (${describeError(error)})`);
  }
}

export function loadConfig(argv: readonly string[]): BenchConfig | "help" {
  const args = parseBenchArgs(argv);
  if (args.help) return "help";
  const file = args.configPath
    ? validateConfigLayer(readJsonFile(args.configPath, "--config"), args.configPath)
    : {};
  const flags: BenchConfigLayer = args.payload
    ? { ...args.flags, direct: { ...args.flags.direct, ...payloadLayer(args.payload).direct } }
    : args.flags;
  const config = resolveBenchConfig(file, flags);
  // An unknown profile fails here, with the flags, not minutes later when the first load starts.
  resolveProfile(config.profile);
  return config;
}

function awsStage(config: BenchConfig): Stage {
  const aws = config.aws;
  if (!aws) throw new InvalidSweepOptionError("aws", undefined, 'an "aws" section in the --config file');
  // Credentials come from the SDK's default chain; a named profile is picked the SDK's own way.
  if (aws.awsProfile) process.env.AWS_PROFILE = aws.awsProfile;
  return {
    name: "aws",
    region: aws.region,
    apiUrl: aws.apiUrl,
    apiType: aws.apiType,
    apiName: aws.apiName,
    apiStageName: aws.apiStageName,
    functionName: aws.functionName,
    alias: aws.alias,
    tableName: aws.tableName,
    // The SDK's own override of the endpoint, recorded so a restore journal reaches the same place.
    ...(process.env.AWS_ENDPOINT_URL ? { awsEndpoint: process.env.AWS_ENDPOINT_URL } : {}),
    supportsArchitectures: true,
  };
}

/** Requests in a Postman collection's item tree (folders hold items). */
function countRequests(items: unknown[]): number {
  return items.reduce<number>((n, item) => {
    const children = (item as { item?: unknown[] }).item;
    return n + (Array.isArray(children) ? countRequests(children) : 1);
  }, 0);
}

function dryRun(config: BenchConfig): string {
  const settings = planSettings(config.memoryMb, config.architectures);
  const region = config.aws?.region ?? "us-east-1";
  const fn = config.aws?.functionName ?? "<local function>";
  const alias = config.aws?.alias ?? "live";
  // The measured and warm-up loads at the profile's rate (or --rate), plus one pass of the Newman collection.
  const profile = resolveProfile(config.profile, {
    ...(config.ratePerSec !== undefined ? { ratePerSec: config.ratePerSec } : {}),
    ...(config.durationS !== undefined ? { durationMs: config.durationS * 1000 } : {}),
  });
  const rate = peakRatePerSec(profile);
  const durationS = totalDurationMs(profile) / 1000;
  const gateRequests = config.gate ? countRequests(readCollection().item) : 0;
  const requestsPerSetting =
    config.mode === "direct"
      ? config.direct.invocations
      : Math.ceil(rate * (durationS + config.warmupS)) + gateRequests;
  const estimate = estimateRunCostUsd({
    settings,
    requestsPerSetting,
    region,
    apiType: config.mode === "direct" ? null : (config.aws?.apiType ?? "REST"),
  });
  return [
    `dry run: ${settings.length} setting(s) on the ${config.stage} stage, ${config.mode} mode, nothing is changed`,
    "",
    ...settings.flatMap((s) => [`${s.id}:`, ...describeRequests(s, fn, alias).map((r) => `  ${r}`)]),
    "",
    `then: restore MemorySize and the alias, delete the versions the run published`,
    `load per setting: about ${requestsPerSetting} requests (${config.mode === "direct" ? "invocations" : `${rate}/s for ${durationS}+${config.warmupS} s, plus the Newman gate's ${gateRequests} requests`})`,
    `estimated AWS cost of the run itself: $${estimate.totalUsd.toFixed(4)} (${estimate.assumptions})`,
  ].join("\n");
}

function exitCodeOf(output: BenchRunOutput, config: BenchConfig): number {
  if (output.outcome.restoreError || output.outcome.aborted) return 1;
  const { results } = output;
  const sloPick = results.recommendations.find((r) => r.strategy === "slo");
  if (config.slo && sloPick?.settingId === null) return 2;
  if (results.settings.length > 0 && results.settings.every((s) => s.status === "failed")) return 2;
  if ((output.comparison?.regressions.length ?? 0) > 0) return 2;
  return 0;
}

async function main(allArgs: readonly string[]): Promise<number> {
  const { restore, force, rest: argv } = splitRestoreFlags(allArgs);
  const journalDir = defaultJournalDir(process.env, PROJECT_ROOT);
  if (restore) {
    const result = await runRestore({ dir: journalDir, ...restore });
    for (const line of result.lines) console.error(line);
    return result.exitCode;
  }
  let config: BenchConfig | "help";
  try {
    config = loadConfig(argv);
  } catch (error) {
    console.error(`bench: ${describeError(error)}\n\n${benchUsage()}`);
    return 1;
  }
  if (config === "help") {
    console.log(`${benchUsage()}\n\n${RESTORE_USAGE}`);
    return 0;
  }
  if (config.dryRun) {
    console.log(dryRun(config));
    return 0;
  }

  const controller = new AbortController();
  let journalFile: string | undefined;
  const offInterrupts = handleInterrupts({
    first(signal) {
      console.error(
        `\nbench: ${signal}: stopping; restoring the function first (this can take a while). ` +
          "Press Ctrl-C again to exit at once without restoring.",
      );
      controller.abort();
    },
    again(signal) {
      console.error(
        `\nbench: ${signal} again: exiting now, the function is NOT restored` +
          (journalFile ? `; restore it with: ${restoreCommand(journalFile)}` : ""),
      );
      process.exit(130);
    },
  });

  let local: LocalStage | undefined;
  const progress = createProgressReporter(process.stderr);
  try {
    let stage: Stage;
    if (config.stage === "local") {
      // Always measure the code as it is now: esbuild takes well under a second.
      await buildBundles();
      console.error(
        "bench: starting the local stage (API Gateway, Lambda, CloudWatch, DynamoDB on 127.0.0.1)",
      );
      // Each setting runs on its own version, whose environments idle once the sweep moves on: reclaim them
      // after 30 s (Lambda keeps them minutes) so a sweep does not hold every setting's processes at once.
      local = await startStage({ idleTimeoutMs: 30_000 });
      stage = local.stage;
    } else {
      stage = awsStage(config);
    }
    const output = await runBench({
      config,
      stage,
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
      journal: { dir: journalDir, force, onPath: (file) => (journalFile = file) },
    });
    progress.done();
    if (config.json) {
      console.log(
        JSON.stringify(
          {
            resultsPath: output.resultsPath,
            reportPath: output.htmlPath,
            summaryPath: output.markdownPath,
            recommendations: output.results.recommendations,
            regressions: output.comparison?.regressions ?? [],
          },
          null,
          2,
        ),
      );
    } else {
      console.log(renderTerminalSummary(output.results, output.htmlPath));
      for (const r of output.comparison?.regressions ?? [])
        console.log(`regression: ${r.settingId}: ${r.message}`);
    }
    if (output.outcome.applied) {
      console.error(
        `bench: auto-apply: alias ${stage.alias} now serves ${output.outcome.applied.settingId} (version ${output.outcome.applied.version})`,
      );
    }
    if (output.outcome.restoreError) console.error(`bench: ${output.outcome.restoreError}`);
    if (output.outcome.aborted)
      console.error("bench: interrupted; the function was restored and partial results written");
    return exitCodeOf(output, config);
  } catch (error) {
    progress.done();
    console.error(`bench: ${describeError(error)}`);
    return 1;
  } finally {
    if (local) await local.stop();
    offInterrupts();
  }
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Keep-alive sockets must not hold the process open after everything stopped.
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (error: unknown) => {
      console.error(`bench: ${describeError(error)}`);
      process.exit(1);
    },
  );
}
