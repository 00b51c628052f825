/**
 * `npm run bench`: the main job, composed step by step: config → stage (the local one, or a deployed one)
 * → runBench (the sweep of the memory sizes under load through the API, with the Newman gate) → compare
 * with the baseline → write reports/out/<run-id>/{results.json,index.html,summary.md,newman/} → print a
 * summary → exit code. Stops everything it started.
 *
 * Exit codes: 0 done; 1 error (bad flags or config, a failure, an interrupted run); 2 the SLO is met by
 * no setting, every setting failed, or a baseline regression.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { collectionRequestCount, gateCpusOf, newmanGate } from "../postman/newman-gate.ts";
import { type Comparison, compareResults } from "../reports/compare.ts";
import { partialRunText } from "../reports/partial.ts";
import { renderTerminalSummary } from "../reports/terminal-summary.ts";
import { linkLatest, writeReportOrRescue } from "../reports/write-report.ts";
import { buildBundles } from "../service/bundle.ts";
import { type LocalStage, startStage } from "../stage/stage.ts";
import { resolveAwsTarget } from "../tuning/adapters/aws-target.ts";
import { readPriceTable } from "../tuning/adapters/read-price-table.ts";
import { restoreCommand } from "../tuning/adapters/restore-journal.ts";
import { defaultJournalDir, runRestore, splitRestoreFlags } from "../tuning/adapters/run-restore.ts";
import type { BenchConfig } from "../tuning/config/bench-config.ts";
import { planRun, renderDryRun } from "../tuning/config/dry-run.ts";
import { InvalidSweepOptionError } from "../tuning/errors.ts";
import type { Results } from "../tuning/results/results-types.ts";
import { type BenchRunOutput, newRun, runBench } from "../tuning/run-bench.ts";
import type { Stage } from "../tuning/stage.ts";
import { BENCH_COMMAND, benchUsage, loadBenchConfig } from "./bench-args.ts";
import {
  checkBaseline,
  checkEngine,
  checkOutputFolder,
  checkUserApi,
  confirmLargeSweep,
} from "./bench-preflight.ts";
import { createProgressReporter } from "./bench-progress.ts";
import { EXIT, type ExitCode, errorLine, exitWith, runCommand } from "./command.ts";
import { handleInterrupts } from "./interrupts.ts";
import { appendStepSummary } from "./step-summary.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The AWS stage: region and credentials from the SDK's chain, the stack from CloudFormation (--stack-name),
 * explicit fields over what the stack says, the function checked; read-only.
 */
async function awsStage(config: BenchConfig): Promise<Stage> {
  const aws = config.aws;
  if (!aws)
    throw new InvalidSweepOptionError("--stage aws", "aws", "--stack-name NAME or --function NAME|ARN");
  // The clients pick a named profile the SDK's own way.
  if (aws.awsProfile) process.env.AWS_PROFILE = aws.awsProfile;
  const target = await resolveAwsTarget({ aws, mode: config.mode, env: process.env });
  for (const line of target.lines) console.error(`bench: ${line}`);
  return target.stage;
}

/** The local stage runs one function: --function may name it, nothing else. */
function checkLocalFunction(config: BenchConfig, stage: Stage): void {
  const wanted = config.aws?.functionName;
  if (wanted !== undefined && wanted !== stage.functionName) {
    throw new InvalidSweepOptionError(
      "--function",
      wanted,
      `the local stage's function "${stage.functionName}" (or --stage aws for a deployed one)`,
    );
  }
}

function exitCodeOf(
  output: BenchRunOutput,
  comparison: Comparison | undefined,
  config: BenchConfig,
): ExitCode {
  if (output.outcome.restoreError || output.outcome.aborted) return EXIT.error;
  const { results } = output;
  const sloPick = results.recommendations.find((r) => r.strategy === "slo");
  if (config.slo && sloPick?.settingId === null) return EXIT.gate;
  if (results.settings.length > 0 && results.settings.every((s) => s.status === "failed")) return EXIT.gate;
  if ((comparison?.regressions.length ?? 0) > 0) return EXIT.gate;
  return EXIT.ok;
}

