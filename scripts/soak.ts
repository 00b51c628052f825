/**
 * `npm run soak`: a bounded soak of the local stage (default 20 minutes at 40 req/s, test/soak/soak-run.ts DEFAULTS) with a ledger of every
 * acknowledged write, verified at the end (0 lost, 0 stale), RSS of every stage process sampled with a
 * no-growth-trend check, error rate 0. Prints the figures as Markdown; exit code 2 when any check failed.
 *
 * Usage: npm run soak -- [--duration-s <n>] [--rate <req/s>] [--seed <n>]
 */
import { SEED_RANGE } from "../loadtests/seed.ts";
import { renderSoakFigures, soakPassed } from "../test/soak/render-soak.ts";
import { DEFAULTS, runSoak } from "../test/soak/soak-run.ts";
import { startStageChild } from "../test/soak/stage-child.ts";
import {
  type CommandLine,
  type CommandSpec,
  EXIT,
  type ExitCode,
  exitWith,
  numberFlag,
  runCommand,
} from "./command.ts";
export const SOAK_COMMAND = {
  name: "soak",
  summary:
    "A bounded soak of the local stage with a ledger of every acknowledged write, verified at the end.",
  flags: {
    "duration-s": {
      type: "string",
      value: "<n>",
      help: "length in seconds",
      default: String(DEFAULTS.durationS),
    },
    rate: { type: "string", value: "<req/s>", help: "request rate", default: String(DEFAULTS.ratePerS) },
    seed: { type: "string", value: "<n>", help: "seed of the workload", default: String(DEFAULTS.seed) },
  },
  gate: "a check failed (lost or stale writes, errors, memory growth)",
} as const satisfies CommandSpec;

function parseFlags(values: CommandLine["values"]): { durationS: number; ratePerS: number; seed: number } {
  const num = (flag: string, raw: unknown, fallback: number, min: number, max: number, integer = false) =>
    typeof raw === "string" ? numberFlag(flag, raw, { min, max, integer }) : fallback;
  return {
    durationS: num("duration-s", values["duration-s"], DEFAULTS.durationS, 1, 24 * 3600),
    ratePerS: num("rate", values.rate, DEFAULTS.ratePerS, 0.1, 2000),
    // the bound every workload command shares (loadtests/seed.ts)
    seed: typeof values.seed === "string" ? numberFlag("seed", values.seed, SEED_RANGE) : DEFAULTS.seed,
  };
}

async function main(values: CommandLine["values"]): Promise<ExitCode> {
  const { durationS, ratePerS, seed } = parseFlags(values);
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
    return soakPassed(figures) ? EXIT.ok : EXIT.gate;
  } finally {
    await stage.stop();
  }
}

void runCommand(SOAK_COMMAND, process.argv.slice(2), ({ values }) => main(values)).then((code) =>
  exitWith(code),
);
