/**
 * Structure of the committed collection and environments: Postman v2.1, the three folders, tests on every
 * request, fresh ids per run, bodies that are JSON where they should be. Reads the real files.
 */
import Ajv from "ajv";
import { describe, expect, it } from "vitest";
import { CONCURRENT_FOLDERS_VARIABLE, concurrentFolders } from "./concurrent-folders.ts";
import { AWS_ENVIRONMENT_PATH, LOCAL_ENVIRONMENT_PATH, readCollection } from "./run-collection.ts";

interface Script {
  listen: string;
  script: { exec: string[] };
}
interface RequestItem {
  name: string;
  event?: Script[];
  request: { method: string; url: string | { raw: string }; body?: { mode: string; raw: string } };
}
interface Folder {
  name: string;
  item: RequestItem[];
}

const collection = readCollection() as unknown as {
  info: { name: string; schema: string };
  item: Folder[];
  variable: { key: string; value: string }[];
};
const folders = collection.item;
const requests = folders.flatMap((folder) => folder.item.map((item) => ({ folder: folder.name, item })));

function script(item: RequestItem, listen: "test" | "prerequest"): string {
  return (item.event ?? [])
    .filter((event) => event.listen === listen)
    .flatMap((event) => event.script.exec)
    .join("\n");
}
function url(item: RequestItem): string {
  return typeof item.request.url === "string" ? item.request.url : item.request.url.raw;
}
function folder(name: string): RequestItem[] {
  const found = folders.find((f) => f.name === name);
  if (!found) throw new Error(`folder "${name}" is missing: expected it in the collection`);
  return found.item;
}

