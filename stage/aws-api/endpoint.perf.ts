/**
 * Benchmark of the local AWS endpoint (npm run perf -- endpoint.perf): prints a Markdown section.
 *
 * 1. Invoke of a trivial handler (stage/lambda/test-functions/trivial.mjs) through @aws-sdk/client-lambda against
 *    the endpoint vs `LocalLambda.invoke()` in-process, on the same emulator and warm environments, alternating
 *    rounds so machine noise hits both alike. The ratio is the cost of the wire layer (SDK + HTTP + REST-JSON);
 *    a third row sends the same request with a bare HTTP client (undici) to tell the SDK's share from ours, and a
 *    fourth calls the handler itself in this process (with the same JSON parse and stringify): the issue's
 *    reference, against which the whole path (SDK → endpoint → environment process) is measured.
 * 2. GetMetricData through @aws-sdk/client-cloudwatch with 200,000 stored data points (100,000 in the queried
 *    series) vs `MetricStore.query()` in-process for the same five statistics.
 *
 * Bounded: every loop has a count and a time budget. Usage: npx tsx stage/aws-api/endpoint.perf.ts
 */
import os from "node:os";
import path from "node:path";
import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { Pool } from "undici";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { TEST_FUNCTIONS_DIR } from "../lambda/test-support/memory-sinks.ts";
import { LOCAL_ENDPOINT_CREDENTIALS, startAwsEndpoint } from "./endpoint.ts";
import { signedHeaders } from "./sigv4.ts";
import { localClients } from "./test-support/clients.ts";

const CONCURRENCY = 4;
const ROUNDS = 3;
const ROUND_BUDGET = { invocations: 3000, durationMs: 3000 };
const METRIC_POINTS = 100_000;
const METRIC_QUERIES = 60;

interface Run {
  count: number;
  durationMs: number;
  latenciesMs: number[];
}

