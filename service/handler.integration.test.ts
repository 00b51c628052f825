/**
 * The handler in-process against dynalite (127.0.0.1, port 0, in memory) with the real SDK, configured only
 * through the environment (TABLE_NAME, AWS_ENDPOINT_URL_DYNAMODB), as on Lambda.
 */
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LAMBDA_REQUEST_ID_HEADER } from "./headers.ts";
import { type RunningDynalite, startDynalite } from "./test-support/dynalite.ts";
import { useLocalDynamoDbEnvironment } from "./test-support/local-env.ts";
import { type EventFormat, type ServiceClient, serviceClient } from "./test-support/service-client.ts";

const TABLE = "crud-items";
let db: RunningDynalite;
let restoreEnvironment: (() => void) | undefined;
let service: ServiceClient;

beforeAll(async () => {
  db = await startDynalite();
  await db.createItemsTable(TABLE);
  restoreEnvironment = useLocalDynamoDbEnvironment(db.endpoint, TABLE);
  service = serviceClient();
});
afterAll(async () => {
  restoreEnvironment?.();
  await db?.stop();
});

it("the installed SDK honours AWS_ENDPOINT_URL_DYNAMODB (no endpoint in code)", async () => {
  const client = new DynamoDBClient({});
  try {
    const tables = await client.send(new ListTablesCommand({}));
    expect(tables.TableNames).toContain(TABLE);
  } finally {
    client.destroy();
  }
});

it("reuses one keep-alive connection for sequential requests", async () => {
  const fresh = serviceClient();
  await fresh.http("1.0", { method: "GET", path: "/items/warm-up" });
  const before = db.connectionCount();
  for (let i = 0; i < 5; i++) await fresh.http("1.0", { method: "GET", path: `/items/k${i}` });
  expect(db.connectionCount() - before).toBe(0);
});

