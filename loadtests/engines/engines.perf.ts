/**
 * k6 beside the built-in engine and autocannon (run by `npm run perf`; prints a Markdown section), all in the
 * same run against the same hello server (a child process, loadtests/test-support/hello-server.ts):
 *
 * 1. CPU per request at the same rate (SAME_RATE req/s, nothing dropped), in rounds whose order rotates: the
 *    built-in engine; k6 as the harness runs it (the CRUD scenario through the k6 adapter, with `--out json`
 *    for the timeline); k6 bare (a minimal script, constant arrival rate, no outputs); autocannon at that
 *    overall rate. CPU of the load generator: our process for the built-in engine and autocannon; the k6
 *    process's whole CPU, start-up included, from /proc/self/stat's cutime+cstime around the run.
 *    Goal: the built-in engine's requests per CPU-second ≥ 2× k6's.
 * 2. Saturation, 32 requests in flight at most: the built-in engine and k6 (harness) at an arrival rate far
 *    above what 32 in flight serve (excess arrivals dropped and counted), k6 bare with 32 looping VUs,
 *    autocannon with 32 connections: req/s.
 * 3. Rate accuracy at 10, 100 and 1,000 req/s: achieved vs target, by each engine and as the server counted.
 * 4. Agreement at known latency: both engines at AGREE_RATE req/s against the latency server (step distribution,
 *    p50 50 / p95 120 / p99 200 ms, timed by the server). Printed with whether each tolerance holds: achieved
 *    rate within ±1 % of the target and of the other engine; p50/p95/p99 within ENGINE_TOLERANCE of the
 *    server's own timing of the same run, and of the other engine (plus the difference the server itself saw
 *    between the two runs: the machine's noise). loadtests/engines/agree.integration.test.ts keeps, in
 *    `npm test`, what holds on any machine (same requests, every one answered, the stall's difference).
 *
 *   npm run perf -- engines/engines.perf
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import type { Profile } from "../profiles.ts";
import type { RunResult } from "../run-result.ts";
import { endedChildrenCpuUs, startHelloServer } from "../test-support/hello-server.ts";
import { startLatencyServerProcess } from "../test-support/latency-server.ts";
import { ENGINE_TOLERANCE, withinTolerance } from "./agree.ts";
import { createBuiltinEngine } from "./builtin/engine.ts";
import { createK6Engine, findK6Binary } from "./k6/engine.ts";
import { k6BinaryVersion } from "./k6/install.ts";
import { runProcess } from "./k6/process.ts";

const binary = findK6Binary(process.env);
if (!binary) {
  console.log(
    "## k6 beside the built-in engine and autocannon (loadtests/engines/engines.perf.ts)\n\nNot run: no k6 binary (K6_BINARY, .tools/bin/k6, PATH); `npm run k6:install` builds it.",
  );
  process.exit(0);
}
const k6Version = (await k6BinaryVersion(binary)) ?? "unknown";
const loadAverage = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(", ");
const IN_FLIGHT = 32;
const SECONDS = 5;
const ROUNDS = 3;
const SAME_RATE = 500;
const ENGINE_HEADERS = { accept: "application/json" };
const AGREE_RATE = 200;
const AGREE_SECONDS = 10;
/** Achieved rates agree when within this share of the target (and of each other). */
const RATE_TOLERANCE = 0.01;
const PERCENTILE_KEYS = ["p50Ms", "p95Ms", "p99Ms"] as const;

function constantProfile(ratePerSec: number, durationMs: number, maxInFlight: number, mix = true): Profile {
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
    ...(mix ? { workload: { mix: { list: 1 } } } : {}),
  };
}

const server = await startHelloServer();
const builtin = createBuiltinEngine({ handleSigint: false });
const k6 = createK6Engine({ binary, onWarning: () => {} });
const tmp = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-perf-"));
const BARE_SCRIPT = path.join(tmp, "bare.js");
// Closed loop (saturation) or constant arrival rate (same-rate), chosen with -e MODE.
writeFileSync(
  BARE_SCRIPT,
  `import http from "k6/http";
const scenario = __ENV.MODE === "rate"
  ? { executor: "constant-arrival-rate", rate: ${SAME_RATE}, timeUnit: "1s", duration: "${SECONDS}s", preAllocatedVUs: ${IN_FLIGHT} }
  : { executor: "constant-vus", vus: ${IN_FLIGHT}, duration: "${SECONDS}s" };
export const options = { scenarios: { bare: scenario }, discardResponseBodies: true };
export default function () { http.get(__ENV.URL, { headers: { accept: "application/json" } }); }
`,
);