/** Runs `call` from CONCURRENCY workers until the round's count or time budget is spent. */
async function measure(call: () => Promise<void>): Promise<Run> {
  const latenciesMs: number[] = [];
  const startMs = performance.now();
  let started = 0;
  const worker = async () => {
    while (started < ROUND_BUDGET.invocations && performance.now() - startMs < ROUND_BUDGET.durationMs) {
      started++;
      const t = performance.now();
      await call();
      latenciesMs.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { count: latenciesMs.length, durationMs: performance.now() - startMs, latenciesMs };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function combine(runs: Run[]): { rate: number; p50Ms: number; p99Ms: number; count: number } {
  const count = runs.reduce((s, r) => s + r.count, 0);
  const durationMs = runs.reduce((s, r) => s + r.durationMs, 0);
  const all = runs.flatMap((r) => r.latenciesMs);
  return { rate: (count / durationMs) * 1000, p50Ms: percentile(all, 50), p99Ms: percentile(all, 99), count };
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

async function benchInvoke(lines: string[]): Promise<void> {
  const lambda = new LocalLambda({
    metricSink: new MetricStore(),
    logSink: new LogStore(),
    cpuScaling: "off",
  });
  const endpoint = await startAwsEndpoint({ lambda, metrics: new MetricStore(), logs: new LogStore() });
  const clients = localClients(endpoint.url);
  try {
    await lambda.createFunction({
      FunctionName: "trivial",
      Handler: "trivial.handler",
      MemorySize: 1769,
      Code: { LocalPath: TEST_FUNCTIONS_DIR },
    });
    const trivial = (await import(path.join(TEST_FUNCTIONS_DIR, "trivial.mjs"))) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const context = { awsRequestId: "in-process", getRemainingTimeInMillis: () => 3000 };
    const payload = JSON.stringify({ id: "42", op: "ping" });
    const inProcess = async () => {
      const outcome = await lambda.invoke({ functionName: "trivial", payload });
      if (outcome.status !== "ok") throw new Error(`in-process invoke failed: ${JSON.stringify(outcome)}`);
    };
    const bytes = new TextEncoder().encode(payload);
    const viaSdk = async () => {
      const out = await clients.lambda.send(new InvokeCommand({ FunctionName: "trivial", Payload: bytes }));
      if (out.StatusCode !== 200 || out.FunctionError)
        throw new Error(`SDK invoke failed: ${out.FunctionError}`);
    };
    const pool = new Pool(endpoint.url, { connections: CONCURRENCY });
    // Signed once (a signature stays valid 15 minutes): the endpoint verifies it on every request, the client
    // does not pay for signing, as a bare HTTP client would not.
    const invokePath = "/2015-03-31/functions/trivial/invocations";
    const signed = await signedHeaders(
      { method: "POST", url: new URL(invokePath, endpoint.url), headers: {}, body: payload },
      LOCAL_ENDPOINT_CREDENTIALS,
    );
    const viaHttp = async () => {
      const res = await pool.request({ method: "POST", path: invokePath, headers: signed, body: payload });
      await res.body.text();
      if (res.statusCode !== 200 || res.headers["x-amz-function-error"])
        throw new Error(`HTTP invoke failed: ${res.statusCode}`);
    };
    const handlerInProcess = async () => {
      JSON.stringify(await trivial.handler(JSON.parse(payload), context));
    };
    // Warm up: CONCURRENCY environments, and the connection pools.
    await measure(inProcess);
    await measure(viaSdk);
    await measure(viaHttp);
    await measure(handlerInProcess);
    const local: Run[] = [];
    const sdk: Run[] = [];
    const bare: Run[] = [];
    const handler: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      local.push(await measure(inProcess));
      sdk.push(await measure(viaSdk));
      bare.push(await measure(viaHttp));
      handler.push(await measure(handlerInProcess));
    }
    await pool.close();
    const a = combine(local);
    const b = combine(sdk);
    const c = combine(bare);
    const h = combine(handler);
    lines.push(
      "### Invoke: SDK client → endpoint vs LocalLambda.invoke() in-process",
      "",
      `Trivial handler (trivial.mjs), ${CONCURRENCY} concurrent callers, ${ROUNDS} alternating rounds of up to ${ROUND_BUDGET.invocations} invocations / ${ROUND_BUDGET.durationMs / 1000} s each, same warm environments.`,
      "",
      "| path | invocations | invokes/s | p50 ms | p99 ms |",
      "| --- | ---: | ---: | ---: | ---: |",
      `| in-process \`lambda.invoke()\` | ${a.count} | ${fmt(a.rate, 0)} | ${fmt(a.p50Ms)} | ${fmt(a.p99Ms)} |`,
      `| \`@aws-sdk/client-lambda\` → endpoint | ${b.count} | ${fmt(b.rate, 0)} | ${fmt(b.p50Ms)} | ${fmt(b.p99Ms)} |`,
      `| bare HTTP (undici) → endpoint | ${c.count} | ${fmt(c.rate, 0)} | ${fmt(c.p50Ms)} | ${fmt(c.p99Ms)} |`,
      `| the handler called in this process | ${h.count} | ${fmt(h.rate, 0)} | ${fmt(h.p50Ms, 4)} | ${fmt(h.p99Ms, 4)} |`,
      "",
      `**Ratio (SDK through the endpoint / in-process): ${fmt(b.rate / a.rate)}×** the in-process rate; ` +
        `bare HTTP through the endpoint: ${fmt(c.rate / a.rate)}×. Client, endpoint and emulator share this process ` +
        "and its core, so the SDK client's own CPU counts against the SDK row.",
      "",
      `Against the handler called in this process (the issue's reference; goal ≥ 0.25×): SDK through the endpoint ${fmt(b.rate / h.rate, 4)}×, ` +
        `bare HTTP ${fmt(c.rate / h.rate, 4)}×, \`LocalLambda.invoke()\` ${fmt(a.rate / h.rate, 4)}×. A call in this process costs well under ` +
        "a microsecond; any invocation that crosses into the environment's own process pays a round trip between processes " +
        "first (see the Lambda emulator section for that floor), so this goal is out of reach by design.",
      "",
    );
  } finally {
    clients.destroy();
    await endpoint.close();
    await lambda.close();
  }
}

async function benchGetMetricData(lines: string[]): Promise<void> {
  const metrics = new MetricStore();
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0);
  const spanS = 1000;
  const dims = { FunctionName: "crud", Resource: "crud:bench", ExecutedVersion: "7" };
  for (let i = 0; i < METRIC_POINTS; i++) {
    const timestampMs = t0 + Math.floor((i * spanS * 1000) / METRIC_POINTS);
    const value = 5 + ((i * 7919) % 1000) / 10;
    metrics.put({
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions: dims,
      value,
      unit: "Milliseconds",
      timestampMs,
    });
    // Noise: the same number of points in another series the query must not see.
    metrics.put({
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions: { ...dims, ExecutedVersion: "6" },
      value,
      unit: "Milliseconds",
      timestampMs,
    });
  }
  const lambda = new LocalLambda({ metricSink: metrics, logSink: new LogStore(), cpuScaling: "off" });
  const endpoint = await startAwsEndpoint({ lambda, metrics, logs: new LogStore() });
  const clients = localClients(endpoint.url);
  const stats = ["Average", "Sum", "p50", "p90", "p99"];
  try {
    const results: string[] = [];
    for (const periodS of [spanS, 60]) {
      const queries: MetricDataQuery[] = stats.map((stat, i) => ({
        Id: `q${i}`,
        MetricStat: {
          Metric: {
            Namespace: "AWS/Lambda",
            MetricName: "Duration",
            Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
          },
          Period: periodS,
          Stat: stat,
        },
      }));
      const inProcess = () => {
        for (const stat of stats) {
          metrics.query({
            namespace: "AWS/Lambda",
            metricName: "Duration",
            dimensions: dims,
            stat,
            periodSeconds: periodS,
            startMs: t0,
            endMs: t0 + spanS * 1000,
          });
        }
      };
      const local: number[] = [];
      const sdk: number[] = [];
      // A point after the window invalidates the store's per-series period cache: every call is measured cold.
      const invalidate = () =>
        metrics.put({
          namespace: "AWS/Lambda",
          metricName: "Duration",
          dimensions: dims,
          value: 1,
          unit: "Milliseconds",
          timestampMs: t0 + (spanS + 5) * 1000,
        });
      const budgetStart = performance.now();
      for (let i = 0; i < METRIC_QUERIES && performance.now() - budgetStart < 30_000; i++) {
        invalidate();
        let t = performance.now();
        inProcess();
        local.push(performance.now() - t);
        invalidate();
        t = performance.now();
        const out = await clients.cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: new Date(t0),
            EndTime: new Date(t0 + spanS * 1000),
            MetricDataQueries: queries,
          }),
        );
        sdk.push(performance.now() - t);
        if ((out.MetricDataResults?.[0]?.Values?.length ?? 0) === 0)
          throw new Error("GetMetricData returned no data");
      }
      const a = percentile(local, 50);
      const b = percentile(sdk, 50);
      results.push(
        `| ${periodS === spanS ? "1 period (whole window)" : `${Math.ceil(spanS / periodS)} periods of ${periodS} s`} | ${sdk.length} | ${fmt(a)} | ${fmt(b)} | ${fmt(percentile(sdk, 99))} | ${fmt(b / a)}× |`,
      );
    }
    lines.push(
      "### GetMetricData with 200,000 stored points",
      "",
      `${METRIC_POINTS.toLocaleString("en-US")} Duration points in the queried series over ${spanS} s (plus as many in a sibling series), 5 statistics per call (${stats.join(", ")}).`,
      "",
      "| query | calls | in-process p50 ms | SDK → endpoint p50 ms | SDK p99 ms | ratio SDK / in-process |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...results,
      "",
    );
  } finally {
    clients.destroy();
    await endpoint.close();
    await lambda.close();
  }
}

const lines: string[] = [
  "## Local AWS endpoint (stage/aws-api/endpoint.perf.ts)",
  "",
  "Command: `npm run perf -- endpoint.perf`",
  "",
  `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}, Node ${process.version}.`,
  "",
];
await benchInvoke(lines);
await benchGetMetricData(lines);
console.log(lines.join("\n"));