describe.each<EventFormat>(["1.0", "2.0"])("REST routes through API Gateway payload format %s", (format) => {
  const id = `item-${format.replace(".", "")}`;

  it("POST /items creates with the client's id: 201, location, 1 WCU in headers and log", async () => {
    const answer = await service.http(format, {
      method: "POST",
      path: "/items",
      body: { id, name: "first", n: 1 },
    });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id, name: "first", n: 1 });
    expect(answer.headers).toMatchObject({
      "content-type": "application/json",
      location: `/items/${id}`,
      "x-consumed-rcu": "0",
      "x-consumed-wcu": "1",
    });
    expect(answer.logs).toHaveLength(1);
    expect(answer.logs[0]).toMatchObject({
      level: "info",
      msg: "request",
      route: "POST /items",
      method: "POST",
      status: 201,
      consumedRcu: 0,
      consumedWcu: 1,
    });
    expect(answer.logs[0].durationMs).toBeTypeOf("number");
    expect(answer.headers["x-request-id"]).toBe(answer.logs[0].requestId);
    // The Lambda request id, for the tuner's exact attribution (docs/api.md).
    expect(answer.headers[LAMBDA_REQUEST_ID_HEADER]).toMatch(/^req-\d+$/);
    expect(answer.headers[LAMBDA_REQUEST_ID_HEADER]).toBe(answer.logs[0].requestId);
  });

  it("stores numbers at the edges of the accepted range exactly", async () => {
    const numbers = { max: 9007199254740991, min: -9007199254740991, tiny: 1e-130, frac: 123.456, zero: 0 };
    const body = { id: `${id}-numbers`, ...numbers };
    expect((await service.http(format, { method: "POST", path: "/items", body })).status).toBe(201);
    const read = await service.http(format, { method: "GET", path: `/items/${id}-numbers` });
    expect(read.body).toEqual(body);
  });

  it("POST /items without id generates a UUID", async () => {
    const answer = await service.http(format, { method: "POST", path: "/items", body: { name: "anon" } });
    expect(answer.status).toBe(201);
    expect(answer.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const read = await service.http(format, { method: "GET", path: `/items/${answer.body.id}` });
    expect(read.body).toEqual({ id: answer.body.id, name: "anon" });
  });

  it("POST /items of an existing id is 409 Conflict and leaves the item alone", async () => {
    const answer = await service.http(format, {
      method: "POST",
      path: "/items",
      body: { id, name: "second" },
    });
    expect(answer.status).toBe(409);
    expect(answer.body.error).toMatchObject({ code: "Conflict", requestId: answer.logs[0].requestId });
    expect(answer.body.error.message).toContain(`item "${id}" already exists`);
    const read = await service.http(format, { method: "GET", path: `/items/${id}` });
    expect(read.body.name).toBe("first");
  });

  it("GET /items/{id} reads it with 0.5 RCU (eventually consistent)", async () => {
    const answer = await service.http(format, { method: "GET", path: `/items/${id}` });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, name: "first", n: 1 });
    expect(answer.headers["x-consumed-rcu"]).toBe("0.5");
    expect(answer.logs[0]).toMatchObject({ route: "GET /items/{id}", consumedRcu: 0.5, consumedWcu: 0 });
  });

  it("PUT /items/{id} replaces the whole item", async () => {
    const answer = await service.http(format, {
      method: "PUT",
      path: `/items/${id}`,
      body: { name: "replaced" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, name: "replaced" });
    const read = await service.http(format, { method: "GET", path: `/items/${id}` });
    expect(read.body).toEqual({ id, name: "replaced" });
  });

  it("PATCH /items/{id} sets and removes attributes and returns the new item", async () => {
    const answer = await service.http(format, {
      method: "PATCH",
      path: `/items/${id}`,
      body: { name: null, color: "red", doc: { a: [1, 2] } },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, color: "red", doc: { a: [1, 2] } });
    expect(answer.headers["x-consumed-wcu"]).toBe("1");
  });

  it("PATCH accepts the item's own id in the body (as the load engine sends it) and leaves it alone", async () => {
    const answer = await service.http(format, {
      method: "PATCH",
      path: `/items/${id}`,
      body: { id, size: "m" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, color: "red", doc: { a: [1, 2] }, size: "m" });
    const undo = await service.http(format, { method: "PATCH", path: `/items/${id}`, body: { size: null } });
    expect(undo.body).toEqual({ id, color: "red", doc: { a: [1, 2] } });
  });

  it("stores attribute names that look like expressions literally (placeholders, no injection)", async () => {
    const name = "#n = :v, REMOVE id";
    const answer = await service.http(format, {
      method: "PATCH",
      path: `/items/${id}`,
      body: { [name]: "literal" },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id, color: "red", doc: { a: [1, 2] }, [name]: "literal" });
  });

  it("PATCH that would grow the item past 400 KB is 413 and changes nothing", async () => {
    const half = "x".repeat(250 * 1024);
    const first = await service.http(format, { method: "PATCH", path: `/items/${id}`, body: { a: half } });
    expect(first.status).toBe(200);
    const second = await service.http(format, { method: "PATCH", path: `/items/${id}`, body: { b: half } });
    expect(second.status).toBe(413);
    expect(second.body.error.code).toBe("PayloadTooLarge");
    const read = await service.http(format, { method: "GET", path: `/items/${id}` });
    expect(read.body.b).toBeUndefined();
    expect(
      (await service.http(format, { method: "PATCH", path: `/items/${id}`, body: { a: null } })).status,
    ).toBe(200);
  });

  it("DELETE /items/{id} returns the deleted item; a second DELETE and a GET are 404", async () => {
    const deleted = await service.http(format, { method: "DELETE", path: `/items/${id}` });
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(id);
    const again = await service.http(format, { method: "DELETE", path: `/items/${id}` });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("NotFound");
    const read = await service.http(format, { method: "GET", path: `/items/${id}` });
    expect(read.status).toBe(404);
    expect(read.body.error.message).toBe(`item "${id}" does not exist: create it with POST /items first`);
  });

  it("PUT and PATCH of a missing item are 404 and create nothing", async () => {
    const put = await service.http(format, { method: "PUT", path: "/items/never-made", body: { a: 1 } });
    const patch = await service.http(format, { method: "PATCH", path: "/items/never-made", body: { a: 1 } });
    expect([put.status, patch.status]).toEqual([404, 404]);
    const read = await service.http(format, { method: "GET", path: "/items/never-made" });
    expect(read.status).toBe(404);
  });

  it("answers a known path with another method with 405 and an Allow header", async () => {
    const answer = await service.http(format, { method: "DELETE", path: "/items" });
    expect(answer.status).toBe(405);
    expect(answer.headers["allow"]).toBe("POST, GET");
    expect(answer.body.error.code).toBe("MethodNotAllowed");
  });
});

