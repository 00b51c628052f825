/**
 * The one way every `npm run <command>` is written: a flag table, `parseCommandLine` over node's `parseArgs`,
 * `renderHelp` from the same table, and `runCommand`, which turns any error into one line that says what was
 * wrong and how to fix it (no class name, no usage dump: `--help` prints that, only when asked), and returns
 * the exit code. Exit codes are defined here, once, for every command (docs/commands.md).
 *
 * @example
 * const spec = { name: "fuzz", summary: "…", flags: { runs: { type: "string", value: "<n>", help: "…" } } };
 * process.exitCode = await runCommand(spec, process.argv.slice(2), async ({ values }) => EXIT.ok);
 */
import { parseArgs } from "node:util";
import { invalidInput } from "../loadtests/errors.ts";
import { editDistance } from "../tuning/config/edit-distance.ts";

/** Exit codes of every command. */
export const EXIT = {
  /** the command did its job */
  ok: 0,
  /** an error: bad flags or config, a file that cannot be read or written, an interrupted run, a crash */
  error: 1,
  /** a gate said no: thresholds or the SLO not met, a regression, a failing contract or fuzz case */
  gate: 2,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface FlagSpec {
  type: "string" | "boolean";
  /** Placeholder of the value in the help, e.g. "<ms>". */
  value?: string;
  help: string;
  /** Shown in the help as "(default: …)". */
  default?: string;
  /** The flag may be given more than once (values collected in order). */
  multiple?: boolean;
}

export interface CommandSpec {
  /** The npm script's name: "bench". */
  name: string;
  /** One or two sentences of what the command does, for --help. */
  summary: string;
  flags: Readonly<Record<string, FlagSpec>>;
  /** Positional arguments: their names for the help and how many are allowed. @default none */
  positionals?: { names: string; min: number; max: number };
  /** What exit code 2 means for this command, for --help; absent when it never gates. */
  gate?: string;
}

export interface CommandLine {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  help: boolean;
}

/** A command-line or input problem the user fixes; its message is the one line printed. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A flag's value the user fixes: `invalid --memory "64": expected an integer from 128 to 10240 MB`. */
export function invalidFlag(flag: string, text: string, detail: string): UsageError {
  return new UsageError(invalidInput(`--${flag}`, detail, text));
}

/** The known flag closest to an unknown one, when it is close enough to be a typo. */
export function closestFlag(unknown: string, known: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of known) {
    const d = editDistance(unknown, name);
    if (!best || d < best.d) best = { name, d };
  }
  if (!best) return undefined;
  const prefix = known.filter((name) => name.startsWith(unknown));
  if (prefix.length === 1 && unknown.length >= 3) return prefix[0];
  // a known flag with something added: --baseline-file → --baseline
  const extended = known.filter((name) => name.length >= 4 && unknown.startsWith(name));
  if (extended.length > 0) return extended.sort((a, b) => b.length - a.length)[0];
  return best.d <= Math.max(2, Math.floor(unknown.length / 3)) ? best.name : undefined;
}

