/**
 * The load tool of stage.perf.ts in its own process: autocannon, driven over IPC, so the CPU of the process that
 * runs the targets (the stage's front, emulator and dynalite) does not include the load tool's. One message in
 * (a `LoadOrder`), one message out (a `LoadOutcome`); the process exits when its parent disconnects.
 *
 * Usage: forked by stage/stage.perf.ts; not a command.
 */
import { createRequire } from "node:module";

/** The request shapes of the benchmark. */
export type Workload = "ping" | "get" | "crud";

export interface LoadOrder {
  url: string;
  workload: Workload;
  connections: number;
  /** Seconds of load; ignored when `amount` is set. */
  durationS: number;
  /** Requests in all (a warm-up), bounded by `maxS`. */
  amount?: number;
  maxS: number;
  /** Keys `perf-0` … `perf-<items-1>` are seeded. */
  items: number;
}

export interface LoadOutcome {
  requestsPerSecond: number;
  total: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

/** autocannon ships no types: the part of its API used here. */
type Autocannon = (options: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  requests: { setupRequest: (request: Record<string, unknown>) => Record<string, unknown> }[];
}) => PromiseLike<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}> & { stop: () => void };

type RequestSpec = { method: string; path: string; body?: string };

let counter = 0;
/** The next request of a workload (the same sequence for every target). */
function nextRequest(workload: Workload, items: number): RequestSpec {
  counter++;
  const id = `perf-${counter % items}`;
  if (workload === "ping") return { method: "POST", path: "/dynamodbmanager", body: '{"operation":"ping"}' };
  if (workload === "get") return { method: "GET", path: `/items/${id}` };
  // 90 % GET /items/{id}, 5 % PUT /items/{id}, 5 % POST /items.
  const roll = counter % 20;
  if (roll === 0) return { method: "PUT", path: `/items/${id}`, body: JSON.stringify({ id, n: counter }) };
  if (roll === 10) return { method: "POST", path: "/items", body: JSON.stringify({ n: counter }) };
  return { method: "GET", path: `/items/${id}` };
}

async function run(order: LoadOrder): Promise<LoadOutcome> {
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  const basePath = new URL(order.url).pathname;
  const running = autocannon({
    url: order.url,
    connections: order.connections,
    ...(order.amount !== undefined ? { amount: order.amount } : { duration: order.durationS }),
    requests: [
      {
        setupRequest: (request) => {
          const spec = nextRequest(order.workload, order.items);
          return {
            ...request,
            method: spec.method,
            path: `${basePath}${spec.path}`,
            headers: { "content-type": "application/json" },
            body: spec.body,
          };
        },
      },
    ],
  });
  const cap = setTimeout(() => running.stop(), order.maxS * 1000);
  const result = await running;
  clearTimeout(cap);
  return {
    requestsPerSecond: result.requests.average,
    total: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

process.on("message", (order: LoadOrder) => {
  run(order).then(
    (outcome) => process.send?.({ ok: true, outcome }),
    (error: unknown) => process.send?.({ ok: false, message: String(error) }),
  );
});
process.on("disconnect", () => process.exit(0));