interface Measured {
  reqPerSec: number;
  /** CPU µs per request of the load generator. */
  cpuUs: number;
}

/** Runs in this process: CPU from process.cpuUsage. */
async function inProcess(run: () => Promise<number>): Promise<Measured> {
  const before = process.cpuUsage();
  const requests = await run();
  const cpu = process.cpuUsage(before);
  return { reqPerSec: requests / SECONDS, cpuUs: (cpu.user + cpu.system) / requests };
}

/** Runs k6 as a child: CPU of the ended child from /proc/self/stat (start-up and JSON output included). */
async function inChild(run: () => Promise<number>): Promise<Measured> {
  const before = endedChildrenCpuUs() ?? 0;
  const requests = await run();
  const cpuUs = (endedChildrenCpuUs() ?? 0) - before;
  return { reqPerSec: requests / SECONDS, cpuUs: cpuUs / requests };
}

type Runner = "builtin" | "k6" | "k6bare" | "autocannon";
type Mode = "rate" | "saturation";
/** The arrival rate of a run: SAME_RATE, or far above what IN_FLIGHT requests in flight serve. */
const rateOf = (mode: Mode, runner: "builtin" | "k6") =>
  mode === "rate" ? SAME_RATE : runner === "builtin" ? 200_000 : 5_000;
const runner = (mode: Mode): Record<Runner, () => Promise<Measured>> => ({
  builtin: () =>
    inProcess(async () => {
      const profile = constantProfile(rateOf(mode, "builtin"), SECONDS * 1000, IN_FLIGHT);
      return (await builtin.run({ target: server.url, profile })).iterations.completed;
    }),
  k6: () =>
    inChild(async () => {
      const profile = constantProfile(rateOf(mode, "k6"), SECONDS * 1000, IN_FLIGHT);
      return (await k6.run({ target: server.url, profile })).iterations.completed;
    }),
  k6bare: () =>
    inChild(async () => {
      const before = await server.count();
      const args = [
        "run",
        "--quiet",
        "-e",
        `MODE=${mode}`,
        "-e",
        `URL=${server.url}/items?limit=25`,
        BARE_SCRIPT,
      ];
      const exit = await runProcess(binary, args, process.env);
      if (exit.code !== 0) throw new Error(`bare k6 exited with ${exit.code}: ${exit.stderrTail}`);
      return (await server.count()) - before;
    }),
  autocannon: () =>
    inProcess(async () => {
      const r = await autocannon({
        url: `${server.url}/items?limit=25`,
        connections: IN_FLIGHT,
        duration: SECONDS,
        pipelining: 1,
        headers: ENGINE_HEADERS,
        ...(mode === "rate" ? { overallRate: SAME_RATE } : {}),
      });
      return r.requests.total;
    }),
});
const ORDERS: Runner[][] = [
  ["builtin", "k6", "k6bare", "autocannon"],
  ["autocannon", "k6bare", "k6", "builtin"],
  ["k6", "builtin", "autocannon", "k6bare"],
];
const NAME: Record<Runner, string> = {
  builtin: "built-in engine",
  k6: "k6 (CRUD scenario via the adapter, --out json)",
  k6bare: "k6 bare (minimal script, no outputs)",
  autocannon: "autocannon",
};

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

