/**
 * When a collection's folders run at once, and how their runs become one gate outcome and one JUnit report.
 */
import { describe, expect, it } from "vitest";
import {
  CONCURRENT_FOLDERS_VARIABLE,
  concurrentFolders,
  mergeJunitReports,
  mergeSummaries,
} from "./concurrent-folders.ts";
import type { GateSummary } from "./gate-outcome.ts";
import { toGateOutcome } from "./gate-outcome.ts";

const declared = { key: CONCURRENT_FOLDERS_VARIABLE, value: "true" };
const folder = (name: string) => ({ name, item: [{ name: `${name} request`, request: {} }] });

describe("concurrentFolders", () => {
  it("names the top-level folders when the collection declares them independent", () => {
    expect(concurrentFolders({ variable: [declared], item: [folder("A"), folder("B")] })).toEqual(["A", "B"]);
    expect(
      concurrentFolders({ variable: [{ ...declared, value: " TRUE " }], item: [folder("A"), folder("B")] }),
    ).toEqual(["A", "B"]);
  });

  it("keeps a collection sequential unless it declares it (a user's collection), or when it cannot split", () => {
    expect(concurrentFolders({ item: [folder("A"), folder("B")] })).toBeUndefined();
    expect(
      concurrentFolders({ variable: [{ ...declared, value: "false" }], item: [folder("A"), folder("B")] }),
    ).toBeUndefined();
    expect(
      concurrentFolders({ variable: [{ ...declared, disabled: true }], item: [folder("A"), folder("B")] }),
    ).toBeUndefined();
    // One folder: nothing to run at once. A top-level request: it belongs to no folder's run.
    expect(concurrentFolders({ variable: [declared], item: [folder("A")] })).toBeUndefined();
    expect(
      concurrentFolders({ variable: [declared], item: [folder("A"), { name: "loose", request: {} }] }),
    ).toBeUndefined();
    // Newman selects folders by name: two of the same name cannot be told apart.
    expect(concurrentFolders({ variable: [declared], item: [folder("A"), folder("A")] })).toBeUndefined();
  });
});

function summary(
  assertions: number,
  failed: number,
  requests: number,
  responseAverage: number,
  failures: string[] = [],
): GateSummary {
  return {
    run: {
      stats: {
        requests: { total: requests, pending: 0, failed: 0 },
        assertions: { total: assertions, pending: 0, failed },
      } as GateSummary["run"]["stats"],
      failures: failures.map((name) => ({
        source: { name } as never,
        error: {
          test: "status is 200",
          message: "expected 200 but got 418",
          name: "AssertionError",
        } as never,
        at: "assertion:0 in test-script",
      })) as unknown as GateSummary["run"]["failures"],
      timings: { responseAverage },
    },
  };
}

describe("mergeSummaries", () => {
  it("sums assertions and failures and averages the response time over every response", () => {
    const merged = mergeSummaries([summary(100, 0, 10, 5), summary(50, 1, 30, 9, ["Read item"])]);
    const outcome = toGateOutcome(merged);
    expect(outcome).toEqual({
      passed: false,
      assertions: 150,
      failedAssertions: 1,
      failures: ["Read item: status is 200: expected 200 but got 418"],
      meanResponseMs: (10 * 5 + 30 * 9) / 40,
    });
  });

  it("keeps a run's error, so the gate fails on it", () => {
    const broken = { ...summary(0, 0, 0, Number.NaN), error: new Error("socket hang up") };
    const outcome = toGateOutcome(mergeSummaries([summary(10, 0, 2, 4), broken]));
    expect(outcome.passed).toBe(false);
    expect(outcome.assertions).toBe(10);
    expect(outcome.failures[0]).toBe("collection: run: socket hang up");
    expect(outcome.meanResponseMs).toBe(4);
  });
});

// Newman's JUnit reporter's shape (newman/lib/reporters/junit): a declaration, one <testsuites> with name, tests, time.
const junit = (tests: number, time: string, suites: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="powerbench CRUD API" tests="${tests}" time="${time}">\n${suites}\n</testsuites>`;
const suite = (name: string) =>
  `  <testsuite name="${name}" id="x" timestamp="2026-12-07T07:00:00.000Z" tests="1" failures="0" errors="0" time="0.004">\n    <testcase name="status is 200" time="0.004" classname="X"/>\n  </testsuite>`;

describe("mergeJunitReports", () => {
  it("puts every folder's test suites under one <testsuites>, in order, with tests and time summed", () => {
    const merged = mergeJunitReports([
      junit(2, "0.010", `${suite("A / one")}\n${suite("A / two")}`),
      junit(1, "0.005", suite("B / one")),
    ]);
    expect(merged).toBe(junit(3, "0.015", `${suite("A / one")}\n${suite("A / two")}\n${suite("B / one")}`));
    expect(merged.match(/<testsuites /g)).toHaveLength(1);
  });

  it("takes an empty run's self-closing report, and says when a report is not Newman's", () => {
    const empty =
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="powerbench CRUD API" tests="0" time="0.000"/>';
    expect(mergeJunitReports([empty, junit(1, "0.005", suite("B / one"))])).toBe(
      junit(1, "0.005", suite("B / one")),
    );
    expect(mergeJunitReports([empty, empty])).toBe(empty);
    expect(() => mergeJunitReports(["<html></html>"])).toThrow(
      /JUnit report 1 of 1 is not one <testsuites> element/,
    );
  });
});
