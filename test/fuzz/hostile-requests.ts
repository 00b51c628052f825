/**
 * fast-check arbitraries of hostile HTTP requests for the service's API: random methods, paths (traversal,
 * encoded, unicode, very long), headers, bodies (broken JSON, huge, deeply nested, unicode, binary,
 * prototype-pollution keys) and every field of the command API at /dynamodbmanager. Most requests are
 * coherent CRUD calls on a small pool of ids, so that writes are accepted and collide; the rest is chaos.
 * Pure module: requests are data (`HostileRequest`); test/fuzz/send.ts puts them on the wire.
 */
import fc from "fast-check";
import { OPERATIONS } from "../../service/command-schemas.ts";

/** How a body is built; "repeat" keeps huge bodies cheap to generate and to print. */
export type BodySpec =
  | { kind: "none" }
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "repeat"; prefix: string; unit: string; count: number; suffix: string };

export interface HostileRequest {
  method: string;
  /** The request target as sent, stage prefix included, e.g. "/prod/items/k1?limit=5". */
  target: string;
  headers: [string, string][];
  body: BodySpec;
}

/** Ids most requests use, so creates, updates and deletes meet each other. */
export const POOL_IDS = Array.from({ length: 12 }, (_, i) => `k${i}`);

const STAGE = "/prod";

const hostileText = fc.constantFrom(
  "",
  "..",
  "../../etc/passwd",
  "..\\..\\windows",
  "%00",
  "\u0000",
  "a/b",
  "__proto__",
  "constructor",
  "prototype",
  "' OR '1'='1",
  '{"$ne":null}',
  "$" + "{jndi:ldap://127.0.0.1/a}",
  "<script>alert(1)</script>",
  "#n = :v, REMOVE id",
  "a".repeat(129),
  "é",
  "😀",
  "\ud800",
  "ItemsTable",
);

const idArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...POOL_IDS), weight: 12 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,128}$/), weight: 1 },
  { arbitrary: hostileText, weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }), weight: 1 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 12 }), weight: 1 },
);

const attributeName: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom("name", "price", "tags", "nested", "n", "flag"), weight: 6 },
  { arbitrary: hostileText, weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }), weight: 2 },
  { arbitrary: fc.constant("x".repeat(256)), weight: 1 },
);

/** Edge numbers: around 2^53, DynamoDB's range (1e-130 .. <1e126), and beyond it. */
const edgeNumber = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  0.1,
  2 ** 53 - 1,
  2 ** 53 + 2,
  -(2 ** 53) - 2,
  1e20,
  -1e20,
  1e125,
  1e126,
  1e-130,
  1e-131,
  1e300,
  5e-324,
);

const attributeValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 6 },
  { arbitrary: edgeNumber, weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.constantFrom("\ud800", "\udfff", "a\ud83d"), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);

const hostileAttributes = fc.dictionary(attributeName, attributeValue, { maxKeys: 5 });

/** Ordinary attributes, so that most coherent writes are accepted. */
const plainAttributes = fc.dictionary(
  fc.constantFrom("name", "price", "tags", "nested", "n", "flag", "note"),
  fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    fc.boolean(),
    fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  ),
  { minKeys: 1, maxKeys: 4 },
);

const attributes = fc.oneof(
  { arbitrary: plainAttributes, weight: 3 },
  { arbitrary: hostileAttributes, weight: 2 },
);

const itemArb = fc
  .tuple(attributes, fc.option(idArb, { nil: undefined, freq: 4 }))
  .map(([attrs, id]) => (id === undefined ? attrs : { ...attrs, id }));

/** Fields of DynamoDB requests the seed passed through; none may reach an SDK call now. */
const smuggledField = fc.constantFrom(
  "TableName",
  "ConditionExpression",
  "UpdateExpression",
  "ExpressionAttributeNames",
  "ExpressionAttributeValues",
  "IndexName",
  "Select",
  "ReturnValues",
  "FilterExpression",
  "ProjectionExpression",
  "Segment",
  "TotalSegments",
  "ConsistentRead",
  "__proto__",
);

