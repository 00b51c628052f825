/**
 * Merged scripts check exactly what the separate ones did: the real Newman against a real node:http server on
 * 127.0.0.1, and our collection's shape after the merge.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mergedLines, mergeScripts } from "./merge-scripts.ts";
import { readCollection, runNewman } from "./run-collection.ts";

interface Ev {
  listen: string;
  script: { type?: string; exec: string[]; src?: string };
}
interface It {
  name: string;
  item?: It[];
  event?: Ev[];
  request?: unknown;
}

const test = (...exec: string[]): Ev => ({ listen: "test", script: { type: "text/javascript", exec } });
const request = (name: string, event: Ev[] = []): It => ({
  name,
  event,
  request: { method: "GET", url: "{{baseUrl}}/anything" },
});

/** A collection-level test that passes, one that throws, a folder-level test and two requests. */
function sample() {
  return {
    info: {
      name: "merge sample",
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    event: [
      test(
        'const level = "collection";',
        'pm.test("collection-level check", () => pm.expect(level).to.eql("collection"));',
      ),
      test('if (pm.info.requestName === "throws") throw new Error("collection-level boom");'),
    ],
    item: [
      {
        name: "folder",
        event: [
          test(
            'const level = "folder";',
            'pm.test("folder-level check", () => pm.response.to.have.status(200));',
          ),
        ],
        item: [
          request("plain", [
            test(
              'const level = "request";',
              'pm.test("request check", () => pm.expect(level).to.eql("request"));',
            ),
          ]),
          request("throws", [test('pm.test("runs after a throw", () => pm.response.to.have.status(200));')]),
        ],
      },
      request("no scripts of its own"),
    ] as It[],
  };
}

let server: Server;
let baseUrl = "";
beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("mergeScripts", () => {
  it("moves collection and folder scripts into each request, in Postman's order, leaving the input alone", () => {
    const input = sample();
    const merged = mergeScripts(input);
    expect(merged.event).toEqual([]);
    const folder = merged.item[0] as It;
    expect(folder.event).toEqual([]);
    const plain = folder.item?.[0]?.event?.find((e) => e.listen === "test")?.script.exec.join("\n") ?? "";
    const order = [
      "collection-level check",
      "collection-level boom",
      "folder-level check",
      "request check",
    ].map((text) => plain.indexOf(text));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // A request without scripts of its own still gets the collection's.
    const bare = (merged.item[1] as It).event?.find((e) => e.listen === "test")?.script.exec.join("\n") ?? "";
    expect(bare).toContain("collection-level check");
    expect(bare).not.toContain("folder-level check");
    expect(input.event).toHaveLength(2);
  });

  it("leaves a collection with a script loaded by reference as it is", () => {
    const input = sample();
    input.event.push({ listen: "test", script: { src: "https://example.invalid/script.js", exec: [] } });
    expect(mergeScripts(input)).toEqual(input);
  });

  it("keeps a single part as it is", () => {
    expect(mergedLines([["a;", "b;"]])).toEqual(["a;", "b;"]);
  });

  it("checks the same through the real Newman: every assertion, and the thrown error still fails the run", async () => {
    const [separate, merged] = await Promise.all(
      [false, true].map((mergeScripts) =>
        runNewman({ baseUrl, collection: sample(), environment: { values: [] }, mergeScripts }),
      ),
    );
    if (!separate || !merged) throw new Error("no run");
    const names = (s: typeof separate) =>
      s.run.executions
        .flatMap((e) =>
          (e.assertions ?? []).map((a) => `${e.item.name}: ${a.assertion} ${a.error ? "failed" : "passed"}`),
        )
        .sort();
    expect(names(merged)).toEqual(names(separate));
    expect(names(merged)).toHaveLength(7);
    expect(merged.run.stats.assertions.total).toBe(separate.run.stats.assertions.total);
    expect(merged.run.stats.scripts.total).toBeLessThan(separate.run.stats.scripts.total ?? 0);
    const errors = (s: typeof separate) =>
      s.run.failures.map((f) => f.error.message).filter((m) => /boom/.test(m));
    expect(errors(merged)).toEqual(["collection-level boom"]);
    expect(errors(separate)).toEqual(["collection-level boom"]);
  });

  it("our collection: no script outside a request after the merge, the request-id check in every request", () => {
    const merged = mergeScripts(readCollection()) as { event?: Ev[]; item: It[] };
    expect(merged.event ?? []).toEqual([]);
    const requests = merged.item.flatMap((folder) => folder.item ?? []);
    expect(requests.length).toBeGreaterThan(40);
    for (const r of requests) {
      const tests = (r.event ?? []).filter((e) => e.listen === "test");
      expect(tests, r.name).toHaveLength(1);
      expect(tests[0]?.script.exec.join("\n"), r.name).toContain("x-amzn-RequestId header is present");
    }
  });
});
