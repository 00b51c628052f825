/**
 * The table put back through the API (ApiTableState, the bundled CRUD workload file's reset: api), against a
 * small in-memory CRUD server on 127.0.0.1 (real HTTP): exactly what the sequence changed is restored, nothing
 * else is touched, and an API that does not answer as the workload's routes get one clear error.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CRUD_WORKLOAD_PATH, loadWorkloadFile } from "../../loadtests/workload/file.ts";
import { buildWorkloadSequence } from "../../loadtests/workload/plan.ts";
import { ApiTableState, TableStateError } from "./table-state.ts";

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A CRUD server over a Map, answering as the service does; `broken` answers 500 to everything. */
async function crud(items: Map<string, string>, broken = false): Promise<string> {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      if (broken) return res.writeHead(500).end();
      const id = /^\/prod\/items\/(.+)$/.exec(req.url ?? "")?.[1];
      if (req.method === "POST") {
        const created = (JSON.parse(body) as { id: string }).id;
        if (items.has(created)) return res.writeHead(409).end();
        items.set(created, body);
        return res.writeHead(201).end();
      }
      if (!id || !items.has(id)) return res.writeHead(404).end();
      if (req.method === "PUT" || req.method === "PATCH") items.set(id, body);
      if (req.method === "DELETE") items.delete(id);
      return res.writeHead(200).end();
    });
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}/prod`;
}

const crudWorkload = loadWorkloadFile(CRUD_WORKLOAD_PATH);
const sequence = buildWorkloadSequence(
  { ...crudWorkload, seed: crudWorkload.seed.map((s) => ({ ...s, count: 20 })) },
  { seed: 3, count: 400, reuseGapRequests: 10 },
);

/** What the table holds after the sequence ran as planned. */
function afterRun(items: Map<string, string>): void {
  for (const r of sequence.requests) {
    if (r.operation === "create" || r.operation === "update") items.set(r.id as string, r.body as string);
    if (r.operation === "delete") items.delete(r.id as string);
  }
}

describe("ApiTableState", () => {
  it("prepare creates the preseed items; reset puts back exactly what the sequence changed; cleanup removes all", async () => {
    const items = new Map<string, string>([["someone-elses-item", "{}"]]);
    const state = new ApiTableState(sequence, { apiUrl: await crud(items) });
    await state.prepare();
    const seeded = new Map(items);
    expect(seeded.size).toBe(21);
    afterRun(items);
    expect(items).not.toEqual(seeded);
    expect(sequence.changedPreseedIds.length).toBeGreaterThan(0);
    await state.reset();
    expect(items).toEqual(seeded);
    await state.cleanup();
    expect([...items.keys()]).toEqual(["someone-elses-item"]);
  });

  it("an API that does not answer as the CRUD contract gets one error saying what to check", async () => {
    const state = new ApiTableState(sequence, { apiUrl: await crud(new Map(), true) });
    await expect(state.reset()).rejects.toThrow(TableStateError);
    await expect(state.reset()).rejects.toThrow(
      /resetting the table for the next setting: DELETE \/items\/pb3-c\d+ \(route delete\) answered 500; expected 204 or 200 or 404/,
    );
  });
});
