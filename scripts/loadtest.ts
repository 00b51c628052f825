/**
 * `npm run loadtest -- --target <url> [--profile smoke] [--engine auto|k6|builtin] [--rate] [--duration]
 * [--seed] [--mix] [--key-popularity] [--zipf-exponent] [--out result.json]`: runs one load profile against
 * an API and prints a summary (with the seed, so a run can be repeated).
 * Ctrl-C ends the run early and still prints (and writes) the partial result (exit 1: not a complete run).
 * Exit codes (scripts/command.ts): 0 thresholds passed, 1 error or interrupted, 2 thresholds failed.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  DEFAULT_MIX,
  type LoadtestFlagValues,
  loadtestOptionsFrom,
  renderRunSummary,
} from "../loadtests/cli.ts";
import { ENGINE_CHOICES } from "../loadtests/engines/names.ts";
import type { LoadRunOptions } from "../loadtests/engines/port.ts";
import { createEngine } from "../loadtests/engines/select.ts";
import { PROFILE_NAMES } from "../loadtests/profiles.ts";
import { type CommandSpec, EXIT, type ExitCode, exitWith, runCommand } from "./command.ts";

export const LOADTEST_COMMAND = {
  name: "loadtest",
  summary: "Runs one load profile against an API and prints a summary, with the seed to repeat it.",
  flags: {
    target: {
      type: "string",
      value: "<url>",
      help: "base URL of the API, e.g. http://127.0.0.1:3000/prod (required)",
    },
    profile: { type: "string", value: "<name>", help: PROFILE_NAMES.join(" | "), default: "smoke" },
    engine: {
      type: "string",
      value: "<name>",
      help: `${ENGINE_CHOICES.join(" | ")}; auto = k6 when installed`,
      default: "auto",
    },
    rate: { type: "string", value: "<req/s>", help: "peak arrival rate (overrides the profile's)" },
    duration: {
      type: "string",
      value: "<time>",
      help: "run length: 30s, 2m, 1500ms (a bare number is seconds)",
    },
    "max-in-flight": {
      type: "string",
      value: "<n>",
      help: "cap on requests in flight; more are dropped and counted",
    },
    "max-connections": {
      type: "string",
      value: "<n>",
      help: "built-in engine: keep-alive connections at most (default: the in-flight cap)",
    },
    seed: {
      type: "string",
      value: "<int>",
      help: "seed of the workload's random choices (the summary prints it)",
    },
    mix: {
      type: "string",
      value: "<op=weight,...>",
      help: "operation mix, relative weights; operations left out get 0",
      default: DEFAULT_MIX,
    },
    "key-popularity": {
      type: "string",
      value: "<p>",
      help: "uniform | zipfian: how ids are picked",
      default: "zipfian",
    },
    "zipf-exponent": {
      type: "string",
      value: "<s>",
      help: "exponent s of zipfian popularity, P(rank k) ∝ 1/k^s",
      default: "1.0",
    },
    out: { type: "string", value: "<file>", help: "write the run result JSON there" },
  },
  gate: "the thresholds failed (k6's exit 99)",
} as const satisfies CommandSpec;

async function main(values: LoadtestFlagValues): Promise<ExitCode> {
  const options = loadtestOptionsFrom(values);
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
  if (result.aborted) return EXIT.error;
  return result.thresholdsPassed ? EXIT.ok : EXIT.gate;
}

void runCommand(LOADTEST_COMMAND, process.argv.slice(2), ({ values }) =>
  main(values as LoadtestFlagValues),
).then((code) => exitWith(code));
