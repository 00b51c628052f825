/**
 * `npm run soak-signals`: bench runs against the AWS path of a second local stage, each interrupted at a
 * random phase (SIGINT to the process group, SIGTERM, SIGKILL, network cut), restored with `--restore` where
 * needed; checks the function is exactly as it began every time, with 0 leftover versions, processes and
 * cgroups. Prints one line per run and a Markdown table; exit code 1 when any run is not as it began.
 *
 * Usage: npm run soak-signals -- [--runs <n>] [--seed <n>]   (defaults: 20 runs, seed 7)
 */
import { parseArgs } from "node:util";
import { renderSignalSoak } from "../test/faults/signals/render-signal-soak.ts";
import { runSignalSoak } from "../test/faults/signals/signal-soak.ts";

function flags(argv: string[]): { runs: number; seed: number } {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: "string" }, seed: { type: "string" }, help: { type: "boolean" } },
    strict: true,
  });
  if (values.help) {
    console.log("Usage: npm run soak-signals -- [--runs <n>] [--seed <n>]   (defaults: 20 runs, seed 7)");
    process.exit(0);
  }
  const int = (flag: string, raw: string | undefined, fallback: number, max: number) => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max)
      throw new Error(`invalid --${flag} "${raw}": expected an integer from 1 to ${max}`);
    return Number(raw);
  };
  return { runs: int("runs", values.runs, 20, 200), seed: int("seed", values.seed, 7, 2 ** 31) };
}

async function main(): Promise<void> {
  const { runs, seed } = flags(process.argv.slice(2));
  console.error(`soak-signals: ${runs} bench runs, seed ${seed}`);
  const result = await runSignalSoak({ runs, seed, onProgress: (line) => console.error(line) });
  console.log(renderSignalSoak(result, `npm run soak-signals -- --runs ${runs} --seed ${seed}`));
  process.exitCode = result.outcomes.every((o) => o.ok) && result.cgroupsLeft.length === 0 ? 0 : 1;
}

main().catch((error: unknown) => {
  console.error(`soak-signals: ${(error as Error).message}`);
  process.exitCode = 1;
});