try {
  // Warm-up (JIT, connections), not counted.
  await runner("saturation").builtin();
  await runner("saturation").autocannon();
  const roundsOf = async (mode: Mode) => {
    const rounds: Array<Record<Runner, Measured>> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const round: Partial<Record<Runner, Measured>> = {};
      for (const name of ORDERS[i % ORDERS.length] as Runner[]) round[name] = await runner(mode)[name]();
      rounds.push(round as Record<Runner, Measured>);
    }
    return rounds;
  };
  const same = await roundsOf("rate");
  const saturation = await roundsOf("saturation");
  const med = (rounds: Array<Record<Runner, Measured>>, name: Runner, pick: (m: Measured) => number) =>
    median(rounds.map((r) => pick(r[name])));
  /** Requests per CPU-second of the load generator at the same rate. */
  const perCpu = (name: Runner) => 1e6 / med(same, name, (m) => m.cpuUs);

  // 3. Rate accuracy, both engines, counted by the engine and by the server.
  const accuracy: Array<{
    engine: string;
    target: number;
    achieved: number;
    served: number;
    dropped: number;
  }> = [];
  for (const [rate, seconds] of [
    [10, 10],
    [100, 5],
    [1000, 5],
  ] as const) {
    for (const [name, engine] of [
      ["built-in", builtin],
      ["k6", k6],
    ] as const) {
      const before = await server.count();
      const r = await engine.run({ target: server.url, profile: constantProfile(rate, seconds * 1000, 100) });
      accuracy.push({
        engine: name,
        target: rate,
        achieved: r.achievedRatePerSec,
        served: ((await server.count()) - before) / seconds,
        dropped: r.iterations.dropped,
      });
    }
  }

  // 4. Agreement at known latency.
  const latencyServer = await startLatencyServerProcess();
  const agreement: Array<{
    engine: string;
    result: RunResult;
    server: Awaited<ReturnType<typeof latencyServer.figures>>;
  }> = [];
  try {
    for (const [name, engine] of [
      ["built-in", builtin],
      ["k6", k6],
    ] as const) {
      await latencyServer.reset();
      const result = await engine.run({
        target: latencyServer.url,
        profile: constantProfile(AGREE_RATE, AGREE_SECONDS * 1000, 200, false),
        seed: 1,
      });
      agreement.push({ engine: name, result, server: await latencyServer.figures() });
    }
  } finally {
    await latencyServer.close();
  }

  const f0 = (x: number) => x.toFixed(0);
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} %`;
  const ratio = perCpu("builtin") / perCpu("k6");
  const yesNo = (ok: boolean) => (ok ? "yes" : "**no**");
  const rateHolds = (achieved: number, reference: number) =>
    Math.abs(achieved / reference - 1) <= RATE_TOLERANCE;
  // Engine against engine: the tolerance plus what the server itself saw differently in the two runs.
  const [ours, theirs] = agreement as [(typeof agreement)[number], (typeof agreement)[number]];
  const engineRows = PERCENTILE_KEYS.map((key) => {
    const serverDiffMs = Math.abs(ours.server[key] - theirs.server[key]);
    const absMs = ENGINE_TOLERANCE.absMs + serverDiffMs;
    const [a, b] = [ours.result.overall.latency[key], theirs.result.overall.latency[key]];
    const ok = withinTolerance(b, a, { absMs, relative: ENGINE_TOLERANCE.relative });
    return `| ${key.replace("Ms", "")} ms | ${a.toFixed(1)} | ${b.toFixed(1)} | ${absMs.toFixed(1)} ms + ${ENGINE_TOLERANCE.relative * 100} % of built-in | ${yesNo(ok)} |`;
  });
  const lines = [
    "## k6 beside the built-in engine and autocannon (loadtests/engines/engines.perf.ts)",
    "",
    `Command: \`npm run perf -- engines/engines.perf\`. k6 ${k6Version} (built by \`npm run k6:install\`), hello server (node:http) in a child process on 127.0.0.1, same run. Load average at the start: ${loadAverage}.`,
    "",
    `### CPU per request at the same rate (${SAME_RATE} req/s for ${SECONDS} s, ${IN_FLIGHT} in flight at most, ${ROUNDS} rounds in rotating order after a warm-up)`,
    "",
    "| round | CPU µs/req built-in | k6 | k6 bare | autocannon | req/s built-in | k6 | k6 bare | autocannon |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...same.map(
      (r, i) =>
        `| ${i + 1} | ${r.builtin.cpuUs.toFixed(1)} | ${r.k6.cpuUs.toFixed(1)} | ${r.k6bare.cpuUs.toFixed(1)} | ${r.autocannon.cpuUs.toFixed(1)} | ${f0(r.builtin.reqPerSec)} | ${f0(r.k6.reqPerSec)} | ${f0(r.k6bare.reqPerSec)} | ${f0(r.autocannon.reqPerSec)} |`,
    ),
    "",
    "| load generator | median CPU µs/req | requests per CPU-second | median req/s at saturation (32 in flight) |",
    "| --- | ---: | ---: | ---: |",
    ...(Object.keys(NAME) as Runner[]).map(
      (name) =>
        `| ${NAME[name]} | ${med(same, name, (m) => m.cpuUs).toFixed(1)} | ${f0(perCpu(name))} | ${f0(med(saturation, name, (m) => m.reqPerSec))} |`,
    ),
    "",
    `**Built-in engine / k6 (as the harness runs it), requests per CPU-second of the load generator at ${SAME_RATE} req/s: ${ratio.toFixed(2)}×** (goal ≥ 2×);`,
    `against k6 bare: ${(perCpu("builtin") / perCpu("k6bare")).toFixed(2)}×. k6's CPU is its whole process (start-up, VU initialisation, the`,
    "JSON output the adapter reads, the summary), as a run of the harness pays it; the built-in engine's and autocannon's is",
    "this process's during the run. Saturation: the built-in engine at 200,000 arrivals/s and k6 (harness) at 5,000/s,",
    "the excess dropped and counted (k6 writes a sample per dropped iteration, which costs it CPU too); k6 bare loops",
    "32 VUs; autocannon keeps 32 connections busy. The two cores are shared with the server and other engineers' work:",
    "the req/s follow the CPU each side needs per request.",
    "",
    "| round | built-in req/s | k6 req/s | k6 bare req/s | autocannon req/s |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...saturation.map(
      (r, i) =>
        `| ${i + 1} | ${f0(r.builtin.reqPerSec)} | ${f0(r.k6.reqPerSec)} | ${f0(r.k6bare.reqPerSec)} | ${f0(r.autocannon.reqPerSec)} |`,
    ),
    "",
    "### Rate accuracy (constant arrival rate, in-flight cap 100)",
    "",
    "| engine | target req/s | achieved (engine) | error | served (server) | error | dropped |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...accuracy.map(
      (a) =>
        `| ${a.engine} | ${a.target} | ${a.achieved.toFixed(2)} | ${pct(a.achieved / a.target - 1)} | ${a.served.toFixed(2)} | ${pct(a.served / a.target - 1)} | ${a.dropped} |`,
    ),
    "",
    `### Agreement at known latency (${AGREE_RATE} req/s for ${AGREE_SECONDS} s; server-side step distribution p50 50 / p95 120 / p99 200 ms)`,
    "",
    "Each engine against the target rate and the server's own timing of the same run:",
    "",
    "| engine | requests | dropped | achieved req/s | within ±1 % | p50 ms (server) | within | p95 ms (server) | within | p99 ms (server) | within |",
    "| --- | ---: | ---: | ---: | --- | ---: | --- | ---: | --- | ---: | --- |",
    ...agreement.map(({ engine, result, server: t }) => {
      const l = result.overall.latency;
      const cells = PERCENTILE_KEYS.map(
        (k) => `${l[k].toFixed(1)} (${t[k].toFixed(1)}) | ${yesNo(withinTolerance(l[k], t[k]))}`,
      );
      return `| ${engine} | ${result.overall.requests} | ${result.iterations.dropped} | ${result.achievedRatePerSec.toFixed(2)} | ${yesNo(rateHolds(result.achievedRatePerSec, AGREE_RATE))} | ${cells.join(" | ")} |`;
    }),
    "",
    "The engines against each other:",
    "",
    "| figure | built-in | k6 | allowed difference | holds |",
    "| --- | ---: | ---: | --- | --- |",
    `| achieved req/s | ${ours.result.achievedRatePerSec.toFixed(2)} | ${theirs.result.achievedRatePerSec.toFixed(2)} | ±1 % of built-in | ${yesNo(rateHolds(theirs.result.achievedRatePerSec, ours.result.achievedRatePerSec))} |`,
    ...engineRows,
    "",
    `Tolerance: ${ENGINE_TOLERANCE.absMs} ms + ${ENGINE_TOLERANCE.relative * 100} % of the reference figure (loadtests/engines/agree.ts); between the engines, plus the difference the server itself saw between their two runs.`,
    "The built-in engine times from each request's intended start, k6 from its send: the same figures where neither",
    "load generator falls behind (loadtests/engines/agree.integration.test.ts shows a stall). A **no** with dropped",
    "iterations, or with the server's own figures where they should be, is a load generator short of CPU (the",
    "shared machine), not a difference of method: compare on a quiet machine.",
  ];
  console.log(lines.join("\n"));
} finally {
  server.child.kill();
  rmSync(tmp, { recursive: true, force: true });
}
