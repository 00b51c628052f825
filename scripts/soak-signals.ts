/**
 * `npm run soak-signals`: bench runs against the AWS path of a second local stage, each interrupted at a
 * random phase (SIGINT to the process group, SIGTERM, SIGKILL, network cut), restored with `--restore` where
 * needed; checks the function is exactly as it began every time, with 0 leftover versions, processes and
 * cgroups (logic in test/faults/signals/). Prints one line per run and a Markdown table; exit code 2 (a gate,
 * scripts/command.ts) when any run is not as it began or cgroups are left.
 *
 * Usage: npm run soak-signals -- [--runs <n>] [--seed <n>]   (defaults: 20 runs, seed 7)
 */
import { renderSignalSoak } from "../test/faults/signals/render-signal-soak.ts";
import { runSignalSoak } from "../test/faults/signals/signal-soak.ts";
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
  /** @default 20 */
  runs: 20,
  /** @default 7 */
  seed: 7,
} as const;

export const SOAK_SIGNALS_COMMAND = {
  name: "soak-signals",
  summary:
    "Bench runs against the AWS path of a second local stage, each interrupted at a random phase (SIGINT, " +
    "SIGTERM, SIGKILL, network cut) and restored where needed; checks the function ends exactly as it began.",
  flags: {
    runs: { type: "string", value: "<n>", help: "bench runs, 1 to 200", default: String(DEFAULTS.runs) },
    seed: {
      type: "string",
      value: "<n>",
      help: "seed of the phases, 1 to 2^31",
      default: String(DEFAULTS.seed),
    },
  },
  gate: "a run did not end as it began (function, versions, processes) or cgroups were left",
} as const satisfies CommandSpec;

function parseFlags(values: CommandLine["values"]): { runs: number; seed: number } {
  const int = (flag: string, raw: unknown, fallback: number, max: number) =>
    typeof raw === "string" ? numberFlag(flag, raw, { integer: true, min: 1, max }) : fallback;
  return {
    runs: int("runs", values.runs, DEFAULTS.runs, 200),
    seed: int("seed", values.seed, DEFAULTS.seed, 2 ** 31),
  };
}

async function main(values: CommandLine["values"]): Promise<ExitCode> {
  const { runs, seed } = parseFlags(values);
  console.error(`soak-signals: ${runs} bench runs, seed ${seed}`);
  const result = await runSignalSoak({ runs, seed, onProgress: (line) => console.error(line) });
  console.log(renderSignalSoak(result, `npm run soak-signals -- --runs ${runs} --seed ${seed}`));
  return result.outcomes.every((o) => o.ok) && result.cgroupsLeft.length === 0 ? EXIT.ok : EXIT.gate;
}

void runCommand(SOAK_SIGNALS_COMMAND, process.argv.slice(2), ({ values }) => main(values)).then((code) =>
  exitWith(code),
);
