/**
 * Benchmark of the local stage (npm run perf): requests per second and CPU per request through the full stage
 * (API front → Lambda emulator → execution environment, a process each → dynalite), side by side in one run with
 * the same bundle and the same dynalite behind:
 *
 * - a plain node:http server calling the handler in-process (the floor: no emulation at all);
 * - serverless-offline 13 in its default mode (a worker thread per concurrent handler) and with `--useInProcess`,
 *   installed by this benchmark into a scratch folder (stage/perf/serverless-offline-peer.ts).
 *
 * Workloads: GET /items/{id}; ping (POST /dynamodbmanager {"operation":"ping"}, no DynamoDB call); the read-heavy
 * CRUD mix (90 % GET, 5 % PUT, 5 % POST). The load tool (autocannon) runs in its own process
 * (stage/perf/load-child.ts), so a target's CPU per request is its own: this process (front, emulator, dynalite,
 * or the in-process handler) plus the target's processes (environments, serverless-offline), from /proc.
 *
 * Usage: npx tsx stage/stage.perf.ts   (or npm run perf -- stage.perf)
 *        STAGE_PERF_PEER=off skips serverless-offline (no install).
 *        STAGE_PERF_BEFORE=<checkout> adds the full stage of another checkout of this repository (its own
 *        `npm ci` and `npm run build` done) to the GET rounds, beside this one: a before/after of a change to
 *        the stage, side by side in one run (both stages' fronts run in this process, so each one's CPU
 *        includes the other's idle upkeep, alike for both).
 *        STAGE_PERF_FREEZE_AB=off leaves out the second stage that does not freeze its idle environments
 *        (`freezeIdleEnvironments: false`), which by default joins the GET and ping rounds and the warm state.
 *        STAGE_PERF_IDLE_S=<s> (default 150; 0 skips): the warm state, GET windows on both stages before and
 *        after that long with nothing running.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createHandler } from "../service/handler.ts";
import { buildProxyEvent } from "./apigateway/proxy-event.ts";
import { mapProxyResponse } from "./apigateway/proxy-response.ts";
import { LOCAL_CREDENTIALS } from "./dynamodb.ts";
import type { LoadOrder, LoadOutcome, Workload } from "./perf/load-child.ts";
import { installPeer, PEER_VERSIONS, type RunningPeer, startPeer } from "./perf/serverless-offline-peer.ts";
import { startStage } from "./stage.ts";

/**
 * Every request in flight needs its own execution environment (its own process), as on Lambda: 8 connections
 * keep the stage at 8 environments on this 2-core machine. Override with STAGE_PERF_CONNECTIONS.
 */
const CONNECTIONS = Number(process.env["STAGE_PERF_CONNECTIONS"] ?? 8);
/** Seconds per run; the targets take turns ROUNDS times in rotating order, so machine noise hits all alike. */
const DURATION_S = Number(process.env["STAGE_PERF_DURATION_S"] ?? 4);
const ROUNDS = 3;
/**
 * Warm-up requests per connection before the GET rounds (the first workload). Each execution environment is
 * its own V8 with its own JIT: at 8 connections each environment sees 1/8 of the requests, where the in-process
 * handler sees them all. Measured here: an environment's CPU per request falls by half over its first ~3,000
 * requests, so a short warm-up measures the JIT still compiling. The later workloads (ping, CRUD mix) run the
 * same code paths and get WARMUP_LATER_PER_CONNECTION. Override with STAGE_PERF_WARMUP_REQUESTS.
 */
