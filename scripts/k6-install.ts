/**
 * `npm run k6:install [-- --force]`: builds the pinned k6 v2 with Go into .tools/bin/k6 (git-ignored), where
 * the harness finds it (logic in loadtests/engines/k6/install.ts). Exit 0 with the binary's path; 1 with one line
 * saying what is missing and the way out (scripts/command.ts).
 */
import { installK6, K6_PINNED_VERSION } from "../loadtests/engines/k6/install.ts";
import { formatDuration } from "../reports/format.ts";
import { type CommandSpec, EXIT, type ExitCode, exitWith, runCommand } from "./command.ts";

export const K6_INSTALL_COMMAND = {
  name: "k6:install",
  summary: `Builds k6 ${K6_PINNED_VERSION} with Go into .tools/bin/k6 (git-ignored), where the harness finds it.`,
  flags: {
    force: { type: "boolean", help: "rebuild even when the binary is there" },
  },
} as const satisfies CommandSpec;

async function main(force: boolean): Promise<ExitCode> {
  const result = await installK6({ force, log: (line) => console.error(`k6:install: ${line}`) });
  const how =
    result.method === "present"
      ? "already there"
      : `built with ${result.method} in ${formatDuration(result.durationMs / 1000)}`;
  console.log(`k6 ${result.version} at ${result.binary} (${how})`);
  return EXIT.ok;
}

void runCommand(K6_INSTALL_COMMAND, process.argv.slice(2), ({ values }) => main(values.force === true)).then(
  (code) => exitWith(code),
);
