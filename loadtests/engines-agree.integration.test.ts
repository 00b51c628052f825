/**
 * The two engines agree: the built-in engine and REAL k6 drive the same server with known injected latency
 * (a step distribution: p50 50 ms, p95 120 ms, p99 200 ms, timed by the server itself) at the same open-model
 * rate. Achieved rates within ±1 % of the target and of each other; p50/p95/p99 within ENGINE_TOLERANCE of the
 * server's own timing of the same run, and of each other (plus the difference the server itself saw between
 * the two runs: the shared machine's noise). Then where they differ: a stalled LOAD GENERATOR. The built-in engine times from
 * each request's intended start, so a 1 s freeze of its event loop shows as latency; k6 times from the send,
 * so a 1 s SIGSTOP of k6 does not (its requests go out late, in a burst, each timed as quick).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBuiltinEngine } from "./engine/builtin-engine.ts";
import { ENGINE_TOLERANCE, withinTolerance } from "./engines-agree.ts";
import { createK6Engine } from "./k6-adapter.ts";
import type { LoadEngine } from "./load-engine.ts";
import type { Profile } from "./profiles.ts";
import type { RunResult } from "./run-result.ts";
import { STEP_PERCENTILES_MS, startLatencyServerProcess } from "./test-support/latency-server.ts";
import { realK6 } from "./test-support/real-k6.ts";

const K6 = realK6("loadtests/engines-agree.integration.test.ts");

type Server = Awaited<ReturnType<typeof startLatencyServerProcess>>;
let server: Server;

function constantProfile(ratePerSec: number, durationMs: number): Profile {
  return {
    name: "agree",
    description: "engine agreement",
    executor: "constant-arrival-rate",
    startRatePerSec: ratePerSec,
    stages: [{ durationMs, targetRatePerSec: ratePerSec }],
    maxInFlight: 200,
    thresholds: { errorRateBelow: 1 },
    requestTimeoutMs: 10_000,
    gracefulStopMs: 3000,
  };
}

/** Runs a profile; `during` is called once the server has answered 50 requests (about 1 s in). */
async function run(engine: LoadEngine, profile: Profile, during?: () => void): Promise<RunResult> {
  await server.reset();
  let polling = during !== undefined;
  const poll = async () => {
    while (polling) {
      if ((await server.figures()).answered >= 50) {
        during?.();
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const watcher = poll();
  try {
    return await engine.run({ target: server.url, profile, seed: 9 });
  } finally {
    polling = false;
    await watcher;
  }
}

beforeAll(async () => {
  server = await startLatencyServerProcess();
});
afterAll(async () => {
  await server?.close();
});

describe.skipIf(!K6)("the built-in engine and k6 agree", () => {
  /** One comparison: what disagreed, as lines (none when the engines agree). */
  async function compareOnce(): Promise<string[]> {
    const profile = constantProfile(50, 6000); // 300 requests
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
      if (!ok) problems.push(what);
    };
    const results: Record<string, RunResult> = {};
    const truths: Record<string, Awaited<ReturnType<Server["figures"]>>> = {};
    for (const engine of [
      createBuiltinEngine({ handleSigint: false }),
      createK6Engine({ binary: K6 as string }),
    ]) {
      const result = await run(engine, profile);
      const truth = await server.figures();
      const name = engine.name;
      // Every answer the engine counted is one the server timed.
      expect(truth.answered, name).toBe(result.overall.requests);
      // The server never answers faster than the injected delay.
      expect(truth.p50Ms, "server p50").toBeGreaterThanOrEqual(STEP_PERCENTILES_MS.p50);
      const lag = result.startLag ? ` (start lag p99 ${result.startLag.p99Ms} ms)` : "";
      // 300 arrivals (k6 may start one more or fewer on a busy machine).
      check(
        Math.abs(result.overall.requests - 300) <= 1,
        `${name}: ${result.overall.requests} requests${lag}`,
      );
      check(
        Math.abs(result.achievedRatePerSec / 50 - 1) <= 0.01,
        `${name}: achieved ${result.achievedRatePerSec} req/s${lag}`,
      );
      for (const key of ["p50Ms", "p95Ms", "p99Ms"] as const) {
        const [clientMs, serverMs] = [result.overall.latency[key], truth[key]];
        check(withinTolerance(clientMs, serverMs), `${name} ${key} ${clientMs} vs server ${serverMs}${lag}`);
      }
      results[name] = result;
      truths[name] = truth;
    }
    const [ours, k6] = [results["builtin"] as RunResult, results["k6"] as RunResult];
    check(
      Math.abs(ours.achievedRatePerSec / k6.achievedRatePerSec - 1) <= 0.01,
      `achieved ${ours.achievedRatePerSec} (built-in) vs ${k6.achievedRatePerSec} (k6) req/s`,
    );
    // Engine against engine: the tolerance plus what the server itself saw differently in the two runs.
    for (const key of ["p50Ms", "p95Ms", "p99Ms"] as const) {
      const serverDiffMs = Math.abs((truths["k6"]?.[key] ?? 0) - (truths["builtin"]?.[key] ?? 0));
      const tolerance = { absMs: ENGINE_TOLERANCE.absMs + serverDiffMs, relative: ENGINE_TOLERANCE.relative };
      const [a, b] = [k6.overall.latency[key], ours.overall.latency[key]];
      check(withinTolerance(a, b, tolerance), `${key}: k6 ${a} vs built-in ${b}`);
    }
    return problems;
  }

  // Up to three attempts: a machine so busy that a load generator cannot keep its schedule (other test files
  // and other engineers' stages share the two cores) disturbs one attempt; a real disagreement fails all three.
  it("same rate and same percentiles as the server's own timing, within the stated tolerance", async () => {
    let problems: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      problems = await compareOnce();
      if (problems.length === 0) break;
    }
    expect(problems).toEqual([]);
  }, 240_000);

  it("a stalled load generator: ours shows the stall in latency (from intended start), k6 does not (from send)", async () => {
    const profile = constantProfile(50, 3000);
    // Built-in: its own event loop frozen for 1 s, one second in.
    const ours = await run(createBuiltinEngine({ handleSigint: false }), profile, () => {
      const until = Date.now() + 1000;
      while (Date.now() < until) {
        // busy: the engine cannot send
      }
    });
    // k6: the process stopped for 1 s, one second in.
    let k6Pid: number | undefined;
    const k6Engine = createK6Engine({ binary: K6 as string, onK6Start: (pid) => (k6Pid = pid) });
    const k6 = await run(k6Engine, profile, () => {
      if (k6Pid === undefined) return;
      process.kill(k6Pid, "SIGSTOP");
      setTimeout(() => process.kill(k6Pid as number, "SIGCONT"), 1000);
    });
    const truth = await server.figures();
    // The server never saw more than its injected 200 ms (plus its timer).
    expect(truth.p99Ms).toBeLessThan(400);
    // Ours: the ~50 requests due during the freeze are timed from when they were due (1 s down to 0 late):
    // a third of the run is slower than 300 ms.
    expect(ours.overall.latency.p90Ms).toBeGreaterThan(300);
    expect(ours.startLag?.maxMs ?? 0).toBeGreaterThan(800);
    // k6: the same requests go out late and are timed from the send, so the stall is invisible but for the
    // few requests in flight when k6 stopped (their answers waited in the socket).
    expect(k6.overall.latency.p90Ms).toBeLessThan(250);
    // …and its timeline (by second of send) shows the gap and the burst that caught up.
    expect(Math.min(...k6.timeline.map((p) => p.requests))).toBeLessThan(30);
    expect(Math.max(...k6.timeline.map((p) => p.requests))).toBeGreaterThan(70);
    // Both still sent every request of the schedule (k6 caught up in a burst, or dropped what it could not).
    expect(ours.overall.requests).toBe(150);
    expect(Math.abs(k6.overall.requests + k6.iterations.dropped - 150)).toBeLessThanOrEqual(1);
  }, 90_000);
});
