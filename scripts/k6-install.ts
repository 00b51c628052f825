/**
 * `npm run k6:install [-- --force]`: builds the pinned k6 v2 with Go into .tools/bin/k6 (git-ignored), where
 * the harness finds it. Exit 0 with the binary's path; 1 with one line saying what is missing and the way out.
 */
import { parseArgs } from "node:util";
import { installK6, K6_PINNED_VERSION } from "../loadtests/k6-install.ts";

try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: { force: { type: "boolean" }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(
      `Usage: npm run k6:install [-- --force]\n\nBuilds k6 ${K6_PINNED_VERSION} with Go into .tools/bin/k6 (--force: rebuild even when it is there).`,
    );
    process.exit(0);
  }
  const result = await installK6({
    force: values.force ?? false,
    log: (line) => console.error(`k6:install: ${line}`),
  });
  const how =
    result.method === "present"
      ? "already there"
      : `built with ${result.method} in ${(result.durationMs / 1000).toFixed(0)} s`;
  console.log(`k6 ${result.version} at ${result.binary} (${how})`);
} catch (error) {
  console.error(`k6:install: ${(error as Error).message}`);
  process.exit(1);
}