const keyArb = fc.oneof(
  { arbitrary: idArb.map((id) => ({ id })), weight: 8 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
  { arbitrary: fc.tuple(idArb, smuggledField).map(([id, f]) => ({ id, [f]: "x" })), weight: 1 },
);

const attributeUpdates = fc.dictionary(
  attributeName,
  fc.oneof(
    { arbitrary: attributeValue.map((Value) => ({ Value, Action: "PUT" })), weight: 4 },
    { arbitrary: attributeValue.map((Value) => ({ Value })), weight: 2 },
    { arbitrary: fc.constant({ Action: "DELETE" }), weight: 2 },
    {
      arbitrary: fc.constantFrom({ Action: "ADD", Value: 1 }, { Action: "put" }, { Value: 1, Extra: 1 }),
      weight: 1,
    },
  ),
  { maxKeys: 4 },
);

const payloadArb: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: itemArb.map((Item) => ({ Item })), weight: 4 },
  { arbitrary: keyArb.map((Key) => ({ Key })), weight: 4 },
  { arbitrary: fc.record({ Key: keyArb, AttributeUpdates: attributeUpdates }), weight: 4 },
  {
    arbitrary: fc.record(
      { Limit: fc.oneof(fc.integer({ min: -5, max: 150 }), fc.jsonValue()), ExclusiveStartKey: keyArb },
      { requiredKeys: [] },
    ),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(itemArb, smuggledField, fc.jsonValue({ maxDepth: 2 }))
      .map(([Item, field, value]) => ({ Item, [field]: value })),
    weight: 2,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
);

/** Every field of the command API: operation, tableName, payload, and fields that do not belong. */
export const commandArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    operation: fc.oneof(
      { arbitrary: fc.constantFrom(...OPERATIONS), weight: 10 },
      { arbitrary: fc.constantFrom("scan", "query", "batchWrite", "CREATE", "", "__proto__"), weight: 1 },
      { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 1 },
    ),
    tableName: fc.oneof(
      { arbitrary: fc.constant("ItemsTable"), weight: 3 },
      { arbitrary: fc.constantFrom("OtherTable", "ItemsTable ", "", "*", "arn:aws:dynamodb:*"), weight: 1 },
      { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 1 },
    ),
    payload: payloadArb,
    TableName: fc.constant("OtherTable"),
  },
  { requiredKeys: ["operation"] },
);

const json = (value: unknown): BodySpec => ({ kind: "text", text: JSON.stringify(value) ?? "null" });

const brokenJson = fc
  .tuple(
    itemArb.map((v) => JSON.stringify(v)),
    fc.nat(),
    fc.constantFrom("", "{", "}", ",", '"', "\\", "\u0000", "NaN", "undefined", "'", "]]]", "\ud800"),
  )
  .map(([text, at, junk]): BodySpec => {
    const cut = at % (text.length + 1);
    return { kind: "text", text: text.slice(0, cut) + junk + text.slice(cut + (at % 3)) };
  });

const hugeBody = fc
  .oneof(
    { arbitrary: fc.integer({ min: 390_000, max: 700_000 }), weight: 8 },
    { arbitrary: fc.integer({ min: 10_485_000, max: 10_600_000 }), weight: 1 },
  )
  .map((count): BodySpec => ({ kind: "repeat", prefix: '{"big":"', unit: "x", count, suffix: '"}' }));

const deepBody = fc
  .tuple(fc.integer({ min: 20, max: 50_000 }), fc.boolean())
  .map(([depth, asList]): BodySpec => {
    const open = asList ? "[" : '{"a":';
    const close = asList ? "]" : "}";
    return { kind: "text", text: `{"id":"k1","deep":${open.repeat(depth)}1${close.repeat(depth)}}` };
  });

const protoBody = fc.constantFrom(
  '{"__proto__":{"polluted":true},"id":"k2"}',
  '{"id":"k3","__proto__":{"id":"k4"}}',
  '{"constructor":{"prototype":{"polluted":true}},"id":"k5"}',
  '{"id":"k6","nested":{"__proto__":{"polluted":true}}}',
  '{"operation":"create","payload":{"Item":{"id":"k7","__proto__":{"polluted":true}}}}',
  '{"__proto__":{"operation":"create"},"payload":{"Item":{"id":"k8"}}}',
);

export const bodyArb: fc.Arbitrary<BodySpec> = fc.oneof(
  { arbitrary: fc.constant<BodySpec>({ kind: "none" }), weight: 2 },
  { arbitrary: itemArb.map(json), weight: 4 },
  { arbitrary: commandArb.map(json), weight: 3 },
  { arbitrary: brokenJson, weight: 3 },
  { arbitrary: hugeBody, weight: 1 },
  { arbitrary: deepBody, weight: 1 },
  { arbitrary: protoBody.map((text): BodySpec => ({ kind: "text", text })), weight: 1 },
  {
    arbitrary: fc
      .string({ unit: "grapheme", maxLength: 200 })
      .map((text): BodySpec => ({ kind: "text", text })),
    weight: 1,
  },
  {
    arbitrary: fc.uint8Array({ maxLength: 2000 }).map((bytes): BodySpec => ({ kind: "bytes", bytes })),
    weight: 1,
  },
  { arbitrary: fc.jsonValue().map(json), weight: 1 },
);