describe("the Postman collection", () => {
  it("is a Postman v2.1 collection with the three folders", () => {
    expect(collection.info.schema).toBe(
      "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    );
    expect(folders.map((f) => f.name)).toEqual(["REST CRUD lifecycle", "Command API", "Bad input"]);
    for (const f of folders) expect(f.item.length, f.name).toBeGreaterThan(0);
  });

  it("drops the list walk's seen ids when the walk ends, so a big table does not slow every later script", () => {
    const walk = folder("REST CRUD lifecycle").find((item) => item.name === "List items (follow the cursor)");
    if (!walk) throw new Error('"List items (follow the cursor)" is missing');
    const tests = script(walk, "test");
    const end = tests.indexOf("} else {");
    expect(end).toBeGreaterThan(0);
    expect(tests.slice(end)).toContain('pm.collectionVariables.unset("listSeenIds")');
  });

  it("gives every request a test script with pm.test and an assertion", () => {
    for (const { folder: folderName, item } of requests) {
      const tests = script(item, "test");
      expect(tests, `${folderName} / ${item.name}`).toMatch(/pm\.test\(/);
      expect(tests, `${folderName} / ${item.name}`).toMatch(/pm\.expect\(|pm\.response\.to\./);
    }
  });

  it("names requests uniquely and sends every one to {{baseUrl}}", () => {
    const names = requests.map(({ item }) => item.name);
    expect(new Set(names).size).toBe(names.length);
    for (const { item } of requests) expect(url(item), item.name).toMatch(/^\{\{baseUrl\}\}\//);
  });

  it("only loops to requests that exist (setNextRequest targets)", () => {
    const names = new Set(requests.map(({ item }) => item.name));
    const targets = requests.flatMap(({ item }) =>
      [...script(item, "test").matchAll(/setNextRequest\("([^"]+)"\)/g)].map((m) => m[1]),
    );
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) expect(names.has(target as string), target).toBe(true);
  });

  it("walks the REST lifecycle in order: create, read, update, patch, list, delete, read 404", () => {
    const order = folder("REST CRUD lifecycle").map((item) => `${item.request.method} ${url(item)}`);
    const steps = [
      "POST {{baseUrl}}/items",
      "GET {{baseUrl}}/items/{{itemId}}",
      "PUT {{baseUrl}}/items/{{itemId}}",
      "PATCH {{baseUrl}}/items/{{itemId}}",
      "GET {{baseUrl}}/items?limit={{pageLimit}}",
      "DELETE {{baseUrl}}/items/{{itemId}}",
    ];
    const positions = steps.map((step) => order.indexOf(step));
    for (const [i, position] of positions.entries()) expect(position, steps[i]).toBeGreaterThanOrEqual(0);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const deleteAt = positions[5] as number;
    const readAfterDelete = order.indexOf("GET {{baseUrl}}/items/{{itemId}}", deleteAt);
    expect(readAfterDelete).toBeGreaterThan(deleteAt);
    const readAfterDeleteItem = folder("REST CRUD lifecycle")[readAfterDelete] as RequestItem;
    expect(script(readAfterDeleteItem, "test")).toContain("pm.response.to.have.status(404)");
    // The list request follows the cursor.
    const list = folder("REST CRUD lifecycle").find((item) => url(item).includes("limit={{pageLimit}}"));
    expect(script(list as RequestItem, "prerequest")).toContain("cursor");
    expect(script(list as RequestItem, "test")).toMatch(/setNextRequest\("List items/);
  });

  it("covers every operation of the command API", () => {
    const operations = folder("Command API").map((item) => {
      const body = JSON.parse(item.request.body?.raw ?? "{}") as { operation?: string };
      expect(url(item)).toBe("{{baseUrl}}/dynamodbmanager");
      return body.operation;
    });
    expect(new Set(operations)).toEqual(
      new Set(["create", "read", "update", "delete", "list", "echo", "ping"]),
    );
  });

  it("expects a 4xx and the error body shape for every bad input", () => {
    const bad = folder("Bad input");
    expect(bad.length).toBeGreaterThanOrEqual(15);
    for (const item of bad) {
      const tests = script(item, "test");
      expect(tests, item.name).toMatch(/pm\.response\.to\.have\.status\(4\d\d\)/);
      expect(tests, item.name).toContain(
        'pm.response.to.have.jsonSchema(JSON.parse(pm.collectionVariables.get("errorSchema")), { validateSchema: false })',
      );
      expect(tests, item.name).toMatch(/error code is \w+/);
    }
    const names = bad.map((item) => item.name).join("\n");
    for (const topic of [
      /malformed json/i,
      /missing/i,
      /wrong-typed/i,
      /oversized/i,
      /unknown operation/i,
      /foreign tablename/i,
      /injection/i,
    ]) {
      expect(names).toMatch(topic);
    }
  });

  it("builds the oversized bodies in pre-request scripts (over 400 KB)", () => {
    const oversized = folder("Bad input").filter((item) => /oversized item \(/i.test(item.name));
    expect(oversized.length).toBe(2);
    for (const item of oversized) {
      const pre = script(item, "prerequest");
      const size = /repeat\((\d+) \* 1024\)/.exec(pre);
      expect(size, item.name).not.toBeNull();
      expect(Number(size?.[1]) * 1024).toBeGreaterThan(400 * 1024);
      expect(item.request.body?.raw).toContain("{{oversizedBlob}}");
    }
  });

  it("creates fresh ids per run from {{$guid}} at the start of the CRUD and command folders", () => {
    for (const name of ["REST CRUD lifecycle", "Command API"]) {
      const first = folder(name)[0] as RequestItem;
      expect(script(first, "prerequest"), name).toContain('pm.variables.replaceIn("{{$guid}}")');
    }
  });

  it("sends JSON bodies everywhere except where malformed JSON is the point", () => {
    for (const { item } of requests) {
      const raw = item.request.body?.raw;
      if (raw === undefined) continue;
      const substituted = raw.replace(/\{\{[^}]+\}\}/g, "x");
      if (/malformed/i.test(item.name)) expect(() => JSON.parse(substituted), item.name).toThrow();
      else expect(() => JSON.parse(substituted), item.name).not.toThrow();
    }
  });

  it("holds its JSON schemas as parseable collection variables, valid against the meta-schema", () => {
    // The requests check bodies with { validateSchema: false } (no meta-schema compile per assertion): the
    // schemas themselves are checked here, once, by a strict Ajv.
    const ajv = new Ajv({ strict: true });
    const variables = new Map(collection.variable.map((v) => [v.key, v.value]));
    for (const key of ["itemSchema", "listSchema", "errorSchema"]) {
      const schema = JSON.parse(variables.get(key) ?? "null") as { type?: string };
      expect(schema?.type, key).toBe("object");
      expect(ajv.validateSchema(schema), `${key}: ${ajv.errorsText()}`).toBe(true);
      expect(() => ajv.compile(schema), key).not.toThrow();
    }
    // Every schema assertion skips the meta-schema check, and names one of these schemas.
    const assertions = requests.flatMap(
      ({ item }) => script(item, "test").match(/jsonSchema\([^;]*;/g) ?? [],
    );
    expect(assertions.length).toBeGreaterThanOrEqual(40);
    for (const assertion of assertions)
      expect(assertion).toMatch(
        /^jsonSchema\(JSON\.parse\(pm\.collectionVariables\.get\("(item|list|error)Schema"\)\), \{ validateSchema: false \}\);$/,
      );
  });

  it("declares its folders independent: each reads only variables it sets itself or the collection defines", () => {
    // Prepare: what the collection and the environments define; `{{$guid}}` and friends are Postman's own.
    expect(concurrentFolders(collection)).toEqual(folders.map((f) => f.name));
    const defined = new Set([
      ...collection.variable.map((v) => v.key),
      ...[LOCAL_ENVIRONMENT_PATH, AWS_ENVIRONMENT_PATH].flatMap((file) =>
        (readCollection(file) as unknown as { values: { key: string }[] }).values.map((v) => v.key),
      ),
    ]);
    expect(defined.has(CONCURRENT_FOLDERS_VARIABLE)).toBe(true);
    for (const f of folders) {
      // Act: every variable the folder's requests and scripts read, and every one its scripts set.
      const text = JSON.stringify(f.item);
      const read = new Set(
        [
          ...text.matchAll(/\{\{([A-Za-z_][\w]*)\}\}/g),
          ...text.matchAll(/pm\.(?:collectionVariables|variables|environment)\.get\(\\"(\w+)\\"\)/g),
        ].map((m) => m[1] as string),
      );
      const set = new Set(
        [...text.matchAll(/pm\.collectionVariables\.set\(\\"(\w+)\\"/g)].map((m) => m[1] as string),
      );
      // Assess
      const foreign = [...read].filter((name) => !set.has(name) && !defined.has(name));
      expect(foreign, `${f.name} reads variables another folder would have to set`).toEqual([]);
      expect(set.size + read.size, f.name).toBeGreaterThan(0);
    }
  });
});

describe("the environments", () => {
  const values = (path: string) =>
    new Map(
      (readCollection(path) as unknown as { values: { key: string; value: string }[] }).values.map((v) => [
        v.key,
        v.value,
      ]),
    );

  it("local points baseUrl at the local stage on 127.0.0.1 and names the table", () => {
    const local = values(LOCAL_ENVIRONMENT_PATH);
    expect(local.get("baseUrl")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/prod$/);
    expect(local.get("tableName")).toMatch(/^[A-Za-z0-9_.-]{3,255}$/);
  });

  it("aws holds placeholders for the stack's outputs", () => {
    const aws = values(AWS_ENVIRONMENT_PATH);
    expect(aws.get("baseUrl")).toMatch(/^https:\/\/REPLACE_WITH_API_ID\.execute-api\./);
    expect(aws.get("tableName")).toContain("REPLACE_WITH");
  });
});
