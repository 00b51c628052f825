/**
 * `npm run calibrate`: the local stage held against AWS's published measurements (stage/calibration/).
 *
 * Usage: npm run calibrate -- [--json] [--quick] [--cold-starts <n>] [--warm <n>]
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { renderCalibration } from "../stage/calibration/render.ts";
import { type CalibrationOptions, runCalibration } from "../stage/calibration/run-calibration.ts";

export const USAGE = `Usage: npm run calibrate -- [options]

Deploys reference functions on the local stage through its Lambda API (a SHA-256 loop, a single-thread
sort, a hello world, a DynamoDB function), runs them across memory sizes and prints the emulator beside the
published AWS figures with their sources (docs/fidelity.md explains how to read it).

Options:
  --json             print the result as JSON
  --quick            two sizes, one invocation of each kind (proves the command works; figures are rough)
  --cold-starts <n>  cold starts per memory size, 1 to 50 (default 5)
  --warm <n>         warm invocations per memory size, 1 to 100 (default 5)
  --help             show this help`;

class CalibrateArgsError extends Error {
  override readonly name = "CalibrateArgsError";
}

function count(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new CalibrateArgsError(`invalid --${flag} "${value}": expected an integer from 1 to ${max}`);
  }
  return n;
}

export function parseCalibrateArgs(
  argv: readonly string[],
): (CalibrationOptions & { json: boolean }) | "help" {
  let values: ReturnType<typeof parse>["values"];
  function parse() {
    return parseArgs({
      args: [...argv],
      options: {
        json: { type: "boolean" },
        quick: { type: "boolean" },
        "cold-starts": { type: "string" },
        warm: { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    throw new CalibrateArgsError(`${(error as Error).message} (see npm run calibrate -- --help)`);
  }
  if (values.help) return "help";
  const coldStarts = count("cold-starts", values["cold-starts"], 50);
  const warmInvocations = count("warm", values.warm, 100);
  return {
    json: values.json === true,
    quick: values.quick === true,
    ...(coldStarts === undefined ? {} : { coldStarts }),
    ...(warmInvocations === undefined ? {} : { warmInvocations }),
  };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseCalibrateArgs>;
  try {
    options = parseCalibrateArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`calibrate: ${(error as Error).message}`);
    process.exit(1);
  }
  if (options === "help") {
    console.log(USAGE);
    return;
  }
  const result = await runCalibration({
    ...options,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : renderCalibration(result));
}

const isMain =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`calibrate: ${(error as Error).message}`);
      process.exit(1);
    },
  );
}
