/**
 * Flags of `npm run loadtest` and the text summary it prints. Parsing and rendering only: scripts/loadtest.ts
 * does the I/O.
 */
import { parseArgs } from "node:util";
import { ENGINE_CHOICES, type EngineChoice } from "./engines.ts";
import { ConfigError } from "./errors.ts";
import { PROFILE_NAMES } from "./profiles.ts";
import type { RunResult } from "./run-result.ts";

export const LOADTEST_USAGE = `Usage: npm run loadtest -- --target <url> [options]

  --target <url>         base URL of the API, e.g. http://127.0.0.1:3000/prod (required)
  --profile <name>       ${PROFILE_NAMES.join(" | ")} (default: smoke)
  --engine <name>        ${ENGINE_CHOICES.join(" | ")} (default: auto: k6 when installed, else builtin)
  --rate <req/s>         peak arrival rate (overrides the profile's)
  --duration <time>      run length: 30s, 2m, 1500ms (a bare number is seconds)
  --max-in-flight <n>    cap on requests in flight; more are dropped and counted
  --seed <int>           seed of the workload's random choices (reproducible runs)
  --out <file>           write the run result JSON there
  --help                 this text

Exit codes: 0 thresholds passed, 99 thresholds failed (as k6), 130 interrupted (partial result written),
2 bad flags, 1 other errors.`;

export interface LoadtestCliOptions {
  target: string;
  profile: string;
  engine: EngineChoice;
  ratePerSec?: number;
  durationMs?: number;
  maxInFlight?: number;
  seed?: number;
  out?: string;
  help: boolean;
}

/** "30s" | "2m" | "1500ms" | "1h" | "45" (seconds) → ms. */
export function parseDurationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) {
    throw new ConfigError("--duration", `expected a duration like 30s, 2m or 1500ms, got "${text}"`);
  }
  const factor = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  const ms = Number(m[1]) * factor;
  if (ms <= 0) throw new ConfigError("--duration", `expected a positive duration, got "${text}"`);
  return ms;
}

function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const ok = text.trim() !== "" && Number.isFinite(value) && (integer ? Number.isInteger(value) : true);
  if (!ok || (flag !== "--seed" && value <= 0) || value < 0) {
    throw new ConfigError(
      flag,
      `expected a ${integer ? "whole " : ""}number${flag === "--seed" ? " ≥ 0" : " > 0"}, got "${text}"`,
    );
  }
  return value;
}

/** Parses the flags; throws ConfigError (or parseArgs' own error for unknown flags) with what was wrong. */
export function parseLoadtestArgs(argv: string[]): LoadtestCliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new ConfigError("flags", (error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return { target: "", profile: "smoke", engine: "auto", help: true };
  if (!v.target)
    throw new ConfigError(
      "--target",
      "missing: give the API base URL, e.g. --target http://127.0.0.1:3000/prod",
    );
  const engine = v.engine ?? "auto";
  if (!(ENGINE_CHOICES as readonly string[]).includes(engine)) {
    throw new ConfigError("--engine", `expected one of ${ENGINE_CHOICES.join(", ")}, got "${engine}"`);
  }
  const profile = v.profile ?? "smoke";
  if (!(PROFILE_NAMES as readonly string[]).includes(profile)) {
    throw new ConfigError("--profile", `expected one of ${PROFILE_NAMES.join(", ")}, got "${profile}"`);
  }
  const options: LoadtestCliOptions = {
    target: v.target,
    profile,
    engine: engine as EngineChoice,
    help: false,
  };
  const rate = positiveNumber("--rate", v.rate, false);
  if (rate !== undefined) options.ratePerSec = rate;
  if (v.duration !== undefined) options.durationMs = parseDurationMs(v.duration);
  const maxInFlight = positiveNumber("--max-in-flight", v["max-in-flight"], true);
  if (maxInFlight !== undefined) options.maxInFlight = maxInFlight;
  const seed = positiveNumber("--seed", v.seed, true);
  if (seed !== undefined) options.seed = seed;
  if (v.out) options.out = v.out;
  return options;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      target: { type: "string" },
      profile: { type: "string" },
      engine: { type: "string" },
      rate: { type: "string" },
      duration: { type: "string" },
      "max-in-flight": { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean" },
    },
  });
}

const f1 = (n: number) => n.toFixed(1);

/** A short human summary of a run. */
export function renderRunSummary(result: RunResult): string {
  const o = result.overall;
  const lines = [
    `${result.engine.name} ${result.engine.version} · profile ${result.profile} · ${result.target}${result.aborted ? " · INTERRUPTED (partial result)" : ""}`,
    `requests ${o.requests} in ${f1(result.durationMs / 1000)} s · rate ${f1(result.achievedRatePerSec)}/s of ${f1(result.targetRatePerSec)}/s target · dropped ${result.iterations.dropped}`,
    `latency ms  p50 ${f1(o.latency.p50Ms)}  p90 ${f1(o.latency.p90Ms)}  p95 ${f1(o.latency.p95Ms)}  p99 ${f1(o.latency.p99Ms)}  p99.9 ${f1(o.latency.p999Ms)}  max ${f1(o.latency.maxMs)}`,
    `errors ${o.errorCount} (${(o.errorRate * 100).toFixed(2)} %)${o.errorCount > 0 ? ` ${JSON.stringify(o.errors)}` : ""} · statuses ${JSON.stringify(o.statusCounts)}`,
    "",
    "operation  requests     p50     p95     p99   errors",
  ];
  for (const [op, s] of Object.entries(result.operations)) {
    lines.push(
      `${op.padEnd(9)} ${String(s.requests).padStart(9)} ${f1(s.latency.p50Ms).padStart(7)} ${f1(s.latency.p95Ms).padStart(7)} ${f1(s.latency.p99Ms).padStart(7)} ${String(s.errorCount).padStart(8)}`,
    );
  }
  lines.push("", "thresholds:");
  for (const t of result.thresholds) {
    lines.push(
      `  ${t.passed ? "✓" : "✗"} ${t.metric} ${t.expression} (actual ${Number(t.actual.toFixed(4))})`,
    );
  }
  lines.push(result.thresholdsPassed ? "PASSED" : "FAILED: thresholds crossed");
  return lines.join("\n");
}
