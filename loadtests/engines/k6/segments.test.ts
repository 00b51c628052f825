/**
 * Execution segments as k6-operator assigns them, the TestRun manifest against k6-operator's own CRD schema
 * (test data: test-support/k6-operator-crd, v1.6.0), and merging segment results as histograms.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { newLatencyHistogram } from "../../latency-histogram.ts";
import type { RequestStats, RunResult } from "../../run-result.ts";
import { mergeSegmentResults } from "./merge.ts";
import { renderTestRun } from "./operator.ts";
import { executionSegmentArgs, runnerSegments } from "./segments.ts";

const CRD = fileURLToPath(new URL("../../test-support/k6-operator-crd/k6.io_testruns.yaml", import.meta.url));
const target = "https://abc.execute-api.eu-west-1.amazonaws.com/prod";

/** The v1alpha1 TestRun schema of the CRD, as an Ajv validator (OpenAPI v3's x-kubernetes-* keywords ignored). */
function testRunValidator() {
  const crd = parse(readFileSync(CRD, "utf8")) as {
    spec: { versions: Array<{ name: string; schema: { openAPIV3Schema: object } }> };
  };
  const version = crd.spec.versions.find((v) => v.name === "v1alpha1");
  if (!version) throw new Error(`no v1alpha1 in ${CRD}`);
  return new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(
    version.schema.openAPIV3Schema,
  );
}

describe("execution segments, as k6-operator gives them to its runners", () => {
  it("runner i of n: (i-1)/n:i/n over the sequence 0,1/n,…,1; none for a single runner", () => {
    expect(runnerSegments(1)).toEqual([[]]);
    expect(runnerSegments(2)).toEqual([
      ["--execution-segment=0:1/2", "--execution-segment-sequence=0,1/2,1"],
      ["--execution-segment=1/2:1", "--execution-segment-sequence=0,1/2,1"],
    ]);
    expect(runnerSegments(4).map((args) => args[0])).toEqual([
      "--execution-segment=0:1/4",
      "--execution-segment=1/4:2/4",
      "--execution-segment=2/4:3/4",
      "--execution-segment=3/4:1",
    ]);
    expect(runnerSegments(4)[2]?.[1]).toBe("--execution-segment-sequence=0,1/4,2/4,3/4,1");
    expect(() => executionSegmentArgs({ index: 5, count: 4 })).toThrow(
      /invalid execution segment: expected runner index 1..count .* got 5 of 4/,
    );
  });
});

describe("the k6-operator TestRun manifest against the operator's CRD schema (v1.6.0)", () => {
  const validate = testRunValidator();

  for (const parallelism of [1, 2, 4]) {
    it(`parallelism ${parallelism} validates; the operator adds the segments, so the arguments carry none`, () => {
      const manifest = renderTestRun({ target, profile: "baseline", parallelism, ratePerSec: 200, seed: 7 });
      const ok = validate(manifest);
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
      expect(ok).toBe(true);
      const spec = manifest["spec"] as { parallelism: number; arguments: string };
      expect(spec.parallelism).toBe(parallelism);
      expect(spec.arguments).not.toMatch(/execution-segment/);
    });
  }

  it("the schema catches a wrong manifest (so the check above can fail)", () => {
    const manifest = renderTestRun({ target, profile: "baseline", parallelism: 2 });
    const spec = manifest["spec"] as Record<string, unknown>;
    expect(validate({ ...manifest, spec: { ...spec, parallelism: "two" } })).toBe(false);
    expect(validate({ ...manifest, spec: { ...spec, script: { configMap: { file: "x.tar" } } } })).toBe(
      false,
    );
  });
});

