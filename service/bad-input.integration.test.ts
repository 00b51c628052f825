/**
 * The bad-input table: each hostile or broken request is answered 4xx with a clear message, and the table is
 * exactly as it was afterwards (scan before/after with the real client, against dynalite).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningDynalite, startDynalite } from "./test-support/dynalite.ts";
import type { EventInput } from "./test-support/events.ts";
import { useLocalDynamoDbEnvironment } from "./test-support/local-env.ts";
import { type EventFormat, type ServiceClient, serviceClient } from "./test-support/service-client.ts";

const TABLE = "bad-input-items";
let db: RunningDynalite;
let restoreEnvironment: (() => void) | undefined;
let service: ServiceClient;
let before: Record<string, unknown>[];

beforeAll(async () => {
  db = await startDynalite();
  await db.createItemsTable(TABLE);
  restoreEnvironment = useLocalDynamoDbEnvironment(db.endpoint, TABLE);
  service = serviceClient();
  for (const id of ["victim", "other"]) {
    const created = await service.http("1.0", {
      method: "POST",
      path: "/items",
      body: { id, owner: "alice", n: 1 },
    });
    expect(created.status).toBe(201);
  }
  before = await db.scanAll(TABLE);
  expect(before).toHaveLength(2);
});
afterAll(async () => {
  restoreEnvironment?.();
  await db?.stop();
});

const nested = (levels: number): unknown => (levels === 0 ? 1 : { n: nested(levels - 1) });
const command = (body: unknown): EventInput => ({ method: "POST", path: "/dynamodbmanager", body });
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/** [name, request, status, error code, message pattern] */
const BAD_INPUTS: [string, EventInput, number, string, RegExp][] = [
  // malformed JSON
  [
    "truncated JSON",
    { method: "POST", path: "/items", body: '{"id": "x", ' },
    400,
    "BadRequest",
    /not valid JSON/,
  ],
  [
    "JSON with a trailing comma",
    { method: "PUT", path: "/items/victim", body: '{"a": 1,}' },
    400,
    "BadRequest",
    /not valid JSON/,
  ],
  [
    "not JSON at all",
    { method: "PATCH", path: "/items/victim", body: "owner=mallory" },
    400,
    "BadRequest",
    /not valid JSON/,
  ],
  [
    "empty body",
    { method: "POST", path: "/items", body: "" },
    400,
    "BadRequest",
    /has no body: expected a JSON document/,
  ],
  ["no body on PUT", { method: "PUT", path: "/items/victim" }, 400, "BadRequest", /has no body/],
  // wrong types
  [
    "array instead of an item",
    { method: "POST", path: "/items", body: [{ id: "x" }] },
    400,
    "ValidationError",
    /item must be a JSON object, got an array/,
  ],
  [
    "string instead of a patch",
    { method: "PATCH", path: "/items/victim", body: '"owner"' },
    400,
    "ValidationError",
    /patch must be a JSON object/,
  ],
  [
    "number id",
    { method: "POST", path: "/items", body: { id: 42 } },
    400,
    "ValidationError",
    /item\.id must be 1-128 characters/,
  ],
  [
    "string limit in a command",
    command({ operation: "list", payload: { Limit: "5" } }),
    400,
    "ValidationError",
    /payload\.Limit must be an integer/,
  ],
  [
    "limit out of range",
    { method: "GET", path: "/items?limit=1000" },
    400,
    "ValidationError",
    /limit must be an integer from 1 to 100, got the string "1000"/,
  ],
  [
    "number out of DynamoDB's range",
    { method: "PATCH", path: "/items/victim", body: { n: 1e200 } },
    400,
    "ValidationError",
    /patch\.n is 1e\+200: it is too large: DynamoDB stores magnitudes below 1E\+126/,
  ],
  [
    "1e-400 (was stored as 0)",
    { method: "PATCH", path: "/items/victim", body: '{"n":1e-400}' },
    400,
    "ValidationError",
    /patch\.n is 1e-400: it is too small: DynamoDB stores 0 or magnitudes from 1E-130/,
  ],
  [
    "9.99e-131, just under DynamoDB's range",
    { method: "POST", path: "/items", body: '{"id":"tiny","n":9.99e-131}' },
    400,
    "ValidationError",
    /item\.n is 9\.99e-131: it is too small/,
  ],
  [
    "1E+126, just over DynamoDB's range",
    command('{"operation":"create","payload":{"Item":{"id":"huge-n","n":1E+126}}}'),
    400,
    "ValidationError",
    /payload\.Item\.n is 1E\+126: it is too large/,
  ],
  [
    "39 significant digits (was rounded to 17)",
    { method: "POST", path: "/items", body: '{"id":"digits","n":0.123456789012345678901234567890123456789}' },
    400,
    "ValidationError",
    /item\.n is 0\.1234.*: it has 39 significant digits: DynamoDB keeps at most 38/,
  ],
  [
    "__proto__ as an attribute name",
    { method: "PATCH", path: "/items/victim", body: '{"__proto__": {"owner": "mallory"}}' },
    400,
    "ValidationError",
    /attribute name "__proto__": it is reserved/,
  ],
  // missing fields
  [
    "create without Item",
    command({ operation: "create", payload: {} }),
    400,
    "ValidationError",
    /payload\.Item must be a JSON object, got nothing \(the field is missing\)/,
  ],
  [
    "create without an id",
    command({ operation: "create", payload: { Item: { owner: "m" } } }),
    400,
    "ValidationError",
    /payload\.Item\.id must be/,
  ],
  [
    "read without Key",
    command({ operation: "read", payload: {} }),
    400,
    "ValidationError",
    /payload\.Key must be a JSON object/,
  ],
  [
    "update PUT without Value",
    command({
      operation: "update",
      payload: { Key: { id: "victim" }, AttributeUpdates: { owner: { Action: "PUT" } } },
    }),
    400,
    "ValidationError",
    /Action PUT but no Value/,
  ],
  [
    "command without operation",
    command({ payload: { Key: { id: "victim" } } }),
    400,
    "BadRequest",
    /the command has no operation: expected one of create, read/,
  ],
  [
    "empty patch",
    { method: "PATCH", path: "/items/victim", body: {} },
    400,
    "ValidationError",
    /patch is empty/,
  ],
  // extra fields
  [
    "ConditionExpression in create",
    command({
      operation: "create",
      payload: { Item: { id: "victim" }, ConditionExpression: "attribute_exists(id)" },
    }),
    400,
    "ValidationError",
    /unsupported field\(s\) "ConditionExpression"/,
  ],
  [
    "TableName in payload",
    command({ operation: "delete", payload: { Key: { id: "victim" }, TableName: TABLE } }),
    400,
    "ValidationError",
    /unsupported field\(s\) "TableName"/,
  ],
  [
    "ReturnValues in update",
    command({
      operation: "update",
      payload: { Key: { id: "victim" }, AttributeUpdates: { a: { Value: 1 } }, ReturnValues: "ALL_OLD" },
    }),
    400,
    "ValidationError",
    /unsupported field\(s\) "ReturnValues"/,
  ],
  [
    "Select / IndexName in list",
    command({ operation: "list", payload: { Select: "COUNT", IndexName: "i" } }),
    400,
    "ValidationError",
    /unsupported field\(s\) "Select", "IndexName"/,
  ],
  [
    "Exists in an AttributeUpdate",
    command({
      operation: "update",
      payload: { Key: { id: "victim" }, AttributeUpdates: { a: { Value: 1, Exists: false } } },
    }),
    400,
    "ValidationError",
    /unsupported field\(s\) "Exists"/,
  ],
  [
    "another id in a patch",
    { method: "PATCH", path: "/items/victim", body: { id: "other" } },
    400,
    "ValidationError",
    /id of an item cannot change/,
  ],
  [
    "id differing from the path on PUT",
    { method: "PUT", path: "/items/victim", body: { id: "other", owner: "m" } },
    400,
    "ValidationError",
    /but the path says "victim"/,
  ],
  // huge bodies
  [
    "body over 512 KB",
    { method: "POST", path: "/items", body: { id: "huge", data: "x".repeat(600 * 1024) } },
    413,
    "PayloadTooLarge",
    /at most 524288 bytes are accepted/,
  ],
  [
    "item over 400 KB",
    { method: "PUT", path: "/items/victim", body: { data: "x".repeat(401 * 1024) } },
    413,
    "PayloadTooLarge",
    /DynamoDB items are at most 409600 bytes/,
  ],
  [
    "multi-byte item over 400 KB",
    { method: "POST", path: "/items", body: { data: "€".repeat(140 * 1024) } },
    413,
    "PayloadTooLarge",
    /DynamoDB items are at most/,
  ],
  [
    "command item over 400 KB",
    command({ operation: "create", payload: { Item: { id: "huge", data: "x".repeat(401 * 1024) } } }),
    413,
    "PayloadTooLarge",
    /400 KB/,
  ],
  // deep nesting
  [
    "33 levels of maps",
    { method: "PATCH", path: "/items/victim", body: { doc: nested(33) } },
    400,
    "ValidationError",
    /deeper than 32 levels/,
  ],
  [
    "200,000 nested arrays",
    {
      method: "POST",
      path: "/items",
      body: `{"id":"deep","d":${"[".repeat(200_000)}${"]".repeat(200_000)}}`,
    },
    400,
    "ValidationError",
    /deeper than 32 levels/,
  ],
  // non-UTF-8
  [
    "invalid UTF-8 bytes (base64 body)",
    {
      method: "POST",
      path: "/items",
      body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString("base64"),
      isBase64Encoded: true,
    },
    400,
    "BadRequest",
    /not valid UTF-8/,
  ],
  [
    "lone surrogate in the body text",
    { method: "PATCH", path: "/items/victim", body: '{"owner": "\ud800"}' },
    400,
    "BadRequest",
    /not valid UTF-8/,
  ],
  [
    "escaped lone surrogate in a value",
    { method: "PATCH", path: "/items/victim", body: '{"owner": "\\udc00x"}' },
    400,
    "ValidationError",
    /lone UTF-16 surrogate/,
  ],
  // foreign tableName
  [
    "foreign tableName",
    command({ operation: "delete", tableName: "production-users", payload: { Key: { id: "victim" } } }),
    400,
    "BadRequest",
    /tableName the string "production-users" is not this service's table/,
  ],
  [
    "foreign tableName of another type",
    command({ operation: "list", tableName: ["x"], payload: {} }),
    400,
    "BadRequest",
    /is not this service's table/,
  ],
  // injection attempts in ids and expressions
  [
    "quote injection in a path id",
    { method: "DELETE", path: "/items/victim'%20OR%20'1'='1" },
    400,
    "ValidationError",
    /path parameter id must be 1-128 characters/,
  ],
  [
    "expression in a path id",
    { method: "PUT", path: "/items/attribute_exists(id)", body: { a: 1 } },
    400,
    "ValidationError",
    /path parameter id must be/,
  ],
  [
    "encoded slash in a path id",
    { method: "GET", path: "/items/..%2Fother" },
    400,
    "ValidationError",
    /path parameter id must be/,
  ],
  [
    "map as a key id",
    command({ operation: "read", payload: { Key: { id: { S: "victim" } } } }),
    400,
    "ValidationError",
    /payload\.Key\.id must be 1-128 characters of A-Z a-z 0-9 _ -, got an object/,
  ],
  [
    "extra key attribute",
    command({ operation: "delete", payload: { Key: { id: "victim", owner: "alice" } } }),
    400,
    "ValidationError",
    /unsupported field\(s\) "owner"/,
  ],
  [
    "UpdateExpression in a command",
    command({ operation: "update", payload: { Key: { id: "victim" }, UpdateExpression: "REMOVE owner" } }),
    400,
    "ValidationError",
    /unsupported field\(s\) "UpdateExpression"/,
  ],
  [
    "ADD action (not supported)",
    command({
      operation: "update",
      payload: { Key: { id: "victim" }, AttributeUpdates: { n: { Value: 1, Action: "ADD" } } },
    }),
    400,
    "ValidationError",
    /Action must be "PUT" or "DELETE"/,
  ],
  [
    "forged cursor with a foreign start key",
    { method: "GET", path: `/items?cursor=${cursorOf({ id: { S: "victim" } })}` },
    400,
    "ValidationError",
    /cursor is not one this service issued/,
  ],
  [
    "forged cursor of a valid key, unsigned (was answered 200)",
    { method: "GET", path: `/items?cursor=${cursorOf({ id: "zzz" })}` },
    400,
    "ValidationError",
    /cursor is not one this service issued/,
  ],
  [
    "encoded percent in a path id: /items/a%2541 is item a%41, not aA",
    { method: "DELETE", path: "/items/a%2541" },
    400,
    "ValidationError",
    /path parameter id must be 1-128 characters of A-Z a-z 0-9 _ -, got the string "a%(25)?41"/,
  ],
  [
    "empty attribute name under Action DELETE (was 500)",
    command({
      operation: "update",
      payload: { Key: { id: "victim" }, AttributeUpdates: { "": { Action: "DELETE" } } },
    }),
    400,
    "ValidationError",
    /payload\.AttributeUpdates has an attribute name "": expected 1-255 characters/,
  ],
  [
    "70,000-character attribute name under Action DELETE",
    command({
      operation: "update",
      payload: { Key: { id: "victim" }, AttributeUpdates: { ["n".repeat(70_000)]: { Action: "DELETE" } } },
    }),
    400,
    "ValidationError",
    /payload\.AttributeUpdates has an attribute name "n{40}": expected 1-255 characters/,
  ],
  [
    "echo nested 5,000 levels (was 500)",
    command(`{"operation":"echo","payload":${"[".repeat(5000)}1${"]".repeat(5000)}}`),
    400,
    "ValidationError",
    /nests lists\/maps 500\d levels deep: documents deeper than 32 levels are refused/,
  ],
  [
    "echo nested 34 levels",
    command({ operation: "echo", payload: nested(34) }),
    400,
    "ValidationError",
    /payload nests lists\/maps deeper than 32 levels/,
  ],
  [
    "PATCH of 340 attributes (over DynamoDB's 4 KB expression limit; was 413 'item would exceed 400 KB' on AWS)",
    {
      method: "PATCH",
      path: "/items/victim",
      body: Object.fromEntries(Array.from({ length: 340 }, (_, i) => [`attr${i}`, i])),
    },
    400,
    "ValidationError",
    /update expression would be \d+ bytes, over DynamoDB's 4096-byte expression limit/,
  ],
  [
    "command update removing 900 attributes",
    command({
      operation: "update",
      payload: {
        Key: { id: "victim" },
        AttributeUpdates: Object.fromEntries(
          Array.from({ length: 900 }, (_, i) => [`attr${i}`, { Action: "DELETE" }]),
        ),
      },
    }),
    400,
    "ValidationError",
    /over DynamoDB's 4096-byte expression limit/,
  ],
  [
    "forged cursor with extra keys",
    { method: "GET", path: `/items?cursor=${cursorOf({ id: "victim", owner: "alice" })}` },
    400,
    "ValidationError",
    /cursor is not one this service issued/,
  ],
  [
    "unknown operation",
    command({ operation: "deleteTable", payload: {} }),
    400,
    "BadRequest",
    /unknown operation "deleteTable"/,
  ],
  [
    "__proto__ operation",
    command({ operation: "__proto__", payload: {} }),
    400,
    "BadRequest",
    /unknown operation "__proto__"/,
  ],
  ["unknown route", { method: "POST", path: "/admin" }, 404, "NotFound", /no route for POST \/admin/],
  ["wrong method", { method: "DELETE", path: "/dynamodbmanager" }, 405, "MethodNotAllowed", /use POST/],
];

describe.each<EventFormat>(["1.0", "2.0"])("bad input through payload format %s", (format) => {
  it.each(BAD_INPUTS)("%s", async (_name, input, status, code, message) => {
    const answer = await service.http(format, input);
    expect(answer.status).toBe(status);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.body.error).toEqual({
      code,
      message: expect.stringMatching(message),
      requestId: answer.logs[0].requestId,
    });
    expect(answer.body.error.message.length).toBeLessThan(400);
    expect(answer.logs).toHaveLength(1);
    expect(answer.logs[0]).toMatchObject({ level: "info", status, errorCode: code });
  });
});

it("left the table exactly as it was", async () => {
  expect(await db.scanAll(TABLE)).toEqual(before);
});
