/**
 * The bounded warm-up: its cap from the profile, and the real built-in engine held to it through apiLoad
 * against a real node:http server on 127.0.0.1 that counts the requests in flight (the measured load is not).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinEngine } from "../../loadtests/engines/builtin/engine.ts";
import { apiLoad } from "../adapters/load-ports.ts";
import { boundedWarmup, WARMUP_MIN_IN_FLIGHT, warmupConcurrency } from "./warmup.ts";

describe("warmupConcurrency", () => {
  it("is the peak rate × 0.2 s, rounded up, at least 4 and at most the profile's cap", () => {
    expect(warmupConcurrency(50, 200)).toBe(10);
    expect(warmupConcurrency(51, 200)).toBe(11);
    expect(warmupConcurrency(5, 20)).toBe(WARMUP_MIN_IN_FLIGHT);
    expect(warmupConcurrency(1000, 30)).toBe(30);
    expect(warmupConcurrency(50, 1)).toBe(1);
  });

  it("reads the profile and the run's rate", () => {
    expect(boundedWarmup("baseline")).toBe(10);
    expect(boundedWarmup("baseline", 20)).toBe(WARMUP_MIN_IN_FLIGHT);
    expect(boundedWarmup("ramp")).toBe(20);
  });
});

describe("apiLoad with warmupMaxInFlight, the real built-in engine", () => {
  let server: Server;
  let apiUrl = "";
  let inFlight = 0;
  let peak = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      req.resume();
      setTimeout(() => {
        inFlight -= 1;
        res.writeHead(200, { "content-type": "application/json" });
        res.end('{"id":"x","items":[],"cursor":null}');
      }, 200);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("holds the warm-up to the cap and leaves the measured load at the profile's", async () => {
    const load = apiLoad(createBuiltinEngine({ handleSigint: false }), {
      apiUrl,
      profile: "baseline",
      seed: 1,
      warmupS: 1,
      durationS: 1,
      warmupMaxInFlight: 2,
    });
    const signal = new AbortController().signal;
    const freshVersion = async () => "2";
    peak = 0;
    const warm = await load.port({
      kind: "warmup",
      settingId: "x86_64-128",
      version: "1",
      signal,
      freshVersion,
    });
    const warmPeak = peak;
    peak = 0;
    const measured = await load.port({
      kind: "measure",
      settingId: "x86_64-128",
      version: "1",
      signal,
      freshVersion,
    });
    // 50 req/s × 0.2 s per answer: about 10 in flight unbounded.
    expect(warmPeak).toBeLessThanOrEqual(2);
    expect(warm.iterations.dropped).toBeGreaterThan(0);
    expect(peak).toBeGreaterThan(2);
    expect(measured.iterations.dropped).toBe(0);
  }, 30_000);
});
