import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
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
      { second: 0, requests: 2, errors: 0, p95Ms: expect.closeTo(30, 1) },
      { second: 1, requests: 0, errors: 0 },
      { second: 2, requests: 0, errors: 0 },
      { second: 3, requests: 1, errors: 1, p95Ms: expect.closeTo(7, 1) },
    ]);
    expect(new Recorder().timeline()).toEqual([]);
    expect(new Recorder().overallStats().requests).toBe(0);
  });
});