/** encodeURIComponent, except that it never throws (lone surrogates go out as U+FFFD's UTF-8 bytes). */
export function encodeSegment(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return Array.from(
      Buffer.from(text, "utf8"),
      (b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    ).join("");
  }
}

/** A path segment as a client might write it: plain, percent-encoded, double-encoded. */
const segment = (id: string) =>
  fc.constantFrom(encodeSegment(id), encodeSegment(id), encodeSegment(encodeSegment(id)), id);

const queryArb = fc
  .record(
    {
      limit: fc.constantFrom(
        "",
        "0",
        "1",
        "25",
        "100",
        "101",
        "-1",
        "1e2",
        "abc",
        "99999999999",
        "1.5",
        "%00",
      ),
      cursor: fc.oneof(
        fc.constantFrom("", "eyJpZCI6ImsxIn0", "AAAA", "%ZZ", "..%2f"),
        fc.string({ maxLength: 40 }).map(encodeSegment),
      ),
      extra: fc.constantFrom("a=1", "limit=1&limit=2", "=", "&&", "x=%E2%82%AC"),
    },
    { requiredKeys: [] },
  )
  .map(({ limit, cursor, extra }) => {
    const parts = [
      ...(limit === undefined ? [] : [`limit=${limit}`]),
      ...(cursor === undefined ? [] : [`cursor=${cursor}`]),
      ...(extra === undefined ? [] : [extra]),
    ];
    return parts.length > 0 ? `?${parts.join("&")}` : "";
  });

const oddTarget = fc.constantFrom(
  "/",
  STAGE,
  `${STAGE}/`,
  "/dev/items",
  `${STAGE}//items`,
  `${STAGE}/items/`,
  `${STAGE}/items/k1/extra`,
  `${STAGE}/./items`,
  `${STAGE}/items/../dynamodbmanager`,
  `${STAGE}/%2e%2e/%2e%2e/etc/passwd`,
  `${STAGE}/items/..%2f..%2fetc%2fpasswd`,
  `${STAGE}/ITEMS`,
  `${STAGE}/items%2fk1`,
  `${STAGE}/dynamodbmanager/`,
  `/${STAGE}/items`,
  `${STAGE}/items;k1`,
  `${STAGE}/items/%`,
  `${STAGE}/items/%c0%ae%c0%ae`,
  `${STAGE}/items/%ED%A0%80`,
  "*",
  "http://127.0.0.1/prod/items",
);

export const targetArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: queryArb.map((q) => `${STAGE}/items${q}`), weight: 3 },
  { arbitrary: idArb.chain(segment).map((s) => `${STAGE}/items/${s}`), weight: 6 },
  { arbitrary: fc.constant(`${STAGE}/dynamodbmanager`), weight: 4 },
  { arbitrary: oddTarget, weight: 3 },
  {
    arbitrary: fc.integer({ min: 200, max: 20_000 }).map((n) => `${STAGE}/items/${"a".repeat(n)}`),
    weight: 1,
  },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }).map((s) => `${STAGE}/items/${s}`), weight: 1 },
);

export const methodArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"), weight: 10 },
  {
    arbitrary: fc.constantFrom("HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO", "get", "G\u00e9T", ""),
    weight: 2,
  },
);

const headerValue = fc.oneof(
  { arbitrary: fc.stringMatching(/^[\x20-\x7e]{0,40}$/), weight: 12 },
  { arbitrary: fc.string({ unit: "binary-ascii", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: "grapheme", maxLength: 20 }), weight: 1 },
  { arbitrary: fc.constant("x".repeat(20_000)), weight: 1 },
);

const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-8",
  "text/plain",
  "application/octet-stream",
  "image/png",
  "multipart/form-data; boundary=x",
  "application/x-www-form-urlencoded",
  "application/json; charset=latin1",
);

