/**
 * Workload files: the schema and the compiler's one-line errors, the generators, and the common-random-numbers
 * rule of the planned sequence (same seed, same requests; targets exist by construction; the reuse gap; a
 * deleted entity is never targeted again). Real files: the bundled CRUD workload and the notes test app's.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CRUD_WORKLOAD_PATH, loadWorkloadFile, parseWorkloadFile } from "./file.ts";
import { buildWorkloadSequence } from "./plan.ts";

const NOTES = fileURLToPath(new URL("../../test/apps/notes/workload.yaml", import.meta.url));

const MINIMAL = `
version: 1
entities:
  thing: { fields: { id: "{{id}}" } }
routes:
  - { name: make, method: POST, path: /things, creates: thing, body: { id: "{{thing.id}}" } }
  - { name: get, method: GET, path: "/things/{{thing.id}}", uses: thing }
`;

/** The first error line a workload text gives. */
function errorOf(text: string, file = "w.yaml"): string {
  try {
    parseWorkloadFile(text, file);
  } catch (error) {
    return (error as Error).message;
  }
  return "no error";
}

describe("workload file errors: one line naming the file and the field", () => {
  it.each([
    [
      "a method that does not exist",
      MINIMAL.replace("method: GET", "method: FETCH"),
      'invalid workload w.yaml: routes[1].method: must be one of GET, POST, PUT, PATCH, DELETE; got "FETCH"',
    ],
    [
      "an unknown field",
      MINIMAL.replace("uses: thing", "uses: thing, wieght: 3"),
      "routes[1].wieght: no such field",
    ],
    ["no version", MINIMAL.replace("version: 1", ""), "invalid workload w.yaml: version: is required"],
    ["version 2", MINIMAL.replace("version: 1", "version: 2"), "version: must be 1; got 2"],
    [
      "a path without a slash",
      MINIMAL.replace("path: /things,", "path: things,"),
      'routes[0].path: must match pattern "^/"',
    ],
    [
      "a negative weight",
      MINIMAL.replace("uses: thing", "uses: thing, weight: -1"),
      "routes[1].weight: must be >= 0; got -1",
    ],
    [
      "an unknown generator",
      MINIMAL.replace('"/things/{{thing.id}}"', '"/things/{{uuid}}"'),
      'routes[1].path: unknown generator "{{uuid}}"',
    ],
    [
      "a field of an entity the route does not name",
      MINIMAL.replace(", uses: thing }", " }"),
      "routes[1].path: {{thing.id}}: the route names no entity; add creates, uses or deletes: thing",
    ],
    [
      "an entity that is not declared",
      MINIMAL.replace("uses: thing", "uses: thin"),
      'routes[1].uses: no entity "thin" under entities; known: thing',
    ],
    [
      "{{id}} in a route",
      MINIMAL.replace('"/things/{{thing.id}}"', '"/things/{{id}}"'),
      "routes[1].path: {{id}} belongs in an entity's fields",
    ],
    [
      "a bad int()",
      MINIMAL.replace('"{{id}}"', '"{{int(5, 1)}}"'),
      "entities.thing.fields.id: int(5, 1): expected whole numbers with min ≤ max",
    ],
    ["YAML that does not parse", "version: 1\nroutes: [", "invalid workload w.yaml: is not valid YAML"],
    [
      "reset: api without a route that deletes",
      MINIMAL.replace("version: 1", "version: 1\nreset: api"),
      'reset: "api" needs a route that deletes each entity; none deletes thing: add one, or use reset: snapshot',
    ],
    [
      "a use of something nothing makes",
      MINIMAL.replace('creates: thing, body: { id: "{{thing.id}}" }', 'body: { id: "x" }'),
      'routes[1].uses: nothing makes a "thing": seed some',
    ],
  ])("%s", (_name, text, expected) => {
    const message = errorOf(text);
    expect(message).toContain(expected);
    expect(message).not.toContain("\n");
  });

  it("names the path of a file that cannot be read, and JSON files parse as JSON", () => {
    expect(() => loadWorkloadFile("/nonexistent/w.yaml")).toThrow(
      "invalid workload /nonexistent/w.yaml: cannot be read (ENOENT): check the path given to --workload",
    );
    expect(errorOf("{ not json", "w.json")).toContain("invalid workload w.json: is not valid JSON");
    const json = JSON.stringify({ version: 1, routes: [{ name: "ping", method: "GET", path: "/ping" }] });
    expect(parseWorkloadFile(json, "w.json").routes[0]?.operation).toBe("list");
  });
});

