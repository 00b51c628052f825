/**
 * Benchmark of the local stage (npm run perf): requests per second through the full stage (API front →
 * Lambda emulator → execution environment → dynalite) against a plain node:http server calling the same
 * handler in-process, with the same load tool (autocannon) in the same run.
 *
 * 1. ping: POST /dynamodbmanager {"operation":"ping"} (no DynamoDB call). Goal ≥ 0.25×.
 * 2. read-heavy CRUD mix on the same dynalite (90 % GET /items/{id}, 5 % PUT, 5 % POST). Goal ≥ 0.7×.
 *
 * Usage: npx tsx stage/stage.perf.ts   (or npm run perf -- stage.perf)
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createHandler } from "../service/handler.ts";
import { buildProxyEvent } from "./apigateway/proxy-event.ts";
import { mapProxyResponse } from "./apigateway/proxy-response.ts";
import { LOCAL_CREDENTIALS } from "./dynamodb.ts";
import { startStage } from "./stage.ts";

/** autocannon ships no types: the part of its API used here. */
type Autocannon = (options: {
  url: string;
  connections: number;
  duration?: number;
  /** Requests in all; when set, duration is ignored. */
  amount?: number;
  requests: { setupRequest: (request: Record<string, unknown>) => Record<string, unknown> }[];
}) => PromiseLike<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}> & { stop: () => void };
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/**
 * Every request in flight needs its own execution environment (its own process), as on Lambda: 8 connections
 * keep the stage at 8 environments on this 2-core machine. Override with STAGE_PERF_CONNECTIONS.
 */
const CONNECTIONS = Number(process.env["STAGE_PERF_CONNECTIONS"] ?? 8);
/** Seconds per run; stage and baseline alternate ROUNDS times, so machine noise hits both alike. */
const DURATION_S = Number(process.env["STAGE_PERF_DURATION_S"] ?? 4);
const ROUNDS = 3;
/**
 * Warm-up requests per connection, before the rounds. Each execution environment is its own V8 with its own
 * JIT: at 8 connections each environment sees 1/8 of the requests, where the in-process handler sees them all.
 * Measured here: an environment's CPU per CRUD request falls from ~2.7 ms to ~1.4 ms over its first ~3,000
 * requests, so a short warm-up measures the stage's JIT still compiling. Override with STAGE_PERF_WARMUP_REQUESTS.
 */
const WARMUP_REQUESTS_PER_CONNECTION = Number(process.env["STAGE_PERF_WARMUP_REQUESTS"] ?? 2000);
/** Bound on each warm-up, in seconds. */
const WARMUP_MAX_S = 60;
const ITEMS = 200;
const MEMORY_MB = 1769;

