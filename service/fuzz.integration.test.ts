/**
 * Property tests against dynalite: whatever a client sends, the service answers with a deliberate status
 * (never a 500), a well-formed error body when it refuses, and stores exactly what it accepted.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningDynalite, startDynalite } from "./test-support/dynalite.ts";
import type { EventInput } from "./test-support/events.ts";
import { useLocalDynamoDbEnvironment } from "./test-support/local-env.ts";
import { type ServiceClient, serviceClient } from "./test-support/service-client.ts";

const TABLE = "fuzz-items";
let db: RunningDynalite;
let restoreEnvironment: (() => void) | undefined;
let service: ServiceClient;

beforeAll(async () => {
  db = await startDynalite();
  await db.createItemsTable(TABLE);
  restoreEnvironment = useLocalDynamoDbEnvironment(db.endpoint, TABLE);
  service = serviceClient();
  await service.http("1.0", { method: "POST", path: "/items", body: { id: "target", v: 1 } });
});
afterAll(async () => {
  restoreEnvironment?.();
  await db?.stop();
});

const DELIBERATE = [200, 201, 400, 404, 405, 409, 413];

async function expectDeliberate(input: EventInput): Promise<void> {
  const answer = await service.http("1.0", input);
  expect(
    DELIBERATE,
    `${input.method} ${input.path} → ${answer.status} ${JSON.stringify(answer.body)}`,
  ).toContain(answer.status);
  if (answer.status >= 400) {
    expect(Object.keys(answer.body.error).sort()).toEqual(["code", "message", "requestId"]);
  }
}

const routes = fc.constantFrom<[string, string]>(
  ["POST", "/items"],
  ["PUT", "/items/target"],
  ["PATCH", "/items/target"],
  ["POST", "/dynamodbmanager"],
);

describe("no client input is a 500", () => {
  it("arbitrary JSON values as bodies", async () => {
    await fc.assert(
      fc.asyncProperty(routes, fc.jsonValue({ maxDepth: 4 }), async ([method, path], body) => {
        await expectDeliberate({ method, path, body: JSON.stringify(body) });
      }),
      { numRuns: 150 },
    );
  });

  it("arbitrary text as bodies", async () => {
    await fc.assert(
      fc.asyncProperty(
        routes,
        fc.string({ unit: "grapheme", maxLength: 60 }),
        async ([method, path], body) => {
          await expectDeliberate({ method, path, body });
        },
      ),
      { numRuns: 100 },
    );
  });

  it("commands with arbitrary payloads for every operation", async () => {
    const operation = fc.constantFrom("create", "read", "update", "delete", "list", "echo", "ping", "other");
    await fc.assert(
      fc.asyncProperty(operation, fc.jsonValue({ maxDepth: 3 }), async (op, payload) => {
        await expectDeliberate({
          method: "POST",
          path: "/dynamodbmanager",
          body: { operation: op, payload },
        });
      }),
      { numRuns: 150 },
    );
  });

  it("arbitrary ids, limits and cursors in paths and queries", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), fc.string({ maxLength: 12 }), async (text, query) => {
        const segment = encodeURIComponent(text);
        await expectDeliberate({ method: "GET", path: `/items/${segment}` });
        await expectDeliberate({ method: "DELETE", path: `/items/${segment}x` });
        await expectDeliberate({ method: "GET", path: `/items?limit=${encodeURIComponent(query)}` });
        await expectDeliberate({ method: "GET", path: `/items?cursor=${encodeURIComponent(query)}` });
      }),
      { numRuns: 100 },
    );
  });
});

it("stores exactly the attributes it accepted, whatever their names and values", async () => {
  const attributeName = fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((n) => n !== "id" && n !== "__proto__");
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(attributeName, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
      async (attributes) => {
        const created = await service.http("1.0", { method: "POST", path: "/items", body: attributes });
        if (created.status !== 201) {
          expect(created.status).toBe(400); // e.g. a number outside the accepted range
          return;
        }
        const read = await service.http("1.0", { method: "GET", path: `/items/${created.body.id}` });
        // JSON round trip: -0 reads back as 0, which JSON cannot tell apart anyway.
        expect(read.body).toEqual(JSON.parse(JSON.stringify({ ...attributes, id: created.body.id })));
      },
    ),
    { numRuns: 100 },
  );
});