describe("reset", () => {
  it("is api when every entity has a route that deletes it, else snapshot; the API plan undoes the sequence", () => {
    expect(parseWorkloadFile(MINIMAL, "w.yaml").reset).toBe("snapshot");
    const crud = loadWorkloadFile(CRUD_WORKLOAD_PATH);
    expect(crud.reset).toBe("api");
    const sequence = buildWorkloadSequence(crud, { seed: 9, count: 300, reuseGapRequests: 10 });
    const reset = sequence.reset;
    // Every created item is deleted, with 404 accepted (the sequence may have deleted it already).
    expect(reset?.created.map((r) => `${r.method} ${r.path}`)).toEqual(
      sequence.createdIds.map((id) => `DELETE /items/${id}`),
    );
    expect(new Set(reset?.created.map((r) => r.expectedStatuses.join(",")))).toEqual(
      new Set(["204,200,404"]),
    );
    // Each changed seeded item is deleted and seeded again with its seed request, byte for byte.
    expect(reset?.changedSeeds.map((c) => c.remove.path)).toEqual(
      sequence.changedPreseedIds.map((id) => `/items/${id}`),
    );
    for (const { seed } of reset?.changedSeeds ?? []) expect(sequence.seedRequests).toContainEqual(seed);
    const changers = sequence.requests.filter(
      (r) => r.id?.includes("-s") && (r.operation === "update" || r.operation === "delete"),
    );
    expect(new Set(changers.map((r) => r.id))).toEqual(new Set(sequence.changedPreseedIds));
    expect(reset?.seeds).toHaveLength(64);
  });
});

describe("generators", () => {
  it("draw ints, strings, picks and numbers within their bounds, typed in bodies", () => {
    const workload = parseWorkloadFile(
      `
version: 1
routes:
  - name: post
    method: POST
    path: "/u/{{int(3, 5)}}"
    query: { q: "{{pick(a, b)}}" }
    body: { n: "{{int(1, 9)}}", x: "{{number(0, 1)}}", s: "{{string(4, 6)}}", t: "n{{int(1, 2)}}", i: "{{index}}" }
`,
      "g.yaml",
    );
    const sequence = buildWorkloadSequence(workload, { seed: 7, count: 200 });
    for (const request of sequence.requests) {
      expect(request.path).toMatch(/^\/u\/[345]\?q=[ab]$/);
      const body = JSON.parse(request.body as string) as Record<string, unknown>;
      expect(body["n"]).toBeTypeOf("number");
      expect(body["n"] as number).toBeGreaterThanOrEqual(1);
      expect(body["n"] as number).toBeLessThanOrEqual(9);
      expect(body["x"] as number).toBeGreaterThanOrEqual(0);
      expect(body["x"] as number).toBeLessThanOrEqual(1);
      expect(body["s"]).toMatch(/^[a-z0-9]{4,6}$/);
      expect(body["t"]).toMatch(/^n[12]$/);
      expect(body["i"]).toBe(request.index);
    }
    expect(new Set(sequence.requests.map((r) => r.path)).size).toBe(6);
  });

  it("{{fill}} brings a body to its drawn size in bytes", () => {
    const workload = loadWorkloadFile(CRUD_WORKLOAD_PATH);
    const sequence = buildWorkloadSequence(workload, { seed: 3, count: 500 });
    const sizes = sequence.requests.filter((r) => r.body).map((r) => Buffer.byteLength(r.body as string));
    expect(sizes.length).toBeGreaterThan(100);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(64);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(8192);
    const fixed = loadWorkloadFile(NOTES);
    const replace = buildWorkloadSequence(fixed, { seed: 3, count: 500 }).requests.filter(
      (r) => r.route === "replaceNote",
    );
    expect(replace.length).toBeGreaterThan(10);
    for (const r of replace) expect(Buffer.byteLength(r.body as string)).toBe(600);
  });
});