describe("GET /items pagination", () => {
  const PAGES_TABLE = "paged-items";
  let paged: ServiceClient;
  beforeAll(async () => {
    await db.createItemsTable(PAGES_TABLE);
    paged = serviceClient({ config: { tableName: PAGES_TABLE } });
    for (let i = 0; i < 7; i++) {
      const created = await paged.http("1.0", { method: "POST", path: "/items", body: { id: `p${i}`, i } });
      expect(created.status).toBe(201);
    }
  });

  it.each<EventFormat>(["1.0", "2.0"])(
    "walks every item exactly once in pages of 3 (format %s)",
    async (format) => {
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 10; page++) {
        const query: string = cursor ? `?limit=3&cursor=${cursor}` : "?limit=3";
        const answer = await paged.http(format, { method: "GET", path: `/items${query}` });
        expect(answer.status).toBe(200);
        expect(Number(answer.headers["x-consumed-rcu"])).toBeGreaterThan(0);
        pageSizes.push(answer.body.items.length);
        seen.push(...answer.body.items.map((item: { id: string }) => item.id));
        cursor = answer.body.cursor;
        if (cursor === null) break;
      }
      expect(cursor).toBeNull();
      expect(seen.sort()).toEqual(["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
      expect(pageSizes.slice(0, 2)).toEqual([3, 3]);
    },
  );

  it("uses the default page size without limit, and rejects a forged cursor with 400", async () => {
    const all = await paged.http("1.0", { method: "GET", path: "/items" });
    expect(all.body.items).toHaveLength(7);
    expect(all.body.cursor).toBeNull();
    const forged = Buffer.from(JSON.stringify({ id: "p1", i: { N: "1" } })).toString("base64url");
    const answer = await paged.http("1.0", { method: "GET", path: `/items?cursor=${forged}` });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("ValidationError");
  });
});

describe("concurrent creates of one id", () => {
  it("lets exactly one of 12 win; the others get 409 and the stored item is the winner's", async () => {
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        service.http(i % 2 === 0 ? "1.0" : "2.0", {
          method: "POST",
          path: "/items",
          body: { id: "contended", writer: i },
        }),
      ),
    );
    const statuses = attempts.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    const winner = attempts.find((a) => a.status === 201);
    const read = await service.http("1.0", { method: "GET", path: "/items/contended" });
    expect(read.body).toEqual(winner?.body);
  });
});

