import { describe, expect, it } from "vitest";
import { type GateSummary, toGateOutcome } from "./gate-outcome.ts";

type Failure = GateSummary["run"]["failures"][number];

function summary(parts: {
  assertions: number;
  failed: number;
  failures?: Failure[];
  responseAverage?: number;
  error?: unknown;
}): GateSummary {
  return {
    ...(parts.error === undefined ? {} : { error: parts.error }),
    run: {
      stats: {
        assertions: { total: parts.assertions, failed: parts.failed, pending: 0 },
      } as GateSummary["run"]["stats"],
      failures: parts.failures ?? [],
      timings: { responseAverage: parts.responseAverage ?? 12.5 },
    },
  };
}

function assertionFailure(requestName: string, test: string, message: string): Failure {
  return {
    at: "assertion:0 in test-script",
    source: { name: requestName } as Failure["source"],
    error: { name: "AssertionError", index: 0, test, message, stack: "" },
    parent: undefined,
    cursor: {},
  };
}

describe("toGateOutcome", () => {
  it("passes a run with assertions and no failure, with its mean response time", () => {
    // Prepare / Act
    const outcome = toGateOutcome(summary({ assertions: 340, failed: 0, responseAverage: 6.25 }));
    // Assess
    expect(outcome).toEqual({
      passed: true,
      assertions: 340,
      failedAssertions: 0,
      failures: [],
      meanResponseMs: 6.25,
    });
  });

  it("fails on a failed assertion and names request, assertion and message on one line", () => {
    const failure = assertionFailure(
      "Read item",
      "status is 200",
      "expected response to have status code 200\nbut got 404",
    );
    const outcome = toGateOutcome(summary({ assertions: 340, failed: 1, failures: [failure] }));
    expect(outcome.passed).toBe(false);
    expect(outcome.failedAssertions).toBe(1);
    expect(outcome.failures).toEqual([
      "Read item: status is 200: expected response to have status code 200 but got 404",
    ]);
  });

  it("fails on a request error that is not an assertion (unreachable host)", () => {
    const failure: Failure = {
      at: "request",
      source: { name: "ping" } as Failure["source"],
      error: { name: "Error", index: 0, test: "", message: "connect ECONNREFUSED 127.0.0.1:9", stack: "" },
      parent: undefined,
      cursor: {},
    };
    const outcome = toGateOutcome(summary({ assertions: 10, failed: 0, failures: [failure] }));
    expect(outcome.passed).toBe(false);
    expect(outcome.failures).toEqual(["ping: request: connect ECONNREFUSED 127.0.0.1:9"]);
  });

  it("fails a run that ran no assertion, and a run Newman ended with an error", () => {
    expect(toGateOutcome(summary({ assertions: 0, failed: 0 })).passed).toBe(false);
    const cut = toGateOutcome(summary({ assertions: 50, failed: 0, error: new Error("callback timed out") }));
    expect(cut.passed).toBe(false);
    expect(cut.failures[0]).toBe("collection: run: callback timed out");
  });

  it("lists at most maxFailures failures and reads a missing mean as 0", () => {
    const failures = Array.from({ length: 30 }, (_, i) => assertionFailure(`r${i}`, "t", "m"));
    const outcome = toGateOutcome(
      summary({ assertions: 30, failed: 30, failures, responseAverage: Number.NaN }),
      5,
    );
    expect(outcome.failures).toHaveLength(5);
    expect(outcome.failedAssertions).toBe(30);
    expect(outcome.meanResponseMs).toBe(0);
  });
});
