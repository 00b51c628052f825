import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { newLatencyHistogram } from "./latency-histogram.ts";
import { Recorder } from "./recorder.ts";

describe("Recorder", () => {
  it("derives the overall stats from every operation's requests and those outside the mix", () => {
    const recorder = new Recorder();
    // read: 10, 20, 30 ms; create: 40 ms (an unexpected 500); outside the mix (direct invoke): 50 ms.
    recorder.record("read", 0, 10, 200, undefined);
    recorder.record("read", 400, 20, 404, undefined);
    recorder.record("read", 1200, 30, 200, undefined);
    recorder.record("create", 1500, 40, 500, "server-error");
    recorder.record(undefined, 2100, 50, 200, undefined);
    recorder.record("create", 2200, 5, 0, "timeout");

    const overall = recorder.overallStats();
    expect(overall.requests).toBe(6);
    expect(overall.statusCounts).toEqual({ "200": 3, "404": 1, "500": 1 });
    expect(overall.errors).toEqual({ "server-error": 1, timeout: 1 });
    expect(overall.errorCount).toBe(2);
    expect(overall.errorRate).toBeCloseTo(2 / 6);
    expect(overall.latency.count).toBe(6);
    expect(overall.latency.minMs).toBeCloseTo(5, 1);
    expect(overall.latency.maxMs).toBeCloseTo(50, 1);
    const decoded = hdr.decodeFromCompressedBase64(overall.histogram as string);
    expect(decoded.totalCount).toBe(6);
    expect(decoded.maxValue).toBeGreaterThanOrEqual(49_990);

    const operations = recorder.operationStats();
    expect(Object.keys(operations)).toEqual(["create", "read"]);
    expect(operations.read?.requests).toBe(3);
    expect(operations.read?.latency.p50Ms).toBeCloseTo(20, 1);
    expect(operations.read?.histogram).toBeUndefined();
    expect(operations.create?.errors).toEqual({ "server-error": 1, timeout: 1 });
    expect(recorder.requests).toBe(6);
    expect(recorder.errors).toBe(2);
  });

  it("keeps one timeline point per second of intended start, empty seconds as zeros", () => {
    const recorder = new Recorder();
    recorder.record("list", 100, 10, 200, undefined);
    recorder.record("list", 900, 30, 200, undefined);
    recorder.record("list", 3500, 7, 503, "server-error");

    expect(recorder.timeline()).toEqual([
      { second: 0, requests: 2, errors: 0, p95Ms: expect.closeTo(30, 0) }, // within 1 % (2 significant digits)
      { second: 1, requests: 0, errors: 0 },
      { second: 2, requests: 0, errors: 0 },
      { second: 3, requests: 1, errors: 1, p95Ms: expect.closeTo(7, 1) },
    ]);
    expect(new Recorder().timeline()).toEqual([]);
    expect(new Recorder().overallStats().requests).toBe(0);
  });

  it("records start lag and counts starts by second of actual start beside the intended-start counts", () => {
    const recorder = new Recorder();
    expect(recorder.startLagSummary()).toBeUndefined();
    // Four iterations due in second 0; the last two started 1.3 s late, in second 1 (a frozen event loop).
    recorder.recordStart(0, 0.2);
    recorder.recordStart(300, 300.4);
    recorder.recordStart(500, 1800);
    recorder.recordStart(700, 1800);
    for (const due of [0, 300, 500, 700]) recorder.record("read", due, 5, 200, undefined);

    expect(recorder.startLagSummary()).toEqual({
      count: 4,
      p50Ms: expect.closeTo(0.4, 2),
      p99Ms: expect.closeTo(1300, -1),
      maxMs: expect.closeTo(1300, -1),
    });
    expect(recorder.timeline()).toEqual([
      { second: 0, requests: 4, errors: 0, p95Ms: expect.closeTo(5, 1), sent: 2 },
      { second: 1, requests: 0, errors: 0, sent: 2 },
    ]);
  });

  it("keeps a second's histogram small (a long run keeps one per second)", () => {
    const histogram = newLatencyHistogram("second");
    expect(histogram.estimatedFootprintInBytes).toBeLessThan(16 * 1024);
    // Still within 1 % where the timeline reads it (p95 of a second).
    for (let i = 1; i <= 1000; i++) histogram.recordValue(i * 1000);
    expect(histogram.getValueAtPercentile(95)).toBeGreaterThan(950_000 * 0.99);
    expect(histogram.getValueAtPercentile(95)).toBeLessThan(950_000 * 1.01);
  });
});
