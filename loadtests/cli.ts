/**
 * Flags of `npm run loadtest` and the text summary it prints. Parsing and rendering only: scripts/loadtest.ts
 * does the I/O.
 */
import { parseArgs } from "node:util";
import { ENGINE_CHOICES, type EngineChoice } from "./engines/names.ts";
import { ConfigError } from "./errors.ts";
import { PROFILE_NAMES } from "./profiles.ts";
import { OPERATIONS, type RunResult } from "./run-result.ts";
import { parseSeed } from "./seed.ts";
import { resolveWorkload, WORKLOAD_DEFAULTS, type WorkloadInput } from "./workload/config.ts";

export const DEFAULT_MIX = OPERATIONS.map((op) => `${op}=${WORKLOAD_DEFAULTS.mix[op]}`).join(",");

export interface LoadtestCliOptions {
  target: string;
  profile: string;
  engine: EngineChoice;
  ratePerSec?: number;
  durationMs?: number;
  maxInFlight?: number;
  /** Built-in engine only: connections at most (default: the in-flight cap). */
  maxConnections?: number;
  seed?: number;
  /** From --mix, --key-popularity, --zipf-exponent; checked with resolveWorkload. */
  workload?: WorkloadInput;
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
  if (!ok || value <= 0) {
    throw new ConfigError(flag, `expected a ${integer ? "whole " : ""}number > 0, got "${text}"`);
  }
  return value;
}

/** "create=20,read=50" → { create: 20, read: 50 }; syntax only (resolveWorkload checks the names and weights). */
function parseMix(text: string): Record<string, number> {
  // No prototype: a name such as "toString" or "__proto__" is just an unknown operation.
  const mix: Record<string, number> = Object.create(null);
  for (const part of text.split(",")) {
    const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) {
      throw new ConfigError(
        "--mix",
        `expected operation=weight pairs separated by commas, got "${part}" in "${text}"; for example --mix ${DEFAULT_MIX}`,
      );
    }
    const [, name, weightText] = m as unknown as [string, string, string];
    const weight = Number(weightText);
    if (!Number.isFinite(weight)) {
      throw new ConfigError(
        "--mix",
        `weight of ${name}: expected a number ≥ 0, got "${weightText}"; for example --mix ${DEFAULT_MIX}`,
      );
    }
    if (Object.hasOwn(mix, name))
      throw new ConfigError("--mix", `${name} is given twice in "${text}": give each once`);
    mix[name] = weight;
  }
  return mix;
}

/** The workload flag a resolveWorkload field comes from. */
function workloadFlag(field: string): string {
  if (field === "mix" || field.startsWith("mix.")) return "--mix";
  return field === "keyPopularity" ? "--key-popularity" : "--zipf-exponent";
}

/**
 * The workload from --mix, --key-popularity and --zipf-exponent (undefined when none is given), checked by
 * resolveWorkload; its errors are reported against the flag, with an example of a valid value.
 */
function workloadOf(values: ReturnType<typeof parse>["values"]): WorkloadInput | undefined {
  const input: WorkloadInput = {};
  if (values.mix !== undefined) input.mix = parseMix(values.mix);
  if (values["key-popularity"] !== undefined) input.keyPopularity = values["key-popularity"];
  const exponentText = values["zipf-exponent"];
  if (exponentText !== undefined) {
    const exponent = Number(exponentText);
    if (exponentText.trim() === "" || !Number.isFinite(exponent)) {
      throw new ConfigError("--zipf-exponent", `expected a number ≥ 0 like 1.0, got "${exponentText}"`);
    }
    input.zipfExponent = exponent;
  }
  if (Object.keys(input).length === 0) return undefined;
  try {
    resolveWorkload(input);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const flag = workloadFlag(error.field);
    // The message without resolveWorkload's "invalid <field>: " prefix, which names a config field.
    let detail = error.message.slice(`invalid ${error.field}: `.length);
    if (error.field.startsWith("mix.") && !detail.startsWith("unknown operation"))
      detail = `weight of ${error.field.slice(4)}: ${detail}`;
    const example = flag === "--mix" ? `; for example --mix ${DEFAULT_MIX}` : "";
    throw new ConfigError(flag, `${detail}${example}`);
  }
  return input;
}

/** Parses the flags; throws ConfigError (or parseArgs' own error for unknown flags) with what was wrong. */
export function parseLoadtestArgs(argv: string[]): LoadtestCliOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new ConfigError("flags", (error as Error).message);
  }
  return loadtestOptionsFrom(parsed.values);
}

/** The flag values as `npm run loadtest`'s flag table parses them (strings, and `help`). */
export type LoadtestFlagValues = ReturnType<typeof parse>["values"];

/** Checks the flag values and turns them into run options; throws ConfigError naming the flag. */
export function loadtestOptionsFrom(v: LoadtestFlagValues): LoadtestCliOptions {
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
  const maxConnections = positiveNumber("--max-connections", v["max-connections"], true);
  // Refused by createEngine when k6 runs, explicit or found by auto.
  if (maxConnections !== undefined) options.maxConnections = maxConnections;
  if (v.seed !== undefined) options.seed = parseSeed(v.seed);
  const workload = workloadOf(v);
  if (workload) options.workload = workload;
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
      "max-connections": { type: "string" },
      seed: { type: "string" },
      mix: { type: "string" },
      "key-popularity": { type: "string" },
      "zipf-exponent": { type: "string" },
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
    `${result.engine.name} ${result.engine.version} · profile ${result.profile}${result.seed === undefined ? "" : ` · seed ${result.seed}`} · ${result.target}${result.aborted ? " · INTERRUPTED (partial result)" : ""}`,
    `requests ${o.requests} in ${f1(result.durationMs / 1000)} s · rate ${f1(result.achievedRatePerSec)}/s of ${f1(result.targetRatePerSec)}/s target · dropped ${result.iterations.dropped}`,
    `latency ms  p50 ${f1(o.latency.p50Ms)}  p90 ${f1(o.latency.p90Ms)}  p95 ${f1(o.latency.p95Ms)}  p99 ${f1(o.latency.p99Ms)}  p99.9 ${f1(o.latency.p999Ms)}  max ${f1(o.latency.maxMs)}`,
    `errors ${o.errorCount} (${(o.errorRate * 100).toFixed(2)} %)${o.errorCount > 0 ? ` ${JSON.stringify(o.errors)}` : ""} · statuses ${JSON.stringify(o.statusCounts)}`,
    ...(result.transportErrorCodes
      ? [`transport errors by code ${JSON.stringify(result.transportErrorCodes)} (no HTTP answer)`]
      : []),
    ...(result.startLag
      ? [
          `start lag ms  p50 ${f1(result.startLag.p50Ms)}  p99 ${f1(result.startLag.p99Ms)}  max ${f1(result.startLag.maxMs)} (actual start − due time)`,
        ]
      : []),
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
