/**
 * A server with KNOWN injected latency, for comparing load engines against server-side truth: request n (in
 * arrival order) is answered after `delayMs(n)`, with the status the CRUD workload expects for its method
 * (POST 201, DELETE 204, else 200), and the server times each request itself, from its arrival (headers read)
 * to the end of its answer, into an HDR histogram (µs). 127.0.0.1, port 0; run it in its own process
 * (`startLatencyServerProcess`) when the load generator may stall the test's event loop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Histogram } from "hdr-histogram-js";
import { newLatencyHistogram } from "../latency-histogram.ts";

/**
 * The step distribution of the agreement test and benchmark, by arrival index modulo 50: 40 % 20 ms, 50 % 50 ms,
 * 6 % 120 ms, 4 % 200 ms. Its p50 is 50 ms, p95 120 ms and p99 200 ms, each well inside a step (the cumulative
 * shares are 40, 90, 96, 100 %), so a percentile off by a step is obvious.
 */
export function stepDelayMs(index: number): number {
  const slot = index % 50;
  if (slot < 20) return 20;
  if (slot < 45) return 50;
  if (slot < 48) return 120;
  return 200;
}

export const STEP_PERCENTILES_MS = { p50: 50, p95: 120, p99: 200 } as const;

export interface LatencyServer {
  url: string;
  /** Server-side durations (µs) since the last reset. */
  histogram(): Histogram;
  /** Requests answered since the last reset. */
  answered(): number;
  reset(): void;
  close(): Promise<void>;
}

const statusFor = (method: string | undefined) => (method === "POST" ? 201 : method === "DELETE" ? 204 : 200);

export async function startLatencyServer(
  delayMs: (index: number) => number = stepDelayMs,
): Promise<LatencyServer> {
  let histogram = newLatencyHistogram("run");
  let index = 0;
  let answered = 0;
  const server = http.createServer((req, res) => {
    const arrivedNs = process.hrtime.bigint();
    const delay = delayMs(index++);
    req.resume();
    const answer = () => {
      res.writeHead(statusFor(req.method), { "content-type": "application/json", "content-length": 2 });
      res.end("{}", () => {
        histogram.recordValue(Math.max(1, Number((process.hrtime.bigint() - arrivedNs) / 1000n)));
        answered += 1;
      });
    };
    // Node schedules a timer from the event loop's cached clock, so it can fire up to ~1 ms before `delay` has
    // passed on hrtime; wait out the remainder so no answer leaves before its injected delay.
    const waitOut = () => {
      const leftMs = delay - Number(process.hrtime.bigint() - arrivedNs) / 1e6;
      if (leftMs > 0) setTimeout(waitOut, Math.max(1, Math.ceil(leftMs)));
      else answer();
    };
    req.on("end", () => setTimeout(waitOut, delay));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/prod`,
    histogram: () => histogram,
    answered: () => answered,
    reset() {
      histogram = newLatencyHistogram("run");
      index = 0;
      answered = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Server-side figures as the child process reports them. */
export interface ServerFigures {
  answered: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

/** The latency server in a child process, so a stall of the test's own event loop does not stall it. */
export async function startLatencyServerProcess(): Promise<{
  url: string;
  child: ChildProcess;
  figures(): Promise<ServerFigures>;
  reset(): Promise<void>;
  close(): Promise<void>;
}> {
  const child = spawn(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname, "--serve"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`latency server exited with ${code}`)));
  });
  const [url = "", control = ""] = line.split("|");
  return {
    url,
    child,
    figures: async () => (await (await fetch(`${control}/__figures`)).json()) as ServerFigures,
    reset: async () => {
      await fetch(`${control}/__reset`);
    },
    close: async () => {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

// As a child process: serve, with /__figures and /__reset on a second (control) port.
if (process.argv.includes("--serve")) {
  const server = await startLatencyServer();
  const control = http.createServer((req, res) => {
    if (req.url === "/__reset") server.reset();
    const h = server.histogram();
    const at = (p: number) => h.getValueAtPercentile(p) / 1000;
    res.end(JSON.stringify({ answered: server.answered(), p50Ms: at(50), p95Ms: at(95), p99Ms: at(99) }));
  });
  await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
  console.log(`${server.url}|http://127.0.0.1:${(control.address() as AddressInfo).port}`);
}