function helpHint(spec: CommandSpec): string {
  return `npm run ${spec.name} -- --help lists the flags`;
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * Parses argv (without node and the script) against the flag table. Throws UsageError with one line: an
 * unknown flag with the closest known one, a missing value, a value given to a switch, a stray argument.
 * A negative number is taken as a value (`--rate -5`), so the flag's own check can say what it expects.
 */
export function parseCommandLine(spec: CommandSpec, argv: readonly string[]): CommandLine {
  const flags: Record<string, FlagSpec> = { ...spec.flags, help: { type: "boolean", help: "" } };
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(
      Object.entries(flags).map(([name, flag]) => [
        name,
        { type: flag.type, multiple: flag.multiple ?? false },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: CommandLine["values"] = {};
  const positionals: string[] = [];
  let help = false;
  for (const token of tokens) {
    if (token.kind === "positional") {
      positionals.push(token.value);
      continue;
    }
    if (token.kind === "option-terminator") continue;
    const typed = token.rawName;
    if (token.name === "h" && typed === "-h") {
      help = true;
      continue;
    }
    const flag = flags[token.name];
    if (!flag || !typed.startsWith("--")) {
      const guess = closestFlag(token.name, Object.keys(spec.flags));
      throw new UsageError(
        `unknown flag ${typed}${guess ? `: did you mean --${guess}?` : ""} (${helpHint(spec)})`,
      );
    }
    if (token.name === "help") {
      help = true;
      continue;
    }
    if (flag.type === "boolean") {
      if (token.inlineValue)
        throw new UsageError(`${typed} is a switch and takes no value: write ${typed} alone`);
      values[token.name] = true;
      continue;
    }
    const value = token.value;
    if (value === undefined || (value.startsWith("-") && !NEGATIVE_NUMBER.test(value) && !token.inlineValue))
      throw new UsageError(
        `${typed} needs a value${flag.value ? ` ${flag.value}` : ""}${flag.default ? `, e.g. ${typed} ${flag.default}` : ""}`,
      );
    if (flag.multiple) values[token.name] = [...((values[token.name] as string[] | undefined) ?? []), value];
    else if (values[token.name] !== undefined) throw new UsageError(`${typed} is given twice: give it once`);
    else values[token.name] = value;
  }
  if (!help) {
    const allowed = spec.positionals ?? { names: "", min: 0, max: 0 };
    if (positionals.length > allowed.max) {
      const extra = positionals[allowed.max];
      throw new UsageError(
        allowed.max === 0
          ? `unexpected argument "${extra}": ${spec.name} takes flags only (${helpHint(spec)})`
          : `unexpected argument "${extra}": ${spec.name} takes ${allowed.names} (${helpHint(spec)})`,
      );
    }
    if (positionals.length < allowed.min)
      throw new UsageError(`missing ${allowed.names}: npm run ${spec.name} -- ${allowed.names}`);
  }
  return { values, positionals, help };
}

/** The help of a command: usage, summary, every flag with its default, the exit codes. */
export function renderHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.flags).map(([name, flag]) => {
    const left = `  --${name}${flag.value ? ` ${flag.value}` : ""}`;
    const extra = [
      flag.default !== undefined ? `default: ${flag.default}` : "",
      flag.multiple ? "repeatable" : "",
    ].filter(Boolean);
    return `${left.padEnd(34)} ${flag.help}${extra.length ? ` (${extra.join("; ")})` : ""}`;
  });
  return [
    `Usage: npm run ${spec.name} -- ${spec.positionals ? `${spec.positionals.names} ` : ""}[flags]`,
    "",
    spec.summary,
    "",
    "Flags:",
    ...rows,
    `${"  --help, -h".padEnd(34)} this text`,
    "",
    `Exit codes: 0 ok; 1 error (bad flag, config or file, interrupted, crashed)${spec.gate ? `; 2 ${spec.gate}` : ""}.`,
  ].join("\n");
}

/** The one line printed for an error: the message, never the class name or a stack. */
export function errorLine(spec: CommandSpec, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split("\n")[0] ?? "";
  return `${spec.name}: ${firstLine || (error instanceof Error ? error.name : "failed")}`;
}

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** @default process.env.POWERBENCH_DEBUG === "1": print the stack of an error too */
  debug?: boolean;
}

const PROCESS_IO: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * Parses, prints the help when asked, runs `main` and maps every error to one line on stderr and exit 1.
 * `main` returns an exit code from EXIT.
 */
export async function runCommand(
  spec: CommandSpec,
  argv: readonly string[],
  main: (line: CommandLine) => Promise<ExitCode>,
  io: CommandIo = PROCESS_IO,
): Promise<ExitCode> {
  const debug = io.debug ?? process.env.POWERBENCH_DEBUG === "1";
  try {
    const line = parseCommandLine(spec, argv);
    if (line.help) {
      io.stdout(`${renderHelp(spec)}\n`);
      return EXIT.ok;
    }
    return await main(line);
  } catch (error) {
    io.stderr(`${errorLine(spec, error)}\n`);
    if (debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT.error;
  }
}

/** Ends the process with `code` once pending output is flushed; a stray keep-alive handle cannot hold it. */
export function exitWith(code: ExitCode, graceMs = 2_000): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), graceMs).unref();
}

/** Number checks shared by the commands' flags; each error names the flag and what it expects. */
export function numberFlag(
  flag: string,
  text: string,
  options: { integer?: boolean; min?: number; max?: number; minExclusive?: boolean } = {},
): number {
  const value = Number(text);
  const { integer = false, min, max, minExclusive = false } = options;
  const ok =
    text.trim() !== "" &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (min === undefined || (minExclusive ? value > min : value >= min)) &&
    (max === undefined || value <= max);
  if (!ok) {
    const range =
      min !== undefined && max !== undefined
        ? ` from ${min} to ${max}`
        : min !== undefined
          ? minExclusive
            ? ` > ${min}`
            : ` ≥ ${min}`
          : max !== undefined
            ? ` ≤ ${max}`
            : "";
    throw invalidFlag(flag, text, `expected ${integer ? "an integer" : "a number"}${range}`);
  }
  return value;
}
