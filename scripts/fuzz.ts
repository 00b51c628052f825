/**
 * `npm run fuzz`: sends generated hostile requests (default 10,000, fixed seed) through the local stage's API
 * and prints the figures as Markdown: requests, answers by status, 5xx, crashes, table mismatches, duration.
 * Exit code 1 when any property was violated.
 *
 * Usage: npm run fuzz -- [--runs <n>] [--seed <n>]
 */
import { parseArgs } from "node:util";
import { startStage } from "../stage/stage.ts";
import { renderFuzzFigures, runFuzz } from "../test/fuzz/fuzz-run.ts";

export const DEFAULTS = {
  /** @default 10000 */
  runs: 10_000,
  /** @default 20261127 */
  seed: 20261127,
} as const;

function parseFlags(argv: string[]): { runs: number; seed: number } {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } },
    strict: true,
  });
  if (values.help) {
    console.log("Usage: npm run fuzz -- [--runs <n>] [--seed <n>]  (defaults: 10000 runs, seed 20261127)");
    process.exit(0);
  }
  const int = (flag: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw) || Number(raw) < min)
      throw new Error(`invalid --${flag} "${raw}": expected an integer of at least ${min}`);
    return Number(raw);
  };
  return {
    runs: int("runs", values.runs, DEFAULTS.runs, 1),
    seed: int("seed", values.seed, DEFAULTS.seed, -(2 ** 31)),
  };
}

async function main(): Promise<void> {
  const { runs, seed } = parseFlags(process.argv.slice(2));
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
    process.exitCode = failed ? 1 : 0;
  } finally {
    await local.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`fuzz failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
