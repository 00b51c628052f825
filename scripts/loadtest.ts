/**
 * `npm run loadtest -- --target <url> [--profile smoke] [--engine auto|k6|builtin] [--rate] [--duration]
 * [--seed] [--mix] [--key-popularity] [--zipf-exponent] [--out result.json]`: runs one load profile against
 * an API and prints a summary (with the seed, so a run can be repeated).
 * Ctrl-C ends the run early and still prints (and writes) the partial result.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  LOADTEST_USAGE,
  type LoadtestCliOptions,
  parseLoadtestArgs,
  renderRunSummary,
} from "../loadtests/cli.ts";
import { createEngine } from "../loadtests/engines.ts";
import { ConfigError } from "../loadtests/errors.ts";
import type { LoadRunOptions } from "../loadtests/load-engine.ts";

let options: LoadtestCliOptions;
try {
  options = parseLoadtestArgs(process.argv.slice(2));
} catch (error) {
  console.error(`loadtest: ${(error as Error).message}\n\n${LOADTEST_USAGE}`);
  process.exit(2);
}
if (options.help) {
  console.log(LOADTEST_USAGE);
  process.exit(0);
}

try {
  const engine = createEngine(
    options.engine,
    options.maxConnections === undefined ? {} : { builtin: { maxConnections: options.maxConnections } },
  );
  console.error(`loadtest: ${engine.name} engine, profile ${options.profile}, target ${options.target}`);
  const run: LoadRunOptions = {
    target: options.target,
    profile: options.profile as LoadRunOptions["profile"],
    onProgress: (p) =>
      console.error(`  ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.requests} requests, ${p.errors} errors`),
  };
  if (options.seed !== undefined) run.seed = options.seed;
  if (options.ratePerSec !== undefined) run.ratePerSec = options.ratePerSec;
  if (options.durationMs !== undefined) run.durationMs = options.durationMs;
  if (options.maxInFlight !== undefined) run.maxInFlight = options.maxInFlight;
  if (options.workload !== undefined) run.overrides = { workload: options.workload };
  const result = await engine.run(run);
  console.log(renderRunSummary(result));
  if (options.out) {
    mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
    console.error(`loadtest: wrote ${options.out}`);
  }
  process.exitCode = result.aborted ? 130 : result.thresholdsPassed ? 0 : 99;
} catch (error) {
  console.error(`loadtest: ${(error as Error).message}`);
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