const WARMUP_REQUESTS_PER_CONNECTION = Number(process.env["STAGE_PERF_WARMUP_REQUESTS"] ?? 2000);
const WARMUP_LATER_PER_CONNECTION = 250;
/** Bound on each warm-up, in seconds. */
const WARMUP_MAX_S = 60;
const ITEMS = 200;
const MEMORY_MB = 1769;
const PEER = process.env["STAGE_PERF_PEER"] !== "off";
/** Another checkout whose stage joins the GET rounds (a before/after in one run); none when unset. */
const BEFORE_ROOT = process.env["STAGE_PERF_BEFORE"];
/** A second stage that does not freeze idle environments joins the GET and ping rounds and the warm state. */
const FREEZE_AB = process.env["STAGE_PERF_FREEZE_AB"] !== "off";
/** Seconds of nothing running in the warm-state part (0 skips it). */
const IDLE_S = Number(process.env["STAGE_PERF_IDLE_S"] ?? 150);
/** Idle spells of the warm state (each stage the first to serve after one of them), and windows after each. */
const IDLE_SPELLS = 2;
const WINDOWS_AFTER_IDLE = 2;

interface Target {
  name: string;
  url: string;
  /** The target's own processes besides this one (environments, serverless-offline). */
  pids: () => number[];
}

interface Rate {
  requestsPerSecond: number;
  /** CPU time per request of everything the target runs: this process and the target's processes. */
  cpuMsPerRequest: number;
  /** The part of cpuMsPerRequest spent in the target's own processes (0 for the in-process baseline). */
  ownProcessesCpuMsPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** CPU time (user + system) of a process in ms, from /proc (Linux); 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}
/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS_PER_S = 100;

/** The load tool's process: one order at a time. */
class LoadTool {
  private readonly child: ChildProcess = fork(
    fileURLToPath(new URL("./perf/load-child.ts", import.meta.url)),
    { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );

  run(order: LoadOrder): Promise<LoadOutcome> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error("the load tool's process exited"));
      this.child.once("exit", onExit);
      this.child.once("message", (message: { ok: boolean; outcome?: LoadOutcome; message?: string }) => {
        this.child.off("exit", onExit);
        if (message.ok && message.outcome) resolve(message.outcome);
        else reject(new Error(`load tool: ${message.message}`));
      });
      this.child.send(order);
    });
  }

  close(): void {
    this.child.disconnect();
  }
}