describe("the command API at POST /dynamodbmanager and on direct invocation", () => {
  const viaHttp = async (body: unknown) =>
    service.http("1.0", { method: "POST", path: "/dynamodbmanager", body });

  it("serves every operation over HTTP with the tutorial's payloads", async () => {
    const create = await viaHttp({
      operation: "create",
      tableName: TABLE,
      payload: { Item: { id: "cmd1", number: 5 } },
    });
    expect(create.status).toBe(200);
    expect(create.body).toEqual({ Item: { id: "cmd1", number: 5 } });
    expect(create.logs[0]).toMatchObject({
      route: "POST /dynamodbmanager",
      operation: "create",
      consumedWcu: 1,
    });
    expect(create.headers["x-consumed-wcu"]).toBe("1");

    const read = await viaHttp({ operation: "read", tableName: TABLE, payload: { Key: { id: "cmd1" } } });
    expect(read.body).toEqual({ Item: { id: "cmd1", number: 5 } });

    const update = await viaHttp({
      operation: "update",
      payload: { Key: { id: "cmd1" }, AttributeUpdates: { number: { Value: 10 }, extra: { Value: "x" } } },
    });
    expect(update.body).toEqual({ Attributes: { id: "cmd1", number: 10, extra: "x" } });

    const list = await viaHttp({ operation: "list", payload: { Limit: 100 } });
    expect(list.body.Items).toContainEqual({ id: "cmd1", number: 10, extra: "x" });
    expect(list.body.Count).toBe(list.body.Items.length);

    const echo = await viaHttp({ operation: "echo", payload: { somekey1: "somevalue1" } });
    expect(echo.body).toEqual({ somekey1: "somevalue1" });
    const ping = await viaHttp({ operation: "ping", payload: {} });
    expect(ping.body).toBe("pong");

    const del = await viaHttp({ operation: "delete", payload: { Key: { id: "cmd1" } } });
    expect(del.body).toEqual({ Attributes: { id: "cmd1", number: 10, extra: "x" } });
    const gone = await viaHttp({ operation: "read", payload: { Key: { id: "cmd1" } } });
    expect(gone.status).toBe(404);
  });

  it("serves the same commands invoked directly with a bare event", async () => {
    const create = await service.invoke({
      operation: "create",
      tableName: TABLE,
      payload: { Item: { id: "direct1", v: 1 } },
    });
    expect(create.result).toEqual({ Item: { id: "direct1", v: 1 } });
    expect(create.logs).toHaveLength(1);
    expect(create.logs[0]).toMatchObject({
      msg: "request",
      route: "command create",
      method: "INVOKE",
      status: 200,
      consumedWcu: 1,
    });
    expect((await service.invoke({ operation: "read", payload: { Key: { id: "direct1" } } })).result).toEqual(
      {
        Item: { id: "direct1", v: 1 },
      },
    );
    const update = await service.invoke({
      operation: "update",
      payload: { Key: { id: "direct1" }, AttributeUpdates: { v: { Action: "DELETE" } } },
    });
    expect(update.result).toEqual({ Attributes: { id: "direct1" } });
    const list = await service.invoke({ operation: "list", payload: { Limit: 1 } });
    expect(list.result.Items).toHaveLength(1);
    expect(list.result.LastEvaluatedKey).toEqual({ id: expect.any(String) });
    expect((await service.invoke({ operation: "echo", payload: [1, "two"] })).result).toEqual([1, "two"]);
    expect((await service.invoke({ operation: "ping" })).result).toBe("pong");
    expect(
      (await service.invoke({ operation: "delete", payload: { Key: { id: "direct1" } } })).result,
    ).toEqual({
      Attributes: { id: "direct1" },
    });
  });

  it("answers client errors of a direct invocation with the error body (a handled answer)", async () => {
    const unknown = await service.invoke({ operation: "drop_table", payload: {} });
    expect(unknown.result.error).toMatchObject({ code: "BadRequest", requestId: unknown.logs[0].requestId });
    expect(unknown.logs[0]).toMatchObject({
      route: "unmatched",
      operation: "drop_table",
      status: 400,
      errorCode: "BadRequest",
    });
    const foreign = await service.invoke({ operation: "list", tableName: "someone-elses", payload: {} });
    expect(foreign.result.error.message).toContain(`is not this service's table`);
    const missing = await service.invoke({ operation: "read", payload: { Key: { id: "nobody" } } });
    expect(missing.result.error.code).toBe("NotFound");
  });

  it("creates through the command API only if absent (the seed overwrote): 409", async () => {
    await service.invoke({ operation: "create", payload: { Item: { id: "once", v: 1 } } });
    const second = await viaHttp({ operation: "create", payload: { Item: { id: "once", v: 2 } } });
    expect(second.status).toBe(409);
    expect(
      (await service.invoke({ operation: "read", payload: { Key: { id: "once" } } })).result.Item.v,
    ).toBe(1);
  });
});

describe("server-side failures", () => {
  it("answers a DynamoDB failure with 500 that names only the request id; the log keeps the cause", async () => {
    const broken = serviceClient({ config: { tableName: "table-that-does-not-exist" } });
    const answer = await broken.http("1.0", { method: "GET", path: "/items/x" });
    expect(answer.status).toBe(500);
    expect(answer.body.error).toEqual({
      code: "InternalError",
      message: expect.stringContaining(answer.logs[0].requestId),
      requestId: answer.logs[0].requestId,
    });
    expect(JSON.stringify(answer.body)).not.toMatch(/ResourceNotFound|table-that-does-not-exist|at .*\.ts/);
    expect(answer.logs[0]).toMatchObject({ level: "error", status: 500, errorCode: "InternalError" });
    expect(answer.logs[0].error).toContain("ResourceNotFoundException");
  });

  it("throws on a direct invocation so Lambda counts a function error", async () => {
    const broken = serviceClient({ config: { tableName: "table-that-does-not-exist" } });
    await expect(broken.invoke({ operation: "read", payload: { Key: { id: "x" } } })).rejects.toMatchObject({
      name: "InternalError",
    });
  });

  it("reports a missing TABLE_NAME by name", async () => {
    const saved = process.env["TABLE_NAME"];
    delete process.env["TABLE_NAME"];
    try {
      const unconfigured = serviceClient();
      const answer = await unconfigured.http("1.0", { method: "GET", path: "/items/x" });
      expect(answer.status).toBe(500);
      expect(answer.logs[0].error).toContain("environment variable TABLE_NAME is not set");
      expect(answer.body.error.message).not.toContain("TABLE_NAME");
    } finally {
      process.env["TABLE_NAME"] = saved;
    }
  });
});