describe("the planned sequence: common random numbers", () => {
  const notes = loadWorkloadFile(NOTES);
  const options = { seed: 11, count: 600, reuseGapRequests: 20 };

  it("is the same for the same seed, byte for byte, and differs for another seed", () => {
    const a = JSON.stringify(buildWorkloadSequence(notes, options));
    expect(JSON.stringify(buildWorkloadSequence(loadWorkloadFile(NOTES), options))).toBe(a);
    expect(JSON.stringify(buildWorkloadSequence(notes, { ...options, seed: 12 }))).not.toBe(a);
  });

  it("targets only entities that exist, never one in use within the gap, never one deleted", () => {
    const sequence = buildWorkloadSequence(notes, options);
    expect(sequence.seedRequests).toHaveLength(40);
    const alive = new Set(sequence.seedRequests?.map((r) => r.id));
    const lastUse = new Map<string, number>();
    for (const request of sequence.requests) {
      const id = request.id as string;
      if (request.route === "createNote") {
        expect(alive.has(id)).toBe(false);
        alive.add(id);
      } else if (request.route !== "listNotes") {
        expect(alive.has(id), `${request.route} ${id} at ${request.index}`).toBe(true);
        const last = lastUse.get(id);
        if (last !== undefined) expect(request.index - last).toBeGreaterThanOrEqual(20);
        if (request.route === "deleteNote") alive.delete(id);
      }
      lastUse.set(id, request.index);
      // Nested path parameters of the entity itself: /users/<its user>/notes/<its id>.
      if (request.route === "getNote")
        expect(request.path).toMatch(/^\/users\/user-\d+\/notes\/pb[0-9a-z]+-[sc]\d+$/);
    }
    expect(sequence.createdIds.length).toBeGreaterThan(0);
  });

  it("weights routes by their weight and counts them under their operation", () => {
    const sequence = buildWorkloadSequence(notes, { ...options, count: 4000 });
    const share = (route: string) => sequence.requests.filter((r) => r.route === route).length / 4000;
    expect(share("getNote")).toBeGreaterThan(0.4);
    expect(share("getNote")).toBeLessThan(0.5);
    expect(share("deleteNote")).toBeGreaterThan(0.05);
    expect(share("deleteNote")).toBeLessThan(0.11);
    const ops = new Set(sequence.requests.map((r) => `${r.route}:${r.operation}`));
    expect([...ops].sort()).toEqual([
      "createNote:create",
      "deleteNote:delete",
      "getNote:read",
      "listNotes:list",
      "replaceNote:update",
    ]);
  });

  it("warms up with GET routes that change nothing", () => {
    const warmup = buildWorkloadSequence(notes, { ...options, kind: "warmup" });
    expect(new Set(warmup.requests.map((r) => r.method))).toEqual(new Set(["GET"]));
    expect(warmup.createdIds).toEqual([]);
  });

  it("the bundled CRUD workload keeps the service's mix", () => {
    const crud = buildWorkloadSequence(loadWorkloadFile(CRUD_WORKLOAD_PATH), { seed: 1, count: 5000 });
    const count = (operation: string) => crud.requests.filter((r) => r.operation === operation).length / 5000;
    expect(count("read")).toBeCloseTo(0.5, 1);
    expect(count("create")).toBeCloseTo(0.2, 1);
    expect(count("update")).toBeCloseTo(0.15, 1);
    expect(count("list")).toBeCloseTo(0.1, 1);
    expect(crud.seedRequests).toHaveLength(64);
    expect(crud.requests.find((r) => r.operation === "list")?.path).toBe("/items?limit=25");
  });
});

describe("docs/workload.md", () => {
  it("its complete example is the notes app's workload file, and valid", async () => {
    const { readFileSync } = await import("node:fs");
    const { parse } = await import("yaml");
    const doc = readFileSync(fileURLToPath(new URL("../../docs/workload.md", import.meta.url)), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    expect(parse(example)).toEqual(parse(readFileSync(NOTES, "utf8")));
    expect(parseWorkloadFile(example, "docs/workload.md").routes).toHaveLength(5);
  });
});