/** One timed run: the target's rate and CPU per request (this process plus the target's processes). */
async function load(tool: LoadTool, target: Target, workload: Workload, connections: number): Promise<Rate> {
  const pids = target.pids();
  const childCpuBefore = pids.map(processCpuMs);
  const cpuBefore = process.cpuUsage();
  const result = await tool.run({
    url: target.url,
    workload,
    connections,
    durationS: DURATION_S,
    maxS: DURATION_S + 30,
    items: ITEMS,
  });
  const cpu = process.cpuUsage(cpuBefore);
  const childCpuMs = pids.reduce((sum, pid, i) => sum + processCpuMs(pid) - (childCpuBefore[i] ?? 0), 0);
  const cpuMs = (cpu.user + cpu.system) / 1000 + childCpuMs;
  const served = Math.max(1, result.total);
  return {
    requestsPerSecond: result.requestsPerSecond,
    cpuMsPerRequest: cpuMs / served,
    ownProcessesCpuMsPerRequest: childCpuMs / served,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** A plain node:http server that turns each request into a REST proxy event and calls the handler in-process. */
async function inProcessServer(tableName: string, dynamodbEndpoint: string) {
  const documentClient = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamodbEndpoint,
      region: "us-east-1",
      credentials: LOCAL_CREDENTIALS,
      requestHandler: { httpAgent: new http.Agent({ keepAlive: true }) },
    }),
  );
  let logBytes = 0;
  const handler = createHandler({
    config: { tableName },
    documentClient,
    writeLine: (line) => {
      logBytes += line.length;
    },
  });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const rawPath = (q < 0 ? url : url.slice(0, q)).replace(/^\/prod/, "");
      const match = /^\/items\/([^/]+)$/.exec(rawPath);
      const event = buildProxyEvent(
        {
          method: req.method ?? "GET",
          rawPath,
          rawQuery: q < 0 ? "" : url.slice(q + 1),
          rawHeaders: req.rawHeaders,
          body: Buffer.concat(chunks),
          sourceIp: "127.0.0.1",
          protocol: "HTTP/1.1",
          localPort: 0,
        },
        {
          stageName: "prod",
          resourcePath: match ? "/items/{id}" : rawPath,
          pathParameters: match?.[1] ? { id: match[1] } : {},
          stageVariables: null,
          requestId: "r",
          extendedRequestId: "e",
          apiId: "a",
          accountId: "0",
          resourceId: "x",
          domainName: "127.0.0.1",
          domainPrefix: "a",
          requestTimeEpochMs: Date.now(),
          traceId: "Root=1-0-0",
          binaryMediaTypes: [],
        },
      );
      const mapped = mapProxyResponse(JSON.stringify(await handler(event)));
      if (mapped.kind === "malformed") {
        res.writeHead(502).end();
        return;
      }
      res.writeHead(mapped.response.statusCode, mapped.response.headers.flat());
      res.end(mapped.response.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`,
    logBytes: () => logBytes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        documentClient.destroy();
      }),
  };
}

/** Mean rate and latency over rounds; error counts summed. */
function combine(rates: Rate[]): Rate {
  const mean = (f: (r: Rate) => number) => rates.reduce((sum, r) => sum + f(r), 0) / rates.length;
  return {
    requestsPerSecond: mean((r) => r.requestsPerSecond),
    cpuMsPerRequest: mean((r) => r.cpuMsPerRequest),
    ownProcessesCpuMsPerRequest: mean((r) => r.ownProcessesCpuMsPerRequest),
    p50Ms: Math.round(mean((r) => r.p50Ms)),
    p99Ms: Math.round(mean((r) => r.p99Ms)),
    non2xx: rates.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rates.reduce((sum, r) => sum + r.errors, 0),
  };
}

interface Comparison {
  workload: Workload;
  /** Per target, in the order given; the first is the stage. */
  rates: Map<string, Rate>;
  /** Per other target: the stage's req/s over it, per round (sorted) and the median. */
  ratios: Map<string, { median: number; rounds: number[] }>;
  /** The same for the stage that does not freeze its idle environments, when it ran. */
  unfrozenRatios: Map<string, { median: number; rounds: number[] }>;
}

/** Warm-up on every target, then ROUNDS rounds in which the targets take turns, the order rotating. */
async function compare(
  tool: LoadTool,
  workload: Workload,
  targets: Target[],
  warmupPerConnection: number,
): Promise<Comparison> {
  for (const target of targets) {
    await tool.run({
      url: target.url,
      workload,
      connections: CONNECTIONS,
      durationS: DURATION_S,
      amount: CONNECTIONS * warmupPerConnection,
      maxS: WARMUP_MAX_S,
      items: ITEMS,
    });
  }
  const perTarget = new Map<string, Rate[]>(targets.map((t) => [t.name, []]));
  const subjects = [STAGE, STAGE_UNFROZEN];
  const perRoundRatios = new Map<string, Map<string, number[]>>(subjects.map((name) => [name, new Map()]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate who goes first, so a burst of load from elsewhere does not always hit the same target.
    const order = targets.map((_, i) => targets[(i + round) % targets.length] as Target);
    const rates = new Map<string, Rate>();
    for (const target of order) rates.set(target.name, await load(tool, target, workload, CONNECTIONS));
    for (const [name, rate] of rates) perTarget.get(name)?.push(rate);
    for (const subject of subjects) {
      const stage = rates.get(subject);
      for (const target of targets.filter((t) => !subjects.includes(t.name))) {
        const other = rates.get(target.name);
        if (!stage || !other) continue;
        const perOther = perRoundRatios.get(subject) ?? new Map<string, number[]>();
        const list = perOther.get(target.name) ?? [];
        list.push(stage.requestsPerSecond / Math.max(1e-9, other.requestsPerSecond));
        perOther.set(target.name, list);
        perRoundRatios.set(subject, perOther);
      }
    }
  }
  const medians = (perOther: Map<string, number[]> | undefined) => {
    const ratios = new Map<string, { median: number; rounds: number[] }>();
    for (const [name, list] of perOther ?? []) {
      const rounds = [...list].sort((x, y) => x - y);
      ratios.set(name, { median: rounds[Math.floor(rounds.length / 2)] ?? 0, rounds: list });
    }
    return ratios;
  };
  return {
    workload,
    rates: new Map([...perTarget].map(([name, rates]) => [name, combine(rates)])),
    ratios: medians(perRoundRatios.get(STAGE)),
    unfrozenRatios: medians(perRoundRatios.get(STAGE_UNFROZEN)),
  };
}

/**
 * The warm state: IDLE_SPELLS spells, each a GET window on each stage, IDLE_S seconds with nothing running, then
 * WINDOWS_AFTER_IDLE windows on each stage in turn. The order of the stages rotates per spell, so each stage is
 * the first to serve after an idle spell once (the second finds the shared parts, this process and the load
 * tool, woken by the first). Returns per stage its windows: before, first after (when it went first), and the
 * rest after.
 */
interface WarmWindows {
  before: Rate[];
  firstAfter: Rate[];
  laterAfter: Rate[];
}
async function warmState(tool: LoadTool, stages: Target[]): Promise<Map<string, WarmWindows>> {
  const windows = new Map<string, WarmWindows>(
    stages.map((t) => [t.name, { before: [], firstAfter: [], laterAfter: [] }]),
  );
  for (let spell = 0; spell < Math.min(IDLE_SPELLS, stages.length); spell++) {
    const order = stages.map((_, i) => stages[(i + spell) % stages.length] as Target);
    for (const target of order)
      windows.get(target.name)?.before.push(await load(tool, target, "get", CONNECTIONS));
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000));
    for (let i = 0; i < WINDOWS_AFTER_IDLE; i++) {
      for (const [position, target] of order.entries()) {
        const rate = await load(tool, target, "get", CONNECTIONS);
        const list = windows.get(target.name);
        if (i === 0 && position === 0) list?.firstAfter.push(rate);
        else list?.laterAfter.push(rate);
      }
    }
  }
  return windows;
}

const STAGE = "full stage";
const STAGE_UNFROZEN = "full stage, idle environments not frozen";
const IN_PROCESS = "handler in-process (node:http)";
const SLS_WORKER = "serverless-offline (worker threads)";
const SLS_IN_PROCESS = "serverless-offline --useInProcess";

/** The goals, as ratios of req/s (stage / other) per workload and other target. */
const RATIO_GOALS: Array<{ workload: Workload; other: string; atLeast: number }> = [
  { workload: "get", other: SLS_IN_PROCESS, atLeast: 1.0 },
  { workload: "get", other: SLS_WORKER, atLeast: 4 },
  { workload: "ping", other: SLS_WORKER, atLeast: 5 },
  { workload: "ping", other: IN_PROCESS, atLeast: 0.25 },
  { workload: "crud", other: IN_PROCESS, atLeast: 0.7 },
];
/** The stage's CPU per GET /items/{id} (front, emulator, dynalite and environments), goal in ms. */
const STAGE_CPU_PER_GET_GOAL_MS = 2;

const WORKLOAD_NAMES: Record<Workload, string> = {
  get: "GET /items/{id}",
  ping: "ping (POST /dynamodbmanager)",
  crud: "read-heavy CRUD mix",
};

/**
 * Idle environments are kept for the whole run: the warm-ups of the other targets take minutes, and a reclaimed
 * environment would make the stage's first round a round of cold starts (serverless-offline is told the same).
 */
const IDLE_KEEP_MS = 3_600_000;
const local = await startStage({ memoryMb: MEMORY_MB, cpuScaling: "auto", idleTimeoutMs: IDLE_KEEP_MS });
const unfrozen = FREEZE_AB
  ? await startStage({
      memoryMb: MEMORY_MB,
      cpuScaling: "auto",
      idleTimeoutMs: IDLE_KEEP_MS,
      freezeIdleEnvironments: false,
    })
  : undefined;
const before = BEFORE_ROOT
  ? await (
      (await import(path.resolve(BEFORE_ROOT, "stage", "stage.ts"))) as { startStage: typeof startStage }
    ).startStage({ memoryMb: MEMORY_MB, cpuScaling: "auto", idleTimeoutMs: IDLE_KEEP_MS })
  : undefined;
const baseline = await inProcessServer(local.stage.tableName, local.stage.dynamodbEndpoint ?? "");
const tool = new LoadTool();
const peers: RunningPeer[] = [];
try {
  const seeded = [local, ...(unfrozen ? [unfrozen] : []), ...(before ? [before] : [])];
  for (let i = 0; i < ITEMS * seeded.length; i++) {
    const id = `perf-${i % ITEMS}`;
    const res = await fetch(`${(seeded[Math.floor(i / ITEMS)] ?? local).stage.apiUrl}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id, name: `item ${i}`, tags: ["a", "b"], n: i }),
    });
    if (res.status !== 201)
      throw new Error(`seeding item ${id}: expected 201, got ${res.status} ${await res.text()}`);
  }
  const stageTarget: Target = {
    name: STAGE,
    url: local.stage.apiUrl,
    pids: () => local.lambda.environmentPids(),
  };
  const unfrozenTargets: Target[] = unfrozen
    ? [{ name: STAGE_UNFROZEN, url: unfrozen.stage.apiUrl, pids: () => unfrozen.lambda.environmentPids() }]
    : [];
  const inProcessTarget: Target = { name: IN_PROCESS, url: baseline.url, pids: () => [] };
  const peerTargets: Target[] = [];
  let peerNote = "";
  if (PEER) {
    try {
      await installPeer();
      const bundleFile = path.join(
        fileURLToPath(new URL("..", import.meta.url)),
        "dist",
        "service",
        "index.mjs",
      );
      const common = {
        bundleFile,
        tableName: local.stage.tableName,
        dynamodbEndpoint: local.stage.dynamodbEndpoint ?? "",
        credentials: LOCAL_CREDENTIALS,
        region: "us-east-1",
        memoryMb: MEMORY_MB,
        stageName: new URL(local.stage.apiUrl).pathname.replace(/^\/|\/$/g, ""),
      };
      for (const [name, mode] of [
        [SLS_WORKER, "worker-threads"],
        [SLS_IN_PROCESS, "in-process"],
      ] as const) {
        const peer = await startPeer({ ...common, mode, idleKeepS: IDLE_KEEP_MS / 1000 });
        peers.push(peer);
        peerTargets.push({ name, url: peer.url, pids: () => [peer.pid] });
      }
    } catch (error) {
      peerNote = `serverless-offline not measured: ${(error as Error).message}`;
    }
  } else peerNote = "serverless-offline not measured: STAGE_PERF_PEER=off.";

  const loadBefore = os.loadavg();
  // The stage that does not freeze goes second: both stages idle alike while the others warm.
  const all = [stageTarget, ...unfrozenTargets, inProcessTarget, ...peerTargets];
  const beforeTargets: Target[] = before
    ? [
        {
          name: `${STAGE}, before (STAGE_PERF_BEFORE)`,
          url: before.stage.apiUrl,
          pids: () => before.lambda.environmentPids(),
        },
      ]
    : [];
  const results = [
    await compare(tool, "get", [...all, ...beforeTargets], WARMUP_REQUESTS_PER_CONNECTION),
    await compare(tool, "ping", all, WARMUP_LATER_PER_CONNECTION),
    await compare(tool, "crud", [stageTarget, inProcessTarget], WARMUP_LATER_PER_CONNECTION),
  ];
  const loadAfter = os.loadavg();
  const warm = IDLE_S > 0 ? await warmState(tool, [stageTarget, ...unfrozenTargets]) : undefined;
  const loadAfterWarm = os.loadavg();

  const row = (r: Rate) =>
    `${r.requestsPerSecond.toFixed(0)} | ${r.cpuMsPerRequest.toFixed(2)} | ${r.ownProcessesCpuMsPerRequest.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.errors}`;
  const stageGet = results[0]?.rates.get(STAGE);
  const goalRows = RATIO_GOALS.flatMap((goal) => {
    const ratio = results.find((r) => r.workload === goal.workload)?.ratios.get(goal.other);
    if (!ratio) return [];
    return [
      `| ${WORKLOAD_NAMES[goal.workload]} | stage / ${goal.other} | ${ratio.median.toFixed(2)}× | ` +
        `${ratio.rounds.map((x) => x.toFixed(2)).join(", ")} | ≥ ${goal.atLeast}× | ${ratio.median >= goal.atLeast ? "yes" : "no"} |`,
    ];
  });
  const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(1)).join(", ");
  const freezeRows = unfrozen
    ? results.flatMap((r) => {
        const frozenRate = r.rates.get(STAGE);
        const unfrozenRate = r.rates.get(STAGE_UNFROZEN);
        if (!frozenRate || !unfrozenRate) return [];
        const others = [...r.ratios.keys()].map((other) => {
          const on = r.ratios.get(other)?.median ?? Number.NaN;
          const off = r.unfrozenRatios.get(other)?.median ?? Number.NaN;
          return `${on.toFixed(2)}× / ${off.toFixed(2)}× ${other}`;
        });
        return [
          `| ${WORKLOAD_NAMES[r.workload]} | ${frozenRate.cpuMsPerRequest.toFixed(2)} / ${unfrozenRate.cpuMsPerRequest.toFixed(2)} ms | ` +
            `${frozenRate.requestsPerSecond.toFixed(0)} / ${unfrozenRate.requestsPerSecond.toFixed(0)} | ${others.join("; ")} |`,
        ];
      })
    : [];
  const mean = (rates: Rate[], f: (r: Rate) => number) =>
    rates.reduce((sum, r) => sum + f(r), 0) / Math.max(1, rates.length);
  const cpu = (rates: Rate[]) => rates.map((r) => r.cpuMsPerRequest.toFixed(2)).join(", ");
  const env = (rates: Rate[]) => rates.map((r) => r.ownProcessesCpuMsPerRequest.toFixed(2)).join(", ");
  const warmRows = warm
    ? [...warm].map(
        ([name, w]) =>
          `| ${name} | ${cpu(w.before)} (${env(w.before)}) | ${cpu(w.firstAfter)} (${env(w.firstAfter)}) | ` +
          `${(mean(w.firstAfter, (r) => r.cpuMsPerRequest) / mean(w.before, (r) => r.cpuMsPerRequest)).toFixed(2)}× | ` +
          `${cpu(w.laterAfter)} (${env(w.laterAfter)}) |`,
      )
    : [];
  const lines = [
    "## Local stage: full stage vs the handler in-process and serverless-offline",
    "",
    "Command: `npm run perf -- stage.perf` (stage/stage.perf.ts). autocannon in its own process, " +
      `${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s per target in rotating order after a warm-up of ` +
      `${WARMUP_REQUESTS_PER_CONNECTION.toLocaleString("en")} GETs per connection (${WARMUP_LATER_PER_CONNECTION} before ` +
      `each later workload; each at most ${WARMUP_MAX_S} s) on every target; load average ${fmtLoad(loadBefore)} at ` +
      `the start, ${fmtLoad(loadAfter)} at the end, on ${os.cpus().length} cores. Function at ${MEMORY_MB} MB, CPU ` +
      `scaling ${local.lambda.cpuScaling.mode} (one vCPU per environment: the stage's own overhead, not a small ` +
      `share). Every target runs the same bundle (dist/service/index.mjs) on the same dynalite, ${ITEMS} items seeded. ` +
      `serverless-offline ${PEER_VERSIONS.serverlessOffline} on serverless ${PEER_VERSIONS.serverless}, installed by ` +
      "the benchmark into a scratch folder under the OS's temp directory (not a dependency of the project)." +
      (peerNote ? ` ${peerNote}` : ""),
    "",
    "| workload | target | req/s | CPU ms/request | of which in its own processes | p50 ms | p99 ms | non-2xx | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.flatMap((r) =>
      [...r.rates].map(([name, rate]) => `| ${WORKLOAD_NAMES[r.workload]} | ${name} | ${row(rate)} |`),
    ),
    "",
    "| workload | ratio of req/s | median of rounds | each round | goal | met |",
    "| --- | --- | ---: | --- | ---: | --- |",
    ...goalRows,
    ...(stageGet
      ? [
          `| GET /items/{id} | the stage's CPU per request | ${stageGet.cpuMsPerRequest.toFixed(2)} ms | ` +
            `${stageGet.ownProcessesCpuMsPerRequest.toFixed(2)} ms in environments | ≤ ${STAGE_CPU_PER_GET_GOAL_MS} ms | ` +
            `${stageGet.cpuMsPerRequest <= STAGE_CPU_PER_GET_GOAL_MS ? "yes" : "no"} |`,
        ]
      : []),
    "",
    ...(unfrozen
      ? [
          "",
          "### Freezing idle environments: on / off, side by side",
          "",
          `The stage as it runs (idle environments frozen between invocations, as Lambda freezes them) and a second stage with \`freezeIdleEnvironments: false\` in the same rounds (both stages' fronts and dynalites run in this process, so each one's CPU includes the other's idle upkeep, alike for both).`,
          "",
          "| workload | CPU ms/request, frozen / not | req/s, frozen / not | median ratio of req/s, frozen / not, to |",
          "| --- | ---: | ---: | --- |",
          ...freezeRows,
        ]
      : []),
    ...(warm
      ? [
          "",
          "### Warm state: GETs before and after an idle spell",
          "",
          `Right after the rounds above, ${Math.min(IDLE_SPELLS, 1 + (unfrozen ? 1 : 0))} spells: a GET window of ${DURATION_S} s on each stage, ${IDLE_S} s with nothing running, then ${WINDOWS_AFTER_IDLE} windows on each stage in turn; ` +
            "the order rotates, so each stage serves first after one spell (the second finds this process and the load tool woken by the first). " +
            `Load average ${fmtLoad(loadAfter)} at its start, ${fmtLoad(loadAfterWarm)} at its end.`,
          "",
          "| stage | CPU ms/GET before the idle (environments) | first window after it (environments) | first after / before | later windows after it (environments) |",
          "| --- | --- | --- | ---: | --- |",
          ...warmRows,
        ]
      : []),
    "",
    "CPU ms/request: user + system time of everything the target ran, from /proc, over the requests it served: " +
      "this process (the stage's front, emulator and dynalite; or the in-process handler and dynalite; or dynalite " +
      "alone for serverless-offline) plus the target's own processes (the stage's execution environments; " +
      "serverless-offline's process with its worker threads). The load tool is not counted. Other tenants of the " +
      "machine change it far less than they change req/s.",
    "",
    "Reading the figures: all targets share the machine's two cores, so req/s follows the CPU per request once the " +
      "cores are busy. A stage request crosses processes four times (front → environment → dynalite → environment " +
      "→ front); the environments are a process each, as on Lambda, each with its own V8 and JIT (at 8 connections " +
      "each sees an eighth of the requests) and each woken twice per request with caches cooled by the others. " +
      "serverless-offline's worker mode runs a worker thread per concurrent handler in one process; --useInProcess " +
      "runs the handler in its own process, like the in-process baseline but behind its Hapi server. Neither has a " +
      "process per environment nor a CPU share per memory size.",
  ];
  console.log(lines.join("\n"));
} finally {
  tool.close();
  for (const peer of peers) await peer.stop();
  await baseline.close();
  await local.stop();
  await unfrozen?.stop();
  await before?.stop();
}
