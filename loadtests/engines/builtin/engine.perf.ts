/**
 * Benchmark of the built-in engine (run by `npm run perf`; prints a Markdown section).
 *
 * 1. Throughput against autocannon (programmatic API): the same hello server in a child process (so neither
 *    load generator shares a process with it), the same run, the same request bytes (autocannon is given the
 *    engine's `accept` header; both send `connection: keep-alive`), 32 connections with one request at a time
 *    each (no pipelining on either side), after a warm-up, in rounds whose order rotates (so a drift of the
 *    shared machine's load does not favour one side): ratio of req/s (goal ≥ 1.0×). Each run also reports the
 *    CPU time per request of the load generator and of the server, the figures that decide the req/s when the
 *    two cores are shared. A third runner, bare undici, is the ceiling of any engine built on undici (as the
 *    issue asks): the same 32 undici Clients and request, each sending its next request from the previous
 *    one's completion, with no workload, scheduling or histograms.
 * 2. Rate accuracy: achieved vs target rate at 10, 100 and 1,000 req/s (goal within ±1 %), counted both by
 *    the engine and by the server.
 * 3. The highest sustainable rate: doubling from 1,000 req/s until the achieved rate misses the target by more
 *    than 1 % or iterations are dropped, then two bisection steps.
 *
 *   npm run perf -- loadtests/engines/builtin
 */
import os from "node:os";
import autocannon from "autocannon";
import { Client } from "undici";
import type { Profile } from "../../profiles.ts";
import { processCpuUs, startHelloServer } from "../../test-support/hello-server.ts";
import { createBuiltinEngine } from "./engine.ts";

/** A profile of list requests only (the hello server answers 200 to everything). */
function constantProfile(ratePerSec: number, durationMs: number, maxInFlight: number): Profile {
  return {
    name: `bench-${ratePerSec}`,
    description: "benchmark",
    executor: "constant-arrival-rate",
    startRatePerSec: ratePerSec,
    stages: [{ durationMs, targetRatePerSec: ratePerSec }],
    maxInFlight,
    thresholds: { errorRateBelow: 1 },
    requestTimeoutMs: 10_000,
    gracefulStopMs: 2000,
    workload: { mix: { list: 1 } },
  };
}

const engine = createBuiltinEngine({ handleSigint: false });
/**
 * For the sustained-rate search: 4,096 in flight (stalls show as latency, not drops) over at most 256
 * connections. One connection per in-flight request (the default) lets a host stall open hundreds of
 * connections at once; section 4 measures both side by side.
 */
const pooledEngine = createBuiltinEngine({ handleSigint: false, maxConnections: 256 });
const loadAverage = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(", ");
const server = await startHelloServer();
const CONNECTIONS = 32;
const SECONDS = 4;
const ROUNDS = 6;
/** The engine's request headers besides host and connection (loadtests/engines/builtin/http-client.ts). */
const ENGINE_HEADERS = { accept: "application/json" };

interface Measured {
  reqPerSec: number;
  /** CPU µs per request of this process (the load generator) and of the server process. */
  clientCpuUs: number;
  serverCpuUs: number | undefined;
}

async function measured(run: () => Promise<number>): Promise<Measured> {
  const server0 = processCpuUs(server.child.pid);
  const client0 = process.cpuUsage();
  const requests = await run();
  const client = process.cpuUsage(client0);
  const server1 = processCpuUs(server.child.pid);
  return {
    reqPerSec: requests / SECONDS,
    clientCpuUs: (client.user + client.system) / requests,
    serverCpuUs: server0 === undefined || server1 === undefined ? undefined : (server1 - server0) / requests,
  };
}

const runAutocannon = () =>
  measured(async () => {
    const result = await autocannon({
      url: `${server.url}/items?limit=25`,
      connections: CONNECTIONS,
      duration: SECONDS,
      pipelining: 1,
      headers: ENGINE_HEADERS,
    });
    return result.requests.total;
  });

