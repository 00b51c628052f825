/**
 * Benchmark of the built-in engine (run by `npm run perf`; prints a Markdown section).
 *
 * 1. Throughput against autocannon (programmatic API), same hello server in a child process, same run,
 *    32 connections / 32 in flight, after a warm-up, alternating A/B three times: ratio of req/s (goal ≥ 1.0×).
 * 2. Rate accuracy: achieved vs target rate at 10, 100 and 1,000 req/s (goal within ±1 %), counted both by
 *    the engine and by the server.
 * 3. The highest sustainable rate: doubling from 1,000 req/s until the achieved rate misses the target by more
 *    than 1 % or iterations are dropped, then two bisection steps.
 *
 *   npm run perf -- loadtests/engine
 */
import { type ChildProcess, spawn } from "node:child_process";
import autocannon from "autocannon";
import { createBuiltinEngine } from "./engine/builtin-engine.ts";
import type { Profile } from "./profiles.ts";

const HELLO_SERVER = `
const http = require("node:http");
let count = 0;
const server = http.createServer((req, res) => {
  if (req.url === "/__count") { res.end(String(count)); return; }
  count++;
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": 2 }); res.end("{}"); });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

async function startHelloServer(): Promise<{
  url: string;
  child: ChildProcess;
  count: () => Promise<number>;
}> {
  const child = spawn(process.execPath, ["-e", HELLO_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("exit", (code) => reject(new Error(`hello server exited with ${code}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/prod`,
    child,
    count: async () => Number(await (await fetch(`${origin}/__count`)).text()),
  };
}

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
const server = await startHelloServer();
const CONNECTIONS = 32;
const SECONDS = 5;
const ROUNDS = 3;

async function runAutocannon(): Promise<number> {
  const result = await autocannon({
    url: `${server.url}/items?limit=25`,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  return result.requests.total / SECONDS;
}

async function runBuiltinSaturated(): Promise<number> {
  // Far more arrivals than 32 in flight can serve: the engine runs at its ceiling, excess arrivals dropped.
  const result = await engine.run({
    target: server.url,
    profile: constantProfile(200_000, SECONDS * 1000, CONNECTIONS),
  });
  return result.iterations.completed / SECONDS;
}

try {
  // Warm-up of both (JIT, connections), not counted.
  await runAutocannon();
  await runBuiltinSaturated();
  const rounds: Array<{ autocannon: number; builtin: number }> = [];
  for (let i = 0; i < ROUNDS; i++) {
    rounds.push({ autocannon: await runAutocannon(), builtin: await runBuiltinSaturated() });
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const ac = sum(rounds.map((r) => r.autocannon));
  const bi = sum(rounds.map((r) => r.builtin));
  const ratios = rounds.map((r) => r.builtin / r.autocannon).sort((a, b) => a - b);
  const medianRatio = ratios[Math.floor(ratios.length / 2)] ?? 0;

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
    const result = await engine.run({ target: server.url, profile: constantProfile(rate, 3000, 4096) });
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
  for (let rate = 1000; rate <= 64_000; rate *= 2) {
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

  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} %`;
  const f0 = (x: number) => x.toFixed(0);
  const lines = [
    "## Built-in load engine (loadtests/engine.perf.ts)",
    "",
    "Command: `npm run perf -- loadtests/engine`. Hello server (node:http) in a child process on 127.0.0.1.",
    "",
    `### Throughput vs autocannon (${CONNECTIONS} connections / in flight, ${SECONDS} s runs, A/B alternated ${ROUNDS}× after a warm-up)`,
    "",
    "| round | autocannon req/s | built-in req/s | ratio |",
    "| --- | ---: | ---: | ---: |",
    ...rounds.map(
      (r, i) =>
        `| ${i + 1} | ${f0(r.autocannon)} | ${f0(r.builtin)} | ${(r.builtin / r.autocannon).toFixed(2)}× |`,
    ),
    "",
    `**Ratio built-in / autocannon: ${(bi / ac).toFixed(2)}× over all rounds, median round ${medianRatio.toFixed(2)}×** (goal ≥ 1.0×). The built-in engine does more per request`,
    "(workload model, per-operation and per-second HDR histograms, open-model scheduling).",
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
    "### Highest sustainable rate (3 s steps, doubling then bisecting, best of two attempts; sustained = within ±1 % and nothing dropped; in-flight cap 4096 so host stalls show as latency, not drops)",
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
  ];
  console.log(lines.join("\n"));
} finally {
  server.child.kill();
}
