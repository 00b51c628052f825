/**
 * `npm run fuzz`: sends generated hostile requests (default 10,000, fixed seed) through the local stage's API
 * and prints the figures as Markdown: requests, answers by status, 5xx, crashes, table mismatches, duration.
 * Exit code 2 when any property was violated (scripts/command.ts).
 *
 * Usage: npm run fuzz -- [--runs <n>] [--seed <n>]
 */
import { SEED_RANGE } from "../loadtests/seed.ts";
import { startStage } from "../stage/stage.ts";
import { renderFuzzFigures, runFuzz } from "../test/fuzz/fuzz-run.ts";
import {
  type CommandLine,
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  numberFlag,
  runCommand,
} from "./command.ts";
export const DEFAULTS = {
  /** @default 10000 */
  runs: 10_000,
  /** @default 20261127 */
  seed: 20261127,
} as const;

export const FUZZ_COMMAND = {
  name: "fuzz",
  summary:
    "Sends generated hostile requests through the local stage's API and prints the figures as Markdown.",
  flags: {
    runs: { type: "string", value: "<n>", help: "requests to send", default: String(DEFAULTS.runs) },
    seed: { type: "string", value: "<n>", help: "seed of the generator", default: String(DEFAULTS.seed) },
  },
  gate: "a property was violated (a 5xx, a crash, a table mismatch)",
} as const satisfies CommandSpec;

function parseFlags(values: CommandLine["values"]): { runs: number; seed: number } {
  const int = (flag: string, raw: unknown, fallback: number, min: number) =>
    typeof raw === "string" ? numberFlag(flag, raw, { integer: true, min }) : fallback;
  return {
    runs: int("runs", values.runs, DEFAULTS.runs, 1),
    // the bound every seeded command shares (loadtests/seed.ts); fast-check takes any 32-bit value
    seed: typeof values.seed === "string" ? numberFlag("seed", values.seed, SEED_RANGE) : DEFAULTS.seed,
  };
}

async function main(values: CommandLine["values"]): Promise<ExitCode> {
  const { runs, seed } = parseFlags(values);
  const local = await startStage({ cpuScaling: "off" });
  try {
    console.error(`fuzzing ${local.stage.apiUrl}: ${runs} requests, seed ${seed}`);
    const figures = await runFuzz(local, {
      runs,
      seed,
      progressEvery: 1000,
      onProgress: (done) => console.error(`  ${done}/${runs}`),
    });
    console.log(renderFuzzFigures(figures, `npm run fuzz -- --runs ${runs} --seed ${seed}`));
    if (figures.firstViolations.length > 0) {
      console.log("\nFirst violations:\n");
      for (const v of figures.firstViolations)
        console.log(`- #${v.index} -> ${v.status}: ${v.problems.join("; ")}\n  ${v.request}`);
    }
    const { table } = figures;
    const failed =
      figures.violations > 0 ||
      figures.crashes > 0 ||
      !figures.stageAlive ||
      table.missing.length + table.extra.length + table.different.length > 0;
    return failed ? EXIT.gate : EXIT.ok;
  } finally {
    await local.stop();
  }
}

void runCommand(FUZZ_COMMAND, process.argv.slice(2), ({ values }) => main(values)).then((code) =>
  exitWith(code),
);
