/**
 * `npm run calibrate`: the local stage held against AWS's published measurements (logic in
 * stage/calibration/). Exit 0 with the table (or JSON); 1 with one line on an error (scripts/command.ts).
 *
 * Usage: npm run calibrate -- [--json] [--quick] [--cold-starts <n>] [--warm <n>] [--capacity auto|off]
 *        [--idle-fill on|off]
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { renderCalibration } from "../stage/calibration/render.ts";
import { type CalibrationOptions, runCalibration } from "../stage/calibration/run-calibration.ts";
import {
  type CommandLine,
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  invalidFlag,
  numberFlag,
  parseCommandLine,
  runCommand,
} from "./command.ts";

export const CALIBRATE_COMMAND = {
  name: "calibrate",
  summary:
    "Deploys reference functions on the local stage through its Lambda API (a SHA-256 loop, a single-thread " +
    "sort, a hello world, a DynamoDB function), runs them across memory sizes and prints the emulator beside " +
    "the published AWS figures with their sources (docs/fidelity.md explains how to read it).",
  flags: {
    json: { type: "boolean", help: "print the result as JSON" },
    quick: {
      type: "boolean",
      help: "two sizes, one invocation of each kind (proves the command works; figures are rough)",
    },
    "cold-starts": {
      type: "string",
      value: "<n>",
      help: "cold starts per memory size, 1 to 50",
      default: "5",
    },
    warm: { type: "string", value: "<n>", help: "warm invocations per memory size, 1 to 100", default: "5" },
    capacity: {
      type: "string",
      value: "auto|off",
      help: "the stage as `npm run bench` runs it (auto: the stage and the environments on separate CPUs) or unpinned (off)",
      default: "auto",
    },
    "idle-fill": {
      type: "string",
      value: "on|off",
      help: 'with --capacity auto: keep the CPUs from idling, as `npm run bench` does (docs/fidelity.md, "Idle cores")',
      default: "on",
    },
  },
} as const satisfies CommandSpec;

/** The calibration's options from the parsed flags; a bad count is one line naming the flag. */
export function calibrateOptions(values: CommandLine["values"]): CalibrationOptions & { json: boolean } {
  const count = (flag: string, raw: unknown, max: number) =>
    typeof raw === "string" ? numberFlag(flag, raw, { integer: true, min: 1, max }) : undefined;
  const coldStarts = count("cold-starts", values["cold-starts"], 50);
  const warmInvocations = count("warm", values.warm, 100);
  const choice = <T extends string>(flag: string, raw: unknown, allowed: readonly T[]): T | undefined => {
    if (raw === undefined) return undefined;
    if (typeof raw === "string" && (allowed as readonly string[]).includes(raw)) return raw as T;
    throw invalidFlag(flag, String(raw), `expected ${allowed.join(" or ")}`);
  };
  const capacity = choice("capacity", values.capacity, ["auto", "off"] as const);
  const idleFill = choice("idle-fill", values["idle-fill"], ["on", "off"] as const);
  return {
    json: values.json === true,
    quick: values.quick === true,
    ...(coldStarts === undefined ? {} : { coldStarts }),
    ...(warmInvocations === undefined ? {} : { warmInvocations }),
    ...(capacity === undefined ? {} : { capacity }),
    ...(idleFill === undefined ? {} : { idleFill }),
  };
}

/** argv (without node and the script) to the calibration's options; throws UsageError with one line. */
export function parseCalibrateArgs(argv: readonly string[]): CalibrationOptions & { json: boolean } {
  return calibrateOptions(parseCommandLine(CALIBRATE_COMMAND, argv).values);
}

async function main(values: CommandLine["values"]): Promise<ExitCode> {
  const options = calibrateOptions(values);
  const result = await runCalibration({
    ...options,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderCalibration(result));
  return EXIT.ok;
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  void runCommand(CALIBRATE_COMMAND, process.argv.slice(2), ({ values }) => main(values)).then((code) =>
    exitWith(code),
  );
}
