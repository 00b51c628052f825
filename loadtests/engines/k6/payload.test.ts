/**
 * The k6 payload summary (issue 18): body sizes carried as sample metadata, read from k6's JSON output lines;
 * without them, the upper bound from k6's bytes per iteration (data_sent + data_received). Lines shaped like k6
 * v2's JSON output (the real runs are in http-api-payload.integration.test.ts).
 */
import { describe, expect, it } from "vitest";
import { type PayloadSummary, poolPayloads } from "../../run-result.ts";
import { bodyBytes, responseBodyBytes, utf8ByteLength } from "./exchange-size.ts";
import { mergeSegmentResults } from "./merge.ts";
import { answeredRequests, boundedPayload, k6Payload } from "./payload.ts";
import { K6TimelineBuilder } from "./timeline.ts";

const point = (metric: string, time: string, value: number, metadata?: Record<string, string>) =>
  JSON.stringify({
    type: "Point",
    metric,
    data: { time, value, tags: { scenario: "default", group: "" }, ...(metadata ? { metadata } : {}) },
  });

describe("body sizes in k6", () => {
  it("counts UTF-8 bytes as k6 sends a string body, and sizes a response by its body or Content-Length", () => {
    expect(utf8ByteLength("a")).toBe(1);
    expect(utf8ByteLength("é€😀")).toBe(Buffer.byteLength("é€😀"));
    expect(utf8ByteLength("x\ud800y")).toBe(5); // a lone surrogate is sent as U+FFFD (3 bytes)
    expect(bodyBytes(undefined)).toBe(0);
    expect(bodyBytes(new ArrayBuffer(700))).toBe(700);
    expect(bodyBytes(new Uint8Array(12))).toBe(12);
    expect(responseBodyBytes(new ArrayBuffer(5), { "Content-Length": "99" })).toBe(5);
    expect(responseBodyBytes(null, { "Content-Length": "600000" })).toBe(600_000); // body discarded
    expect(responseBodyBytes(null, {})).toBeUndefined(); // discarded and chunked: unknown
  });

  it("reads each answer's sizes from its metadata and each iteration's bytes from data_sent + data_received", () => {
    const builder = new K6TimelineBuilder();
    const t1 = "2026-12-07T06:00:00.100000001Z";
    const t2 = "2026-12-07T06:00:00.200000002Z";
    const lines = [
      point("pb_answered", t1, 1, { request_bytes: String(600 * 1024), response_bytes: "80" }),
      point("pb_answered", t1, 1, { lambda_request_id: "id-2", request_bytes: "0", response_bytes: "20" }),
      point("pb_answered", t2, 1), // recorded without sizes
      // two iterations ending at different times, their lines interleaved as two VUs write them
      point("data_sent", t1, 615_000),
      point("data_sent", t2, 300),
      point("data_received", t1, 900),
      point("data_received", t2, 400),
      point("data_sent", "2026-12-07T06:00:01Z", 0), // an idle iteration
      point("data_received", "2026-12-07T06:00:01Z", 0),
    ];
    for (const line of lines) builder.addLine(line);
    const result = builder.result();
    expect(result.bodies).toEqual({
      requests: 2,
      requestBytes: 600 * 1024,
      responseBytes: 100,
      maxExchangeBytes: 600 * 1024 + 80,
      exchangesBy512KiB: { "1": 1, "2": 1 },
    });
    expect(result.iterationBytes).toEqual({
      iterations: 2,
      sentBytes: 615_300,
      receivedBytes: 1_300,
      maxIterationBytes: 615_900,
      extraBlocks: [1],
    });
    expect(result.lambdaRequestIds).toEqual(["id-2"]);
  });
});

describe("the payload of a k6 run", () => {
  const tally = (extraBlocks: number[]) => ({
    iterations: 4,
    sentBytes: 2_000_000,
    receivedBytes: 1_000,
    maxIterationBytes: 1_500_000,
    extraBlocks,
  });

  it("is the measured bodies when every answered request carried them, else the bound, else nothing", () => {
    const bodies: PayloadSummary = {
      requests: 3,
      requestBytes: 10,
      responseBytes: 20,
      maxExchangeBytes: 15,
      exchangesBy512KiB: { "1": 3 },
    };
    expect(answeredRequests({ "200": 2, "0": 5, "413": 1 })).toBe(3);
    expect(k6Payload({ answered: 3, bodies, iterationBytes: tally([]) })).toBe(bodies);
    expect(k6Payload({ answered: 4, bodies, iterationBytes: tally([2]) })?.source).toBe("k6-iteration-bytes");
    expect(
      k6Payload({ answered: 4, bodies, iterationBytes: { ...tally([]), iterations: 0 } }),
    ).toBeUndefined();
  });

  it("bounds N requests by N + Σ⌊B_i / 512 KiB⌋ calls: exact when no iteration moved 512 KiB", () => {
    // 10 requests; iterations that moved 1.2 MB (2 extra blocks) and 600 KiB (1): at most 13 calls
    const bound = boundedPayload(10, tally([1, 2]));
    expect(bound.exchangesBy512KiB).toEqual({ "3": 1, "2": 1, "1": 8 });
    expect(bound).toMatchObject({ requests: 10, requestBytes: 2_000_000, responseBytes: 1_000 });
    expect(boundedPayload(10, tally([])).exchangesBy512KiB).toEqual({ "1": 10 });
    // more heavy iterations than answered requests (traffic of another kind): the last exchange takes the rest
    expect(boundedPayload(2, tally([3, 1, 1])).exchangesBy512KiB).toEqual({ "4": 1, "3": 1 });
    expect(boundedPayload(0, tally([1])).exchangesBy512KiB).toEqual({});
  });

  it("pools over rounds and segments; a bound pooled with measurements stays a bound", () => {
    const measured: PayloadSummary = {
      requests: 2,
      requestBytes: 1,
      responseBytes: 1,
      maxExchangeBytes: 1,
      exchangesBy512KiB: { "1": 2 },
    };
    const bounded = boundedPayload(2, tally([1]));
    expect(poolPayloads([measured, measured])?.source).toBeUndefined();
    expect(poolPayloads([measured, bounded])).toMatchObject({
      requests: 4,
      source: "k6-iteration-bytes",
      exchangesBy512KiB: { "1": 3, "2": 1 },
    });
    const part = (payload?: PayloadSummary) =>
      ({
        profile: "baseline",
        target: "http://127.0.0.1:1",
        startedAt: "2026-12-07T06:00:00.000Z",
        endedAt: "2026-12-07T06:00:01.000Z",
        durationMs: 1000,
        achievedRatePerSec: 1,
        iterations: { started: 2, completed: 2, dropped: 0 },
        overall: { requests: 0, latency: {}, statusCounts: {}, errors: {}, errorCount: 0, errorRate: 0 },
        operations: {},
        timeline: [],
        thresholds: [],
        aborted: false,
        ...(payload ? { payload } : {}),
      }) as never;
    expect(mergeSegmentResults([part(measured), part(measured)]).payload?.requests).toBe(4);
    expect(mergeSegmentResults([part(measured), part()]).payload).toBeUndefined();
  });
});