/**
 * Bare undici: CONNECTIONS Clients, each sending the next request from the previous one's completion, for
 * SECONDS (and at most a million requests a second). The handler is the engine's kind (undici's original
 * handler methods, body dropped), so the difference to the engine is the engine's own work.
 */
async function bareUndiciRequests(): Promise<number> {
  const origin = new URL(server.url).origin;
  const request = {
    path: `${new URL(server.url).pathname}/items?limit=25`,
    method: "GET" as const,
    headers: ENGINE_HEADERS,
  };
  const limit = SECONDS * 1_000_000;
  let completed = 0;
  let running = true;
  const deadline = setTimeout(() => {
    running = false;
  }, SECONDS * 1000);
  const clients = Array.from({ length: CONNECTIONS }, () => new Client(origin, { pipelining: 1 }));
  try {
    await Promise.all(
      clients.map(
        (client) =>
          new Promise<void>((resolve, reject) => {
            const handler = {
              onConnect() {},
              onHeaders: () => true,
              onData: () => true,
              onComplete() {
                completed += 1;
                if (running && completed < limit) client.dispatch(request, handler);
                else resolve();
              },
              onError: reject,
            };
            client.dispatch(request, handler);
          }),
      ),
    );
  } finally {
    clearTimeout(deadline);
    await Promise.all(clients.map((client) => client.destroy()));
  }
  return completed;
}

const runBareUndici = () => measured(bareUndiciRequests);

// Far more arrivals than 32 in flight can serve: the engine runs at its ceiling, excess arrivals dropped.
const runBuiltinSaturated = () =>
  measured(async () => {
    const result = await engine.run({
      target: server.url,
      profile: constantProfile(200_000, SECONDS * 1000, CONNECTIONS),
    });
    return result.iterations.completed;
  });