/** Stats of requests with these latencies (ms), with their histogram. */
function stats(latenciesMs: number[], errors = 0): RequestStats {
  const h = newLatencyHistogram("run");
  for (const ms of latenciesMs) h.recordValue(ms * 1000);
  return {
    requests: latenciesMs.length,
    latency: {
      count: latenciesMs.length,
      minMs: 0,
      meanMs: 0,
      p50Ms: h.getValueAtPercentile(50) / 1000,
      p90Ms: 0,
      p95Ms: h.getValueAtPercentile(95) / 1000,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
    },
    statusCounts: { "200": latenciesMs.length - errors, ...(errors ? { "500": errors } : {}) },
    errors: errors ? { "server-error": errors } : {},
    errorCount: errors,
    errorRate: errors / latenciesMs.length,
    histogram: hdr.encodeIntoCompressedBase64(h),
  };
}

function part(latenciesMs: number[], ratePerSec: number, errors = 0): RunResult {
  const overall = stats(latenciesMs, errors);
  return {
    schemaVersion: 1,
    engine: { name: "k6", version: "v2.2.0" },
    profile: "baseline",
    target,
    startedAt: "2026-12-06T10:00:00.000Z",
    endedAt: "2026-12-06T10:00:10.000Z",
    durationMs: 10_000,
    targetRatePerSec: 20,
    achievedRatePerSec: ratePerSec,
    iterations: { started: latenciesMs.length, completed: latenciesMs.length, dropped: 0 },
    overall,
    operations: { read: overall },
    timeline: [{ second: 0, requests: latenciesMs.length, errors, p95Ms: 1 }],
    thresholds: [
      { metric: "http_req_failed", expression: "rate<0.01", actual: 0, passed: true },
      { metric: "http_req_duration", expression: "p(95)<500", actual: 0, passed: true },
    ],
    thresholdsPassed: true,
    aborted: false,
    lambdaRequestIds: latenciesMs.map((ms) => `id-${ms}`),
  };
}

describe("merging segment results", () => {
  it("adds counts and rates; percentiles come from the merged histogram, not averaged", () => {
    // A fast segment (90 × 10 ms) and a slow one (10 × 1000 ms): the p95 of all 100 is 1000 ms; the mean of the
    // two segments' p95s would be 505 ms.
    const fast = part(Array(90).fill(10), 9);
    const slow = part(Array(10).fill(1000), 1, 1);
    expect((fast.overall.latency.p95Ms + slow.overall.latency.p95Ms) / 2).toBeCloseTo(505, -1);
    const merged = mergeSegmentResults([fast, slow]);
    expect(merged.overall.requests).toBe(100);
    expect(merged.achievedRatePerSec).toBe(10);
    expect(merged.iterations).toEqual({ started: 100, completed: 100, dropped: 0 });
    expect(merged.overall.latency.p50Ms).toBeCloseTo(10, 1);
    expect(merged.overall.latency.p95Ms).toBeCloseTo(1000, -1);
    expect(merged.operations.read?.latency.p95Ms).toBeCloseTo(1000, -1);
    expect(merged.overall.statusCounts).toEqual({ "200": 99, "500": 1 });
    expect(merged.overall.errorRate).toBe(0.01);
    expect(merged.timeline).toEqual([{ second: 0, requests: 100, errors: 1 }]);
    expect(merged.lambdaRequestIds).toHaveLength(100);
    // The thresholds judged again on the merged figures: p95 1000 ms fails p(95)<500, error rate 0.01 fails rate<0.01.
    expect(merged.thresholds.map((t) => [t.expression, t.passed])).toEqual([
      ["rate<0.01", false],
      ["p(95)<500", false],
    ]);
    expect(merged.thresholdsPassed).toBe(false);
  });

  it("refuses results of different tests, and a segment without its histogram", () => {
    const other = { ...part([10], 1), profile: "ramp" };
    expect(() => mergeSegmentResults([part([10], 1), other])).toThrow(/different tests/);
    const bare = part([10], 1);
    delete bare.overall.histogram;
    expect(() => mergeSegmentResults([bare])).toThrow(/no histogram .* --out json/);
    expect(() => mergeSegmentResults([])).toThrow(/there are none/);
  });
});
