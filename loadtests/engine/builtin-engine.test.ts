import * as hdr from "hdr-histogram-js";
import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../test-support/crud-test-server.ts";
import { createBuiltinEngine } from "./builtin-engine.ts";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

// Engine runs are short (≤ 2 s). Bands are generous: the machine is shared and noisy, so only lower bounds
// (a latency cannot be below the injected delay) are tight.
const engine = createBuiltinEngine({ handleSigint: false });

describe("built-in engine against a local server", () => {
  it("percentiles match the injected delay distribution (uniform 20–60 ms)", async () => {
    // A low-discrepancy sequence spreads the delays evenly over 20–60 ms.
    server = await startTestServer({ delayMs: (i) => 20 + 40 * ((i * 0.618033988749895) % 1) });
    const result = await engine.run({
      target: server.url,
      profile: "baseline",
      ratePerSec: 150,
      durationMs: 2000,
      seed: 1,
    });
    const l = result.overall.latency;
    expect(result.overall.requests).toBe(300);
    expect(result.overall.errorCount).toBe(0);
    expect(l.minMs).toBeGreaterThanOrEqual(20);
    expect(l.p50Ms).toBeGreaterThanOrEqual(40);
    // Upper bounds allow for a loaded machine (load average 5 on 2 cores seen here), not for seconds.
    expect(l.p50Ms).toBeLessThan(250);
    expect(l.p90Ms).toBeGreaterThanOrEqual(56);
    expect(l.p90Ms).toBeLessThan(300);
    expect(l.p50Ms).toBeLessThan(l.p90Ms);
    // The encoded overall histogram holds every request.
    const decoded = hdr.decodeFromCompressedBase64(result.overall.histogram as string);
    expect(decoded.totalCount).toBe(300);
  });

  it("a server stall shows in the latencies: measured from the intended start (no coordinated omission)", async () => {
    server = await startTestServer();
    const s = server;
    // A stall of at least 600 ms (chained timers: a late event loop can only make it longer).
    setTimeout(() => {
      s.stall();
      setTimeout(() => s.resume(), 600);
    }, 400);
    // Four connections: during the stall only four requests are on the wire, the rest queue in the client.
    // A tool timing each request from its actual send (or a closed loop) would show about four slow samples.
    const fewConnections = createBuiltinEngine({ handleSigint: false, maxConnections: 4 });
    const result = await fewConnections.run({
      target: s.url,
      profile: "baseline",
      ratePerSec: 100,
      durationMs: 2000,
      seed: 2,
    });
    // ~60 requests were due during the 600 ms stall; they waited up to 600 ms from their intended start.
    // A closed-loop client would have sent one request during the stall and shown one slow sample.
    expect(result.overall.requests).toBe(200);
    expect(result.overall.latency.maxMs).toBeGreaterThanOrEqual(450);
    expect(result.overall.latency.p90Ms).toBeGreaterThanOrEqual(150);
    expect(result.iterations.dropped).toBe(0);
    expect(Math.max(...result.timeline.map((p) => p.p95Ms ?? 0))).toBeGreaterThanOrEqual(300);
  });

  it("the achieved rate matches the target rate and the timeline has one point per second", async () => {
    server = await startTestServer();
    const result = await engine.run({
      target: server.url,
      profile: "baseline",
      ratePerSec: 200,
      durationMs: 2000,
      seed: 3,
    });
    expect(result.targetRatePerSec).toBe(200);
    // Generous band (the machine is shared): a client that falls behind shows as a lower achieved rate.
    expect(result.achievedRatePerSec).toBeGreaterThan(170);
    expect(result.achievedRatePerSec).toBeLessThanOrEqual(200);
    expect(result.iterations).toEqual({ started: 400, completed: 400, dropped: 0 });
    expect(result.timeline.map((p) => p.requests)).toEqual([200, 200]);
    expect(Object.keys(result.operations).sort()).toEqual(["create", "delete", "list", "read", "update"]);
    expect(result.thresholdsPassed).toBe(true);
    expect(result.aborted).toBe(false);
    expect(server.received()).toBe(400);
  });

  it("counts iterations due while maxInFlight are running as dropped, without sending them", async () => {
    server = await startTestServer({ delayMs: () => 400 });
    const result = await engine.run({
      target: server.url,
      profile: "baseline",
      ratePerSec: 100,
      durationMs: 1000,
      maxInFlight: 10,
      seed: 4,
    });
    expect(result.iterations.started + result.iterations.dropped).toBe(100);
    expect(result.iterations.dropped).toBeGreaterThan(50);
    expect(server.received()).toBe(result.iterations.started);
  });

  it("fails thresholds that the measured latency breaks", async () => {
    server = await startTestServer({ delayMs: () => 30 });
    const result = await engine.run({
      target: server.url,
      profile: "smoke",
      durationMs: 1000,
      ratePerSec: 20,
      overrides: { thresholds: { p95MsBelow: 10 } },
    });
    const p95 = result.thresholds.find((t) => t.expression === "p(95)<10");
    expect(p95?.passed).toBe(false);
    expect(p95?.actual).toBeGreaterThanOrEqual(30);
    expect(result.thresholdsPassed).toBe(false);
  });

  it("an abort signal ends the run early with a valid partial result", async () => {
    server = await startTestServer({ delayMs: () => 5 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const progress: number[] = [];
    const result = await engine.run({
      target: server.url,
      profile: "baseline",
      ratePerSec: 100,
      durationMs: 20_000,
      signal: controller.signal,
      onProgress: (p) => progress.push(p.requests),
    });
    expect(result.aborted).toBe(true);
    expect(result.iterations.started).toBeGreaterThan(0);
    expect(result.iterations.started).toBeLessThan(2000);
    expect(result.overall.requests).toBe(result.iterations.completed);
    expect(result.overall.latency.count).toBe(result.overall.requests);
    expect(Date.parse(result.endedAt) - Date.parse(result.startedAt)).toBeLessThan(20_000);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it("rejects a bad target with a clear error before sending anything", async () => {
    await expect(engine.run({ target: "127.0.0.1:80", profile: "smoke" })).rejects.toThrow(
      /invalid target: expected an absolute URL like http:\/\/127\.0\.0\.1:3000\/prod/,
    );
  });
});