try {
  // Warm-up of all three (JIT, connections), not counted.
  await runAutocannon();
  await runBuiltinSaturated();
  await runBareUndici();
  type Round = Record<Runner, Measured>;
  type Runner = "autocannon" | "builtin" | "bare";
  const runners: Record<Runner, () => Promise<Measured>> = {
    autocannon: runAutocannon,
    builtin: runBuiltinSaturated,
    bare: runBareUndici,
  };
  // Rotating and reversing orders: ABC, CBA, BCA, ACB, CAB, BAC; each runner is first, second and last twice.
  const ORDERS: Runner[][] = [
    ["autocannon", "builtin", "bare"],
    ["bare", "builtin", "autocannon"],
    ["builtin", "bare", "autocannon"],
    ["autocannon", "bare", "builtin"],
    ["bare", "autocannon", "builtin"],
    ["builtin", "autocannon", "bare"],
  ];
  const LETTER: Record<Runner, string> = { autocannon: "A", builtin: "B", bare: "U" };
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const round: Partial<Round> = {};
    for (const runner of ORDERS[i % ORDERS.length] as Runner[]) round[runner] = await runners[runner]();
    rounds.push(round as Round);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  };
  const total = (runner: Runner) => sum(rounds.map((r) => r[runner].reqPerSec));
  const ac = total("autocannon");
  const bi = total("builtin");
  const bare = total("bare");
  const medianRatio = (a: Runner, b: Runner) =>
    median(rounds.map((r) => r[a].reqPerSec / r[b].reqPerSec)).toFixed(2);
  const cpu = (pick: (r: Round) => number | undefined) => {
    const values = rounds.map(pick).filter((x): x is number => x !== undefined);
    return values.length ? median(values).toFixed(1) : "n/a";
  };

  const accuracy: Array<{
    target: number;
    seconds: number;
    engine: number;
    server: number;
    dropped: number;
    p99: number;
  }> = [];
  for (const [rate, seconds] of [
    [10, 10],
    [100, 5],
    [1000, 5],
  ] as const) {
    const before = await server.count();
    const result = await engine.run({
      target: server.url,
      profile: constantProfile(rate, seconds * 1000, 512),
    });
    const served = (await server.count()) - before;
    accuracy.push({
      target: rate,
      seconds,
      engine: result.achievedRatePerSec,
      server: served / seconds,
      dropped: result.iterations.dropped,
      p99: result.overall.latency.p99Ms,
    });
  }

  type Step = { target: number; achieved: number; dropped: number; p99: number; ok: boolean };
  const sustainable: Step[] = [];
  // A rate counts as sustained when one of two attempts holds it: a single host stall (other processes on the
  // shared cores) should not decide the figure.
  const tryRate = async (rate: number): Promise<boolean> => (await attempt(rate)) || (await attempt(rate));
  const attempt = async (rate: number): Promise<boolean> => {
    const result = await pooledEngine.run({ target: server.url, profile: constantProfile(rate, 3000, 4096) });
    const ok = Math.abs(result.achievedRatePerSec / rate - 1) <= 0.01 && result.iterations.dropped === 0;
    const p99 = result.overall.latency.p99Ms;
    sustainable.push({
      target: rate,
      achieved: result.achievedRatePerSec,
      dropped: result.iterations.dropped,
      p99,
      ok,
    });
    return ok;
  };
  let low = 0;
  let high = 0;
  // Doubling up to 512,000 req/s (far above what one Node process serves), so the search ends in a miss.
  for (let rate = 1000; rate <= 512_000; rate *= 2) {
    if (await tryRate(rate)) low = rate;
    else {
      high = rate;
      break;
    }
  }
  // Two bisection steps between the last sustained and the first missed rate.
  for (let step = 0; step < 2 && high > 0 && low > 0; step++) {
    const mid = Math.round((low + high) / 2);
    if (await tryRate(mid)) low = mid;
    else high = mid;
  }

  // 4. 4,096 in flight at 32,000 req/s: one connection per in-flight request (the default) vs at most 256,
  // alternating, three runs each; the server counts the connections each run opened.
  const CAP_RATE = 32_000;
  type CapRun = { connections: string; achieved: number; dropped: number; p99: number; opened: number };
  const capRuns: CapRun[] = [];
  for (let i = 0; i < 3; i++) {
    for (const [label, run] of [
      ["one per request in flight (default)", engine],
      ["at most 256", pooledEngine],
    ] as const) {
      const before = await server.connections();
      const result = await run.run({ target: server.url, profile: constantProfile(CAP_RATE, 3000, 4096) });
      capRuns.push({
        connections: label,
        achieved: result.achievedRatePerSec,
        dropped: result.iterations.dropped,
        p99: result.overall.latency.p99Ms,
        opened: (await server.connections()) - before,
      });
    }
  }

  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} %`;
  const f0 = (x: number) => x.toFixed(0);
  const lines = [
    "## Built-in load engine (loadtests/engines/builtin/engine.perf.ts)",
    "",
    "Command: `npm run perf -- loadtests/engines/builtin`. Hello server (node:http) in a child process on 127.0.0.1.",
    "",
    `### Throughput vs autocannon (${CONNECTIONS} connections, one request at a time on each, same request bytes, ${SECONDS} s runs, ${ROUNDS} rounds in rotating order after a warm-up)`,
    "",
    "| round | order | autocannon req/s | built-in req/s | bare undici req/s | built-in / autocannon | bare undici / autocannon | CPU µs/req autocannon | built-in | bare undici | server µs/req (autocannon) | (built-in) | (bare undici) |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rounds.map((r, i) => {
      const order = (ORDERS[i % ORDERS.length] as Runner[]).map((x) => LETTER[x]).join("");
      const server = (x: Measured) => x.serverCpuUs?.toFixed(1) ?? "n/a";
      return `| ${i + 1} | ${order} | ${f0(r.autocannon.reqPerSec)} | ${f0(r.builtin.reqPerSec)} | ${f0(r.bare.reqPerSec)} | ${(r.builtin.reqPerSec / r.autocannon.reqPerSec).toFixed(2)}× | ${(r.bare.reqPerSec / r.autocannon.reqPerSec).toFixed(2)}× | ${r.autocannon.clientCpuUs.toFixed(1)} | ${r.builtin.clientCpuUs.toFixed(1)} | ${r.bare.clientCpuUs.toFixed(1)} | ${server(r.autocannon)} | ${server(r.builtin)} | ${server(r.bare)} |`;
    }),
    "",
    `Order: A autocannon, B built-in, U bare undici (a closed loop of undici \`Client.dispatch\`, no engine work).`,
    "",
    `**Ratio built-in / autocannon: ${(bi / ac).toFixed(2)}× over all rounds, median round ${medianRatio("builtin", "autocannon")}×** (goal ≥ 1.0×).`,
    `Bare undici / autocannon: ${(bare / ac).toFixed(2)}× over all rounds, median round ${medianRatio("bare", "autocannon")}×: the`,
    "ceiling of an engine built on undici, as the issue requires, before any engine work. Built-in / bare undici:",
    `${(bi / bare).toFixed(2)}× over all rounds, median round ${medianRatio("builtin", "bare")}×: what the engine's own per-request work`,
    "(workload model, three HDR records, open-model scheduling with dropped arrivals counted) costs.",
    `Median CPU per request of the load generator: ${cpu((r) => r.autocannon.clientCpuUs)} µs (autocannon), ${cpu((r) => r.builtin.clientCpuUs)} µs (built-in),`,
    `${cpu((r) => r.bare.clientCpuUs)} µs (bare undici); of the server: ${cpu((r) => r.autocannon.serverCpuUs)}, ${cpu((r) => r.builtin.serverCpuUs)} and ${cpu((r) => r.bare.serverCpuUs)} µs. On two shared cores`,
    "the req/s follow the CPU both processes need per request. undici's per-request work (request object and header",
    "validation, llhttp in WebAssembly with a callback per response header, a reused connection validated one event-loop",
    "turn after its response) weighs about as much as autocannon's whole client (a prebuilt request buffer and",
    `http-parser-js). Load average at the start of the run: ${loadAverage}.`,
    "",
    "### Rate accuracy (constant arrival rate)",
    "",
    "| target req/s | run | achieved (engine) | error | served (server) | error | dropped | p99 ms |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...accuracy.map(
      (a) =>
        `| ${a.target} | ${a.seconds} s | ${a.engine.toFixed(2)} | ${pct(a.engine / a.target - 1)} | ${a.server.toFixed(2)} | ${pct(a.server / a.target - 1)} | ${a.dropped} | ${a.p99.toFixed(2)} |`,
    ),
    "",
    "### Highest sustainable rate (3 s steps, doubling then bisecting, best of two attempts; sustained = within ±1 % and nothing dropped; in-flight cap 4096 so host stalls show as latency, not drops, over at most 256 connections)",
    "",
    "| target req/s | achieved | dropped | p99 ms | sustained |",
    "| ---: | ---: | ---: | ---: | --- |",
    ...sustainable.map(
      (s) =>
        `| ${s.target} | ${f0(s.achieved)} | ${s.dropped} | ${s.p99.toFixed(1)} | ${s.ok ? "yes" : "no"} |`,
    ),
    "",
    `Highest sustained: ${low > 0 ? `${low} req/s` : "below 1000 req/s"}. The machine is shared (2 cores, other`,
    "engineers' test runs alongside): absolute figures move between runs; ratios and accuracy are the stable part.",
    "",
    `### Connections at 4,096 in flight (${CAP_RATE} req/s for 3 s, three runs each, alternating)`,
    "",
    "| connections | achieved req/s | dropped | p99 ms | connections opened |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...capRuns.map(
      (r) => `| ${r.connections} | ${f0(r.achieved)} | ${r.dropped} | ${r.p99.toFixed(1)} | ${r.opened} |`,
    ),
    "",
    "With one connection per request in flight, a host stall leaves requests waiting and each opens a connection of",
    "its own; on two shared cores the new connections cost more CPU than the stall did. `--max-connections` caps them.",
  ];
  console.log(lines.join("\n"));
} finally {
  server.child.kill();
}
