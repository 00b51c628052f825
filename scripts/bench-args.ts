/**
 * Flags of `npm run bench`: parsing, the usage text (render first: `benchUsage()` returns a string) and the one
 * path from argv to the validated config (`loadBenchConfig`: flags and the --config file, defaults < file < flags).
 * Unknown or invalid flags are errors that name the flag (scripts/command.ts); the usage is printed on --help only.
 */
import { resolveProfile } from "../loadtests/profiles.ts";
import {
  type BenchConfig,
  type BenchConfigLayer,
  checkConfigValues,
  resolveBenchConfig,
  validateConfigLayer,
} from "../tuning/config/bench-config.ts";
import { BENCH_OPTIONS, type BenchOption, keyOfFlag } from "../tuning/config/bench-options.ts";
import { describeError, InvalidSweepOptionError } from "../tuning/errors.ts";
import { INPUT_LIMITS, readJsonInput } from "./bench-preflight.ts";
import { type CommandSpec, type FlagSpec, parseCommandLine, renderHelp } from "./command.ts";

function defaultText(value: unknown): string | undefined {
  if (value === undefined || value === false || (typeof value === "object" && !Array.isArray(value)))
    return undefined;
  return Array.isArray(value) ? value.join(",") : String(value);
}

/** Every flag, in the order `--help` lists them, derived from the one option table (config-only keys left out). */
export const BENCH_FLAGS: Readonly<Record<string, FlagSpec>> = Object.fromEntries(
  (Object.entries(BENCH_OPTIONS) as [string, BenchOption][])
    .filter(([, option]) => !option.fileOnly)
    .map(([flag, option]) => {
      const shown = defaultText(option.default);
      const spec: FlagSpec = {
        type: option.flag === "boolean" ? "boolean" : "string",
        help: option.help,
        ...(option.value === undefined ? {} : { value: option.value }),
        ...(shown === undefined ? {} : { default: shown }),
      };
      return [flag, spec];
    }),
);

export const BENCH_COMMAND = {
  name: "bench",
  summary: [
    "Sweeps Lambda memory sizes (and architectures) under load through the API, prices each setting and",
    "writes reports/out/<run-id>/{results.json,index.html,summary.md}.",
  ].join("\n"),
  flags: BENCH_FLAGS,
  gate: "the SLO is met by no setting, every setting failed, or a regression against --baseline",
} as const satisfies CommandSpec;

export interface ParsedBenchArgs {
  help: boolean;
  configPath?: string;
  /** Every flag's value, validated once by the config schema (`--payload` read from its file first). */
  flags: BenchConfigLayer;
}

/** The usage text of `npm run bench`, every flag with its default. */
export function benchUsage(): string {
  return renderHelp(BENCH_COMMAND);
}

/** A flag's text as the JSON value its key takes (numbers stay text when they are not numbers: the schema says so). */
function jsonValueOf(option: BenchOption, text: string | boolean): unknown {
  if (typeof text === "boolean") return text;
  if (option.flag === "number")
    return text.trim() !== "" && Number.isFinite(Number(text)) ? Number(text) : text;
  if (option.flag === "list")
    return text
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
  return text;
}

/** A JSON flag (`--payload`): inline JSON, or @file with JSON in it (read with a size cap). */
function jsonFlagValue(flag: string, text: string): unknown {
  if (text.startsWith("@")) return readJsonInput(text.slice(1), `--${flag}`, INPUT_LIMITS.payloadBytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidSweepOptionError(`--${flag}`, text, `JSON or @<file> (${describeError(error)})`);
  }
}

/** Parses argv (without node and the script). Throws UsageError or InvalidSweepOptionError naming the flag. */
export function parseBenchArgs(argv: readonly string[]): ParsedBenchArgs {
  const line = parseCommandLine(BENCH_COMMAND, argv);
  const values = line.values as Record<string, string | boolean | undefined>;
  if (line.help) return { help: true, flags: {} };
  const raw: Record<string, unknown> = {};
  const typed: Record<string, string | boolean> = {};
  const flagOfKey: Record<string, string> = {};
  for (const [flag, value] of Object.entries(values)) {
    const option = BENCH_OPTIONS[flag as keyof typeof BENCH_OPTIONS] as BenchOption | undefined;
    if (!option || value === undefined || option.schema === null) continue;
    const key = keyOfFlag(flag);
    raw[key] =
      option.flag === "json" && typeof value === "string"
        ? jsonFlagValue(flag, value)
        : jsonValueOf(option, value);
    typed[key] = value;
    flagOfKey[key] = flag;
  }
  const flags = checkConfigValues(
    raw,
    "flags",
    (key) => `--${flagOfKey[key] ?? key}`,
    (key) => typed[key],
  );
  if (values["dry-run"]) flags.dryRun = true;
  if (values.yes) flags.yes = true;
  return {
    help: false,
    ...(typeof values.config === "string" ? { configPath: values.config } : {}),
    flags,
  };
}

/**
 * The one path from argv to the validated config: flags through the options table and schema (above), the
 * --config file through the same schema, merged (defaults < file < flags), the profile resolved.
 */
export function loadBenchConfig(argv: readonly string[]): BenchConfig | "help" {
  const args = parseBenchArgs(argv);
  if (args.help) return "help";
  const file = args.configPath
    ? validateConfigLayer(
        readJsonInput(args.configPath, "--config", INPUT_LIMITS.configBytes),
        args.configPath,
      )
    : {};
  const config = resolveBenchConfig(file, args.flags);
  // An unknown profile fails here, with the flags, not minutes later when the first load starts.
  resolveProfile(config.profile);
  return config;
}