/** The comparison step: a baseline's regressions are shown in the report and decide the exit code. */
function compareWithBaseline(results: Results, baseline: Results | undefined): Comparison | undefined {
  return baseline ? compareResults(results, baseline) : undefined;
}

async function main(allArgs: readonly string[]): Promise<ExitCode> {
  const { restore, force, rest: argv } = splitRestoreFlags(allArgs);
  const journalDir = defaultJournalDir(process.env, PROJECT_ROOT);
  if (restore) {
    const result = await runRestore({
      dir: journalDir,
      ...(restore.journal ? { journal: restore.journal } : {}),
    });
    for (const line of result.lines) console.error(line);
    return result.exitCode === 0 ? EXIT.ok : EXIT.error;
  }
  // Errors before the stage starts go to runCommand: one line, exit 1.
  const config = loadBenchConfig(argv);
  if (config === "help") {
    console.log(benchUsage());
    return EXIT.ok;
  }
  // Everything checkable, before the stage starts: k6 when asked for, the baseline and its comparability.
  checkEngine(config);
  checkUserApi(config);
  const baseline = config.baseline ? checkBaseline(config.baseline, config) : undefined;
  if (config.dryRun) {
    // On AWS the dry run reads the stack (nothing is changed) to show the real function and region.
    const stage = config.stage === "aws" ? await awsStage(config) : undefined;
    const gateRequests = config.gate ? collectionRequestCount(config.collection) : 0;
    const priceTable = config.priceTable ? readPriceTable(config.priceTable) : undefined;
    console.log(
      renderDryRun(config, {
        ...(stage ? { stage } : {}),
        gateRequests,
        ...(priceTable ? { priceTable } : {}),
      }),
    );
    return EXIT.ok;
  }
  checkOutputFolder(config.outDir);
  // A bad price table fails here, before the stage starts.
  const priceTable = config.priceTable ? readPriceTable(config.priceTable) : undefined;
  const plan = planRun(config);
  if (!(await confirmLargeSweep(plan.settings.length, plan.estimate, config.yes))) {
    console.error("bench: not started");
    return EXIT.error;
  }

  const controller = new AbortController();
  let journalFile: string | undefined;
  const offInterrupts = handleInterrupts({
    first(signal) {
      console.error(
        `\nbench: ${signal}: stopping; restoring the function first (this can take a while). ` +
          "Press Ctrl-C again to exit at once without restoring.",
      );
      // An AbortError as every abort is, carrying the signal's name for results.json's run.partial.
      controller.abort(new DOMException(signal, "AbortError"));
    },
    again(signal) {
      console.error(
        `\nbench: ${signal} again: exiting now, the function is NOT restored` +
          (journalFile ? `; restore it with: ${restoreCommand(journalFile)}` : ""),
      );
      process.exit(EXIT.error);
    },
  });

  let local: LocalStage | undefined;
  let stopGate: (() => Promise<void>) | undefined;
  const progress = createProgressReporter(process.stderr);
  try {
    let stage: Stage;
    if (config.stage === "local") {
      // Always measure the code as it is now: esbuild takes well under a second. (A user's template brings
      // its own built code.)
      if (config.template === undefined) await buildBundles();
      console.error(
        "bench: starting the local stage (API Gateway, Lambda, CloudWatch, DynamoDB on 127.0.0.1)",
      );
      // Each setting runs on its own version, whose environments idle once the sweep moves on: reclaim them
      // after 30 s (Lambda keeps them minutes) so a sweep does not hold every setting's processes at once.
      local = await startStage({
        idleTimeoutMs: 30_000,
        // The host's capacity: no invocation kept waiting for a core by its neighbours (capacity.ts).
        ...(config.capacity !== "off" ? { capacity: "host" as const } : {}),
        ...(config.capacity === "cap" ? { pinCpus: false } : {}),
        ...(config.idleFill === "off" ? { fillIdleCpus: false } : {}),
        ...(config.template !== undefined ? { template: config.template } : {}),
      });
      stage = local.stage;
      checkLocalFunction(config, stage);
    } else {
      stage = await awsStage(config);
    }
    // The run's folder is named first: the Newman gate writes each setting's JUnit report into it.
    const run = newRun();
    const runDir = path.join(config.outDir, run.id);
    const gateWarnings: string[] = [];
    const gate =
      config.gate && config.mode === "api"
        ? newmanGate({
            apiUrl: stage.apiUrl,
            tableName: stage.tableName,
            ...(config.collection !== undefined ? { collection: config.collection } : {}),
            ...(config.environment !== undefined ? { environment: config.environment } : {}),
            reportDir: path.join(runDir, "newman"),
            onWarning: (message) => gateWarnings.push(message),
            // On a pinned local stage Newman runs in processes of its own on every CPU, one per independent
            // folder, not on the stage's event loop (postman/gate-pool.ts, docs/postman.md).
            cpus: gateCpusOf(local?.cpuPinning),
          })
        : undefined;
    stopGate = gate?.close;
    const output = await runBench({
      config,
      ...(priceTable ? { priceTable } : {}),
      stage,
      signal: controller.signal,
      onProgress: (p) => progress.update(p),
      journal: { dir: journalDir, force, onPath: (file) => (journalFile = file) },
      run,
      ...(gate ? { gate } : {}),
    });
    progress.done();
    const comparison = compareWithBaseline(output.results, baseline);
    const written = await writeReportOrRescue(output.results, runDir, comparison);
    // `latest` is the last complete run: a partial one is written, but never becomes the reference.
    if (!output.results.run.partial) linkLatest(config.outDir, run.id);
    appendStepSummary(written.markdownPath);
    if (config.json) {
      console.log(
        JSON.stringify(
          {
            resultsPath: written.resultsPath,
            reportPath: written.htmlPath,
            summaryPath: written.markdownPath,
            recommendations: output.results.recommendations,
            regressions: comparison?.regressions ?? [],
          },
          null,
          2,
        ),
      );
    } else {
      console.log(renderTerminalSummary(output.results, written.htmlPath));
      for (const r of comparison?.regressions ?? []) console.log(`regression: ${r.settingId}: ${r.message}`);
    }
    if (output.outcome.applied) {
      console.error(
        `bench: auto-apply: alias ${stage.alias} now serves ${output.outcome.applied.settingId} (version ${output.outcome.applied.version})`,
      );
    }
    for (const warning of [...gateWarnings, ...output.warnings]) console.error(`bench: warning: ${warning}`);
    if (output.outcome.restoreError) console.error(`bench: ${output.outcome.restoreError}`);
    const partial = partialRunText(output.results);
    if (partial) console.error(`bench: ${partial}`);
    if (output.outcome.aborted)
      console.error(
        `bench: interrupted; the function was restored and partial results written to ${runDir} (latest not moved)`,
      );
    return exitCodeOf(output, comparison, config);
  } catch (error) {
    progress.done();
    console.error(errorLine(BENCH_COMMAND, error));
    return EXIT.error;
  } finally {
    await stopGate?.();
    if (local) await local.stop();
    offInterrupts();
  }
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  // `--restore` takes an optional journal path: a bare one is given as `--restore=` to the flag parser.
  const argv = process.argv
    .slice(2)
    .map((arg, i, all) =>
      arg === "--restore" && (all[i + 1] ?? "--").startsWith("--") ? "--restore=" : arg,
    );
  // Keep-alive sockets must not hold the process open after everything stopped: exitWith ends it.
  void runCommand(BENCH_COMMAND, argv, () => main(argv)).then((code) => exitWith(code));
}
