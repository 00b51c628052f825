/**
 * Turns a Newman run summary into the functional gate outcome of a memory setting. Pure: data in, data out.
 */
import type { NewmanRunSummary } from "newman";
import type { GateOutcome } from "../tuning/results/results-types.ts";

/** The parts of a Newman summary the gate reads (a full NewmanRunSummary fits). */
export type GateSummary = {
  error?: unknown;
  run: Pick<NewmanRunSummary["run"], "stats" | "failures"> & {
    timings: Pick<NewmanRunSummary["run"]["timings"], "responseAverage">;
  };
};

/** How many failures a gate outcome lists at most. @default 20 */
export const DEFAULT_MAX_FAILURES = 20;

/**
 * Reads the gate outcome of a run: it passes only when the run completed, ran at least one assertion and
 * recorded no failure at all (failed assertions, script errors and request errors all count).
 *
 * @example toGateOutcome(summary).failures[0] // "Read item: status is 200: expected response to have status code 200 but got 404"
 */
export function toGateOutcome(summary: GateSummary, maxFailures = DEFAULT_MAX_FAILURES): GateOutcome {
  const assertions = summary.run.stats.assertions.total ?? 0;
  const failedAssertions = summary.run.stats.assertions.failed ?? 0;
  const failures = summary.run.failures.map((failure) => {
    const requestName = failure.source?.name ?? "collection";
    const assertion = failure.error?.test || failure.at || "run";
    const message = (failure.error?.message ?? "unknown failure").replace(/\s+/g, " ").trim();
    return `${requestName}: ${assertion}: ${message}`;
  });
  if (summary.error !== undefined && summary.error !== null) {
    failures.unshift(`collection: run: ${errorMessage(summary.error)}`);
  }
  if (assertions === 0) {
    failures.push("collection: assertions: no assertion ran; expected the collection's tests to run");
  }
  const responseAverage = summary.run.timings.responseAverage;
  return {
    passed: failures.length === 0,
    assertions,
    failedAssertions,
    failures: failures.slice(0, maxFailures),
    meanResponseMs: Number.isFinite(responseAverage) ? responseAverage : 0,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
