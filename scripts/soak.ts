/**
 * `npm run soak`: a bounded soak of the local stage (default 5 minutes at 40 req/s) with a ledger of every
 * acknowledged write, verified at the end (0 lost, 0 stale), RSS of every stage process sampled with a
 * no-growth-trend check, error rate 0. Prints the figures as Markdown; exit code 1 when any check failed.
 *
 * Usage: npm run soak -- [--duration-s <n>] [--rate <req/s>] [--seed <n>]
 */
import { parseArgs } from "node:util";
import { renderSoakFigures, soakPassed } from "../test/soak/render-soak.ts";
import { DEFAULTS, runSoak } from "../test/soak/soak-run.ts";
import { startStageChild } from "../test/soak/stage-child.ts";

function parseFlags(argv: string[]): { durationS: number; ratePerS: number; seed: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      "duration-s": { type: "string" },
      rate: { type: "string" },
      seed: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "Usage: npm run soak -- [--duration-s <n>] [--rate <req/s>] [--seed <n>]  (defaults: 1200 s, 40 req/s)",
    );
    process.exit(0);
  }
  const num = (flag: string, raw: string | undefined, fallback: number, min: number, max: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || value < min || value > max)
      throw new Error(`invalid --${flag} "${raw}": expected a number from ${min} to ${max}`);
    return value;
  };
  return {
    durationS: num("duration-s", values["duration-s"], DEFAULTS.durationS, 1, 24 * 3600),
    ratePerS: num("rate", values.rate, DEFAULTS.ratePerS, 0.1, 2000),
    seed: num("seed", values.seed, DEFAULTS.seed, 0, 2 ** 31),
  };
}

async function main(): Promise<void> {
  const { durationS, ratePerS, seed } = parseFlags(process.argv.slice(2));
  const stage = await startStageChild();
  try {
    console.error(
      `soak: ${durationS} s at ${ratePerS} req/s against ${stage.endpoints.apiUrl} (stage pid ${stage.pid})`,
    );
    const figures = await runSoak(stage, {
      durationS,
      ratePerS,
      seed,
      onProgress: (line) => console.error(`  ${line}`),
    });
    console.log(
      renderSoakFigures(
        figures,
        `npm run soak -- --duration-s ${durationS} --rate ${ratePerS} --seed ${seed}`,
      ),
    );
    if (figures.firstErrors.length > 0)
      console.log(`\nFirst errors:\n${figures.firstErrors.map((e) => `- ${e}`).join("\n")}`);
    const v = figures.verify;
    for (const [what, ids] of [
      ["lost", v.lost],
      ["stale", v.stale],
      ["resurrected", v.resurrected],
      ["phantom", v.phantom],
    ] as const)
      if (ids.length > 0) console.log(`\n${what}: ${ids.slice(0, 20).join(", ")}`);
    process.exitCode = soakPassed(figures) ? 0 : 1;
  } finally {
    await stage.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
