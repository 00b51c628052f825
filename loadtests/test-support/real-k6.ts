/**
 * The real k6 binary for the k6 tests: found like the harness finds it (K6_BINARY, .tools/bin/k6, PATH).
 * When POWERBENCH_REQUIRE_K6=1 (.ci/run sets it) a missing k6 fails the test file; otherwise the file's k6
 * tests skip and one line says why.
 */
import { findK6Binary } from "../engines/k6/engine.ts";

/** The environment variable that makes the k6 tests required. */
export const REQUIRE_K6_ENV = "POWERBENCH_REQUIRE_K6";

/** The k6 binary, or undefined (after printing why the k6 tests of `file` skip). Throws when k6 is required. */
export function realK6(file: string): string | undefined {
  const binary = findK6Binary(process.env);
  if (binary) return binary;
  const why =
    "no k6 binary (looked at K6_BINARY, .tools/bin/k6 and PATH); `npm run k6:install` builds it with Go";
  if (process.env[REQUIRE_K6_ENV] === "1") {
    throw new Error(`${file}: k6 is required (${REQUIRE_K6_ENV}=1) but missing: ${why}`);
  }
  console.warn(`${file}: k6 tests skipped: ${why}`);
  return undefined;
}