export const headersArb: fc.Arbitrary<[string, string][]> = fc
  .tuple(
    fc.option(
      fc.oneof({ arbitrary: contentType, weight: 20 }, { arbitrary: fc.constant("\u0000"), weight: 1 }),
      { nil: undefined, freq: 5 },
    ),
    fc.array(
      fc.tuple(
        fc.oneof(
          {
            arbitrary: fc.constantFrom(
              "x-forwarded-for",
              "x-amzn-trace-id",
              "authorization",
              "cookie",
              "x-api-key",
              "accept",
              "accept-encoding",
              "x-request-id",
              "x-http-method-override",
              "content-encoding",
            ),
            weight: 6,
          },
          { arbitrary: fc.stringMatching(/^x-[a-z0-9-]{1,20}$/), weight: 3 },
          { arbitrary: fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 20 }), weight: 1 },
        ),
        headerValue,
      ),
      { maxLength: 4 },
    ),
  )
  .map(([type, rest]) => [
    ...(type === undefined ? [] : ([["content-type", type]] as [string, string][])),
    ...rest,
  ]);

const jsonHeaders: [string, string][] = [["content-type", "application/json"]];

/** Coherent CRUD calls on the id pool (most of them accepted, so the table changes). */
const crudArb: fc.Arbitrary<HostileRequest> = fc.oneof(
  itemArb.map((item) => ({
    method: "POST",
    target: `${STAGE}/items`,
    headers: jsonHeaders,
    body: json(item),
  })),
  fc.tuple(idArb, itemArb).map(([id, item]) => ({
    method: "PUT",
    target: `${STAGE}/items/${encodeSegment(id)}`,
    headers: jsonHeaders,
    body: json(item),
  })),
  fc.tuple(idArb, attributes).map(([id, patch]) => ({
    method: "PATCH",
    target: `${STAGE}/items/${encodeSegment(id)}`,
    headers: jsonHeaders,
    body: json(patch),
  })),
  fc.constantFrom("DELETE", "GET").chain((method) =>
    idArb.map((id) => ({
      method,
      target: `${STAGE}/items/${encodeSegment(id)}`,
      headers: [],
      body: { kind: "none" } as BodySpec,
    })),
  ),
  queryArb.map((q) => ({
    method: "GET",
    target: `${STAGE}/items${q}`,
    headers: [],
    body: { kind: "none" } as BodySpec,
  })),
);

const commandRequestArb: fc.Arbitrary<HostileRequest> = fc
  .tuple(commandArb, headersArb)
  .map(([command, headers]) => ({
    method: "POST",
    target: `${STAGE}/dynamodbmanager`,
    headers,
    body: json(command),
  }));

const chaosArb: fc.Arbitrary<HostileRequest> = fc.record({
  method: methodArb,
  target: targetArb,
  headers: headersArb,
  body: bodyArb,
});

/** The request generator the fuzz runs use. */
export const hostileRequestArb: fc.Arbitrary<HostileRequest> = fc.oneof(
  { arbitrary: crudArb, weight: 5 },
  { arbitrary: commandRequestArb, weight: 3 },
  { arbitrary: chaosArb, weight: 4 },
);

/** The body's bytes (undefined when there is none). */
export function bodyBytes(body: BodySpec): Buffer | undefined {
  switch (body.kind) {
    case "none":
      return undefined;
    case "text":
      return Buffer.from(body.text, "utf8");
    case "bytes":
      return Buffer.from(body.bytes);
    case "repeat":
      return Buffer.from(body.prefix + body.unit.repeat(body.count) + body.suffix, "utf8");
  }
}

/** The body's size in bytes, without building it. */
export function bodyLength(body: BodySpec): number {
  switch (body.kind) {
    case "none":
      return 0;
    case "text":
      return Buffer.byteLength(body.text, "utf8");
    case "bytes":
      return body.bytes.length;
    case "repeat":
      return (
        Buffer.byteLength(body.prefix) +
        Buffer.byteLength(body.unit) * body.count +
        Buffer.byteLength(body.suffix)
      );
  }
}

/** A short description for failure messages: enough to replay the request by hand. */
export function describeRequest(request: HostileRequest): string {
  const body =
    request.body.kind === "repeat"
      ? `${request.body.prefix}<${request.body.unit} x ${request.body.count}>${request.body.suffix}`
      : request.body.kind === "bytes"
        ? `<${request.body.bytes.length} bytes>`
        : request.body.kind === "text"
          ? request.body.text
          : "";
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}...(${s.length} chars)` : s);
  const headers = request.headers.map(([n, v]) => `${cut(n, 30)}: ${cut(v, 40)}`).join("; ");
  return `${JSON.stringify(request.method)} ${JSON.stringify(cut(request.target, 200))} [${headers}] ${JSON.stringify(cut(body, 300))}`;
}