interface Rate {
  requestsPerSecond: number;
  /** CPU time per request of everything the target runs: this process (load tool included) and its environments. */
  cpuMsPerRequest: number;
  /** The part of cpuMsPerRequest spent in the execution environments (0 for the in-process baseline). */
  environmentCpuMsPerRequest: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

type RequestSpec = { method: string; path: string; body?: string };

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

function requestOptions(baseUrl: string, next: () => RequestSpec) {
  return [
    {
      setupRequest: (request: Record<string, unknown>) => {
        const spec = next();
        return {
          ...request,
          method: spec.method,
          path: `${new URL(baseUrl).pathname}${spec.path}`,
          headers: { "content-type": "application/json" },
          body: spec.body,
        };
      },
    },
  ];
}

/**
 * One timed run. `childPids` are the target's other processes (the stage's execution environments), whose
 * CPU time counts toward the target's CPU per request together with this process's.
 */
async function load(
  baseUrl: string,
  next: () => RequestSpec,
  durationS: number,
  connections: number,
  childPids: () => number[],
): Promise<Rate> {
  const pids = childPids();
  const childCpuBefore = pids.map(processCpuMs);
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: durationS,
    requests: requestOptions(baseUrl, next),
  });
  const cpu = process.cpuUsage(cpuBefore);
  const childCpuMs = pids.reduce((sum, pid, i) => sum + processCpuMs(pid) - (childCpuBefore[i] ?? 0), 0);
  const cpuMs = (cpu.user + cpu.system) / 1000 + childCpuMs;
  return {
    requestsPerSecond: result.requests.average,
    cpuMsPerRequest: cpuMs / Math.max(1, result.requests.total),
    environmentCpuMsPerRequest: childCpuMs / Math.max(1, result.requests.total),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** A fixed number of requests (bounded in time), not measured. */
async function warmUp(baseUrl: string, next: () => RequestSpec, connections: number): Promise<void> {
  const run = autocannon({
    url: baseUrl,
    connections,
    amount: connections * WARMUP_REQUESTS_PER_CONNECTION,
    requests: requestOptions(baseUrl, next),
  });
  const cap = setTimeout(() => run.stop(), WARMUP_MAX_S * 1000);
  await run;
  clearTimeout(cap);
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

const ping = (): RequestSpec => ({ method: "POST", path: "/dynamodbmanager", body: '{"operation":"ping"}' });

let counter = 0;
function crudMix(): RequestSpec {
  counter++;
  const id = `perf-${counter % ITEMS}`;
  const roll = counter % 20;
  if (roll === 0) return { method: "PUT", path: `/items/${id}`, body: JSON.stringify({ id, n: counter }) };
  if (roll === 10) return { method: "POST", path: "/items", body: JSON.stringify({ n: counter }) };
  return { method: "GET", path: `/items/${id}` };
}

/** Mean rate and latency over rounds; error counts summed. */
function combine(rates: Rate[]): Rate {
  const mean = (f: (r: Rate) => number) => rates.reduce((sum, r) => sum + f(r), 0) / rates.length;
  return {
    requestsPerSecond: mean((r) => r.requestsPerSecond),
    cpuMsPerRequest: mean((r) => r.cpuMsPerRequest),
    environmentCpuMsPerRequest: mean((r) => r.environmentCpuMsPerRequest),
    p50Ms: Math.round(mean((r) => r.p50Ms)),
    p99Ms: Math.round(mean((r) => r.p99Ms)),
    non2xx: rates.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rates.reduce((sum, r) => sum + r.errors, 0),
  };
}

async function compare(
  name: string,
  stageUrl: string,
  baselineUrl: string,
  next: () => RequestSpec,
  connections = CONNECTIONS,
) {
  await warmUp(stageUrl, next, connections);
  await warmUp(baselineUrl, next, connections);
  const stageRates: Rate[] = [];
  const baselineRates: Rate[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which target goes first, so a burst of load from elsewhere does not always hit the same one.
    const first = round % 2 === 0 ? "stage" : "baseline";
    const run = (target: string) =>
      target === "stage"
        ? load(stageUrl, next, DURATION_S, connections, environmentPids)
        : load(baselineUrl, next, DURATION_S, connections, () => []);
    const a = await run(first);
    const b = await run(first === "stage" ? "baseline" : "stage");
    const [stage, baseline] = first === "stage" ? [a, b] : [b, a];
    stageRates.push(stage);
    baselineRates.push(baseline);
    ratios.push(stage.requestsPerSecond / baseline.requestsPerSecond);
  }
  ratios.sort((x, y) => x - y);
  return {
    name,
    stage: combine(stageRates),
    baseline: combine(baselineRates),
    ratio: ratios[Math.floor(ratios.length / 2)] ?? 0,
    ratios,
  };
}

const local = await startStage({ memoryMb: MEMORY_MB, cpuScaling: "off", idleTimeoutMs: 120_000 });
const environmentPids = () => local.lambda.environmentPids();
const baseline = await inProcessServer(local.stage.tableName, local.stage.dynamodbEndpoint ?? "");
try {
  for (let i = 0; i < ITEMS; i++) {
    const id = `perf-${i}`;
    const res = await fetch(`${local.stage.apiUrl}/items`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id, name: `item ${i}`, tags: ["a", "b"], n: i }),
    });
    if (res.status !== 201)
      throw new Error(`seeding item ${id}: expected 201, got ${res.status} ${await res.text()}`);
  }
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  const results = [
    {
      ...(await compare("ping (POST /dynamodbmanager)", local.stage.apiUrl, baseline.url, ping)),
      goal: 0.25,
    },
    { ...(await compare("read-heavy CRUD mix", local.stage.apiUrl, baseline.url, crudMix)), goal: 0.7 },
    // One connection: the stage's own cost per request, without the scheduling contention of many processes.
    {
      ...(await compare("read-heavy CRUD mix, 1 connection", local.stage.apiUrl, baseline.url, crudMix, 1)),
      goal: 0.7,
    },
  ];
  const crud = results[1];
  const crudShareNeeded = crud
    ? (0.7 * crud.stage.cpuMsPerRequest) / crud.baseline.cpuMsPerRequest
    : Number.NaN;
  const row = (r: Rate) =>
    `${r.requestsPerSecond.toFixed(0)} | ${r.cpuMsPerRequest.toFixed(2)} | ${r.environmentCpuMsPerRequest.toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.non2xx} | ${r.errors}`;
  const lines = [
    "## Local stage: full stage vs the handler in-process",
    "",
    "Command: `npm run perf -- stage.perf` (stage/stage.perf.ts). autocannon, " +
      `${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s per target after a warm-up of ` +
      `${WARMUP_REQUESTS_PER_CONNECTION.toLocaleString("en")} requests per connection (at most ${WARMUP_MAX_S} s) on ` +
      `each target, in one process (load average ${loadBefore.toFixed(1)} at the start, ` +
      `${os.loadavg()[0]?.toFixed(1)} at the end, on ${os.cpus().length} cores); ` +
      `function at ${MEMORY_MB} MB with CPU scaling off (the stage's own overhead, not Lambda's CPU share); ` +
      `baseline: node:http + the same handler in-process on the same dynalite; ${ITEMS} items seeded.`,
    "",
    "| workload | target | req/s | CPU ms/request | of which in environments | p50 ms | p99 ms | non-2xx | errors |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...results.flatMap((r) => [
      `| ${r.name} | full stage | ${row(r.stage)} |`,
      `| ${r.name} | in-process | ${row(r.baseline)} |`,
    ]),
    "",
    "| workload | ratio stage / in-process (median of rounds) | each round | goal | met | CPU per request, in-process / stage |",
    "| --- | ---: | --- | ---: | --- | ---: |",
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.ratio.toFixed(2)}× | ${r.ratios.map((x) => x.toFixed(2)).join(", ")} | ≥ ${r.goal}× | ` +
        `${r.ratio >= r.goal ? "yes" : "no"} | ${(r.baseline.cpuMsPerRequest / r.stage.cpuMsPerRequest).toFixed(2)}× |`,
    ),
    "",
    "CPU ms/request: user + system time of everything the target ran (this process, which also runs autocannon " +
      "and dynalite for both targets, plus the stage's execution environments, from /proc), over the requests " +
      "served. Other tenants of the machine change it far less than they change req/s.",
    "",
    "The mix is 90 % GET /items/{id}, 5 % PUT /items/{id}, 5 % POST /items over the seeded keys. Each request " +
      "in flight needs its own execution environment (a process), so a stage request crosses processes four " +
      "times (front, environment, dynalite, environment, front) where the baseline crosses none.",
    "",
    "Reading the figures: both targets run in this process's scheduling group, so on a shared machine they get " +
      "about the same CPU time and the req/s ratio follows the CPU-per-request ratio. The stage's own work per " +
      "request (front, emulator, IPC, runtime) is the ping row's difference; the rest of the CRUD difference is " +
      "the handler and its SDK client running in environment processes: each is its own V8 (JIT and inline " +
      "caches warm per process, and at 8 connections each sees an eighth of the requests), and each request " +
      "wakes it twice (the invocation, dynalite's answer) with caches cooled by the other processes. In one " +
      "process the same GET costs ~0.5 ms of CPU with dynalite included, bundled or not. A process per " +
      "environment is Lambda's model; at this CPU cost per request the CRUD goal of 0.7× needs the stage to get " +
      `${crudShareNeeded.toFixed(1)}× the baseline's CPU time (both cores of an otherwise idle machine).`,
  ];
  console.log(lines.join("\n"));
} finally {
  await baseline.close();
  await local.stop();
}
