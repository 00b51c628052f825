/**
 * A small in-memory CRUD server for the engine tests and benchmark: the API's routes and statuses, on
 * 127.0.0.1 port 0, with an injectable per-request delay (a distribution or a stall). Not the real service.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface TestServerOptions {
  /** Delay before answering, in ms, per request (e.g. drawn from a distribution). @default none */
  delayMs?: (requestIndex: number) => number;
  /** Answer every request with 200 "hello" without routing (for the benchmark). */
  hello?: boolean;
}

export interface TestServer {
  url: string;
  /** Requests received so far. */
  readonly received: () => number;
  /** Makes every answer wait until `resume` is called (a server stall). */
  stall(): void;
  resume(): void;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res
    .writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    .end(text);
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const items = new Map<string, Record<string, unknown>>();
  let received = 0;
  let stalled: Array<() => void> | undefined;

  const route = (req: http.IncomingMessage, res: http.ServerResponse, bodyText: string) => {
    if (options.hello) {
      res.writeHead(200, { "content-type": "text/plain", "content-length": 5 }).end("hello");
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/prod\/items(?:\/([A-Za-z0-9_-]{1,128}))?$/.exec(url.pathname);
    if (!match) return send(res, 404, { error: { code: "NotFound", message: "no route", requestId: "t" } });
    const id = match[1];
    const body = bodyText ? (JSON.parse(bodyText) as Record<string, unknown>) : {};
    if (!id && req.method === "POST") {
      const newId = String(body["id"] ?? `s${received}`);
      items.set(newId, { ...body, id: newId });
      return send(res, 201, items.get(newId));
    }
    if (!id && req.method === "GET") {
      const limit = Number(url.searchParams.get("limit") ?? 25);
      return send(res, 200, { items: [...items.values()].slice(0, limit), cursor: null });
    }
    if (!id) return send(res, 405, { error: { code: "MethodNotAllowed", message: "", requestId: "t" } });
    const item = items.get(id);
    if (!item) return send(res, 404, { error: { code: "NotFound", message: "no item", requestId: "t" } });
    if (req.method === "GET") return send(res, 200, item);
    if (req.method === "PUT") {
      items.set(id, { ...body, id });
      return send(res, 200, items.get(id));
    }
    if (req.method === "PATCH") {
      items.set(id, { ...item, ...body, id });
      return send(res, 200, items.get(id));
    }
    if (req.method === "DELETE") {
      items.delete(id);
      return send(res, 204);
    }
    return send(res, 405, { error: { code: "MethodNotAllowed", message: "", requestId: "t" } });
  };

  const server = http.createServer((req, res) => {
    const index = received++;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const answer = () => route(req, res, Buffer.concat(chunks).toString("utf8"));
      const delay = options.delayMs?.(index) ?? 0;
      // Node schedules a timer from the event loop's cached clock, so it can fire up to ~1 ms before `delay` has
      // passed on hrtime (19.7 ms seen for 20 ms); wait out the remainder so no answer leaves before its delay.
      const afterStall = () => {
        if (delay <= 0) return answer();
        const startNs = process.hrtime.bigint();
        const waitOut = () => {
          const leftMs = delay - Number(process.hrtime.bigint() - startNs) / 1e6;
          if (leftMs > 0) setTimeout(waitOut, Math.max(1, Math.ceil(leftMs)));
          else answer();
        };
        setTimeout(waitOut, delay);
      };
      if (stalled) stalled.push(afterStall);
      else afterStall();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const resume = () => {
    const waiting = stalled ?? [];
    stalled = undefined;
    for (const go of waiting) go();
  };
  return {
    url: `http://127.0.0.1:${port}/prod`,
    received: () => received,
    stall() {
      stalled ??= [];
    },
    resume,
    async close() {
      resume();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
