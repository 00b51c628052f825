/**
 * One scenario spread over several REAL k6 processes with execution segments, as k6-operator spreads it over
 * its runners (the same flags: runnerSegments), merged as histograms: with 2 and with 4 processes, the merged
 * request count, achieved rate and p50/p95/p99 equal a single process's at the same total rate (and the
 * server's own timing of each run), within ENGINE_TOLERANCE (plus, between two runs, the difference the
 * server itself saw: the shared machine's noise).
 */
import * as hdr from "hdr-histogram-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Profile } from "../../profiles.ts";
import type { RunResult } from "../../run-result.ts";
import { startLatencyServerProcess } from "../../test-support/latency-server.ts";
import { realK6 } from "../../test-support/real-k6.ts";
import { ENGINE_TOLERANCE, withinTolerance } from "../agree.ts";
import { createK6Engine } from "./engine.ts";
import { mergeSegmentResults } from "./merge.ts";

const K6 = realK6("loadtests/engines/k6/segments.integration.test.ts");

type Server = Awaited<ReturnType<typeof startLatencyServerProcess>>;
let server: Server;
beforeAll(async () => {
  server = await startLatencyServerProcess();
});
afterAll(async () => {
  await server?.close();
});

const RATE = 100;
const profile: Profile = {
  name: "segments",
  description: "one scenario over several k6 processes",
  executor: "constant-arrival-rate",
  startRatePerSec: RATE,
  stages: [{ durationMs: 4000, targetRatePerSec: RATE }],
  maxInFlight: 200,
  thresholds: { errorRateBelow: 0.01, p95MsBelow: 1000 },
  requestTimeoutMs: 10_000,
  gracefulStopMs: 3000,
};
const REQUESTS = 400;

describe.skipIf(!K6)("execution segments over several local k6 processes", () => {
  let single: RunResult;
  let singleTruth: Awaited<ReturnType<Server["figures"]>>;
  const engine = () => createK6Engine({ binary: K6 as string });

  beforeAll(async () => {
    await server.reset();
    single = await engine().run({ target: server.url, profile, seed: 3 });
    singleTruth = await server.figures();
  }, 60_000);

  // k6 may start one iteration more or fewer per process on a busy machine.
  it("a single process sends the whole schedule", () => {
    expect(Math.abs(single.overall.requests - REQUESTS)).toBeLessThanOrEqual(1);
    expect(single.iterations.dropped).toBe(0);
  });

  for (const count of [2, 4]) {
    it(`${count} processes, merged as histograms, equal the single process`, async () => {
      await server.reset();
      const parts = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          engine().run({
            target: server.url,
            profile,
            seed: 3,
            executionSegment: { index: i + 1, count },
          } as never),
        ),
      );
      const truth = await server.figures();
      // The segments partition the schedule: each process sent its share (k6 stripes the iterations over the
      // segments, so a share may be one off), none twice.
      for (const part of parts)
        expect(Math.abs(part.overall.requests - REQUESTS / count)).toBeLessThanOrEqual(1);
      const merged = mergeSegmentResults(parts);
      expect(truth.answered).toBe(merged.overall.requests);
      expect(Math.abs(merged.overall.requests - REQUESTS)).toBeLessThanOrEqual(count);
      expect(merged.iterations.completed).toBe(merged.overall.requests);
      expect(merged.iterations.dropped).toBe(0);
      expect(hdr.decodeFromCompressedBase64(merged.overall.histogram as string).totalCount).toBe(
        merged.overall.requests,
      );
      expect(Math.abs(merged.achievedRatePerSec / single.achievedRatePerSec - 1)).toBeLessThanOrEqual(0.01);
      expect(Math.abs(merged.achievedRatePerSec / RATE - 1)).toBeLessThanOrEqual(0.01);
      // Each run against the server's own timing of it; merged against single within the tolerance plus what
      // the server itself saw differently in the two runs (the shared machine's noise reaches both).
      for (const key of ["p50Ms", "p95Ms", "p99Ms"] as const) {
        const [m, s] = [merged.overall.latency[key], single.overall.latency[key]];
        const [mt, st] = [truth[key], singleTruth[key]];
        expect(withinTolerance(m, mt), `${key}: merged ${m} vs server ${mt}`).toBe(true);
        expect(withinTolerance(s, st), `${key}: single ${s} vs server ${st}`).toBe(true);
        const noise = {
          absMs: ENGINE_TOLERANCE.absMs + Math.abs(mt - st),
          relative: ENGINE_TOLERANCE.relative,
        };
        expect(
          withinTolerance(m, s, noise),
          `${key}: merged ${m} vs single ${s} (server ${mt} vs ${st})`,
        ).toBe(true);
      }
      // Per operation too, from the merged per-operation histograms.
      const opRequests = Object.values(merged.operations).reduce((sum, s) => sum + s.requests, 0);
      expect(opRequests).toBe(merged.overall.requests);
      expect(merged.thresholds.map((t) => t.expression).sort()).toEqual(["p(95)<1000", "rate<0.01"]);
      expect(merged.thresholdsPassed).toBe(true);
    }, 90_000);
  }
});
