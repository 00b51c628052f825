/**
 * Common random numbers and exact attribution in REAL k6: given a request sequence, k6 sends request
 * `iterationInTest` of it, so two runs send exactly the same requests; the `x-lambda-request-id` of every answer
 * comes back in the run result. A recording server on 127.0.0.1 plays the API (it answers each request with
 * the sequence's expected status and an id header, except every fifth answer, which has none).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realK6 } from "../../test-support/real-k6.ts";
import { createK6Engine } from "./engine.ts";
import type { SequenceFile, SequenceFileRequest } from "./sequence.ts";

const K6 = realK6("loadtests/engines/k6/sequence.integration.test.ts");

interface Received {
  method: string;
  url: string;
  body: string;
}

let server: http.Server;
let target: string;
let received: Received[] = [];
const sentIds: string[] = [];
let answers = 0;

/** A sequence of `count` requests: creates, then reads, updates, a list and deletes of the created ids. */
function sequenceOf(count: number): SequenceFile {
  const requests: SequenceFileRequest[] = [];
  for (let index = 0; index < count; index++) {
    const id = `cr-c${Math.floor(index / 4) + 1}`;
    const body = `{"id":"${id}","name":"item ${id}","payload":"${"x".repeat(index % 7)}"}`;
    const kind = index % 4;
    if (kind === 0)
      requests.push({
        index,
        operation: "create",
        method: "POST",
        path: "/items",
        body,
        id,
        expectedStatuses: [201],
      });
    else if (kind === 1)
      requests.push({
        index,
        operation: "read",
        method: "GET",
        path: `/items/${id}`,
        id,
        expectedStatuses: [200],
      });
    else if (kind === 2 && index % 8 === 2)
      requests.push({
        index,
        operation: "list",
        method: "GET",
        path: "/items?limit=25",
        expectedStatuses: [200],
      });
    else if (kind === 2)
      requests.push({
        index,
        operation: "update",
        method: "PUT",
        path: `/items/${id}`,
        body,
        id,
        expectedStatuses: [200],
      });
    else
      requests.push({
        index,
        operation: "delete",
        method: "DELETE",
        path: `/items/${id}`,
        id,
        expectedStatuses: [204],
      });
  }
  return { format: 1, seed: 42, kind: "measure", idPrefix: "cr", requests };
}

const statusOf = (method: string) => (method === "POST" ? 201 : method === "DELETE" ? 204 : 200);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString("utf8");
    });
    req.on("end", () => {
      received.push({ method: req.method ?? "", url: req.url ?? "", body });
      answers += 1;
      const headers: Record<string, string> = {};
      if (answers % 5 !== 0) {
        const id = `0000-lambda-${answers}`;
        sentIds.push(id);
        headers["x-lambda-request-id"] = id;
      }
      res.writeHead(statusOf(req.method ?? ""), headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe.skipIf(!K6)("request sequences and Lambda request ids in real k6", () => {
  it("two runs send exactly the sequence's requests; every answer's x-lambda-request-id is in the result", async () => {
    const engine = createK6Engine({ binary: K6 as string });
    const sequence = sequenceOf(40);
    const runs: Received[][] = [];
    for (const seed of [1, 2]) {
      received = [];
      sentIds.length = 0;
      answers = 0;
      // 40 arrivals: 20/s for 2 s. Different seeds: the sequence decides, not the seed.
      const result = await engine.run({
        target,
        profile: "baseline",
        ratePerSec: 20,
        durationMs: 2000,
        seed,
        sequence,
      } as never);
      expect(result.overall.requests).toBe(40);
      expect(result.overall.errorCount).toBe(0);
      expect(result.sequence).toEqual({ seed: 42, kind: "measure", idPrefix: "cr", requests: 40 });
      expect([...(result.lambdaRequestIds ?? [])].sort()).toEqual([...sentIds].sort());
      expect(result.lambdaRequestIds).toHaveLength(32);
      expect(result.responsesWithoutLambdaRequestId).toBe(8);
      runs.push(received);
    }
    const key = (r: Received) => `${r.method} ${r.url} ${r.body}`;
    const expected = sequence.requests.map((r) => `${r.method} /prod${r.path} ${r.body ?? ""}`).sort();
    expect(runs[0]?.map(key).sort()).toEqual(expected);
    expect(runs[1]?.map(key).sort()).toEqual(expected);
  }, 60_000);

  it("iterations past the end of the sequence send nothing, are not counted, and are reported", async () => {
    const warnings: string[] = [];
    const engine = createK6Engine({ binary: K6 as string, onWarning: (m) => warnings.push(m) });
    received = [];
    const result = await engine.run({
      target,
      profile: "baseline",
      ratePerSec: 20,
      durationMs: 1000,
      sequence: sequenceOf(5),
    } as never);
    expect(received).toHaveLength(5);
    expect(result.overall.requests).toBe(5);
    expect(result.iterations.completed).toBe(5);
    // 20 arrivals (k6 may start one more or fewer on a busy machine), 5 requests.
    expect(warnings, JSON.stringify(warnings)).toEqual([
      expect.stringMatching(
        /k6 started 1[0-9] iteration\(s\) past the end of the 5-request sequence; they sent nothing/,
      ),
    ]);
  }, 60_000);
});
