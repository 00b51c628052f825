/**
 * fast-check arbitraries of hostile VALUES for the service's API: ids, attribute names and values (edge
 * numbers, lone surrogates, prototype keys), items, every field of the command API at /dynamodbmanager
 * (operation, tableName, payload, smuggled DynamoDB parameters) and bodies (broken JSON, huge, deeply
 * nested, unicode, binary). hostile-requests.ts puts them into requests. Pure module.
 */
import fc from "fast-check";
import { OPERATIONS } from "../../service/command-schemas.ts";

/** How a body is built; "repeat" keeps huge bodies cheap to generate and to print. */
export type BodySpec =
  | { kind: "none" }
  | { kind: "text"; text: string }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "repeat"; prefix: string; unit: string; count: number; suffix: string };

/** Ids most requests use, so creates, updates and deletes meet each other. */
export const POOL_IDS = Array.from({ length: 12 }, (_, i) => `k${i}`);

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

export const idArb: fc.Arbitrary<string> = fc.oneof(
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

/**
 * Number literals JSON.stringify cannot write (issue 20): beyond DynamoDB's range, beyond 38 digits, more
 * digits than a double keeps, exponents, negative zero. Sent as raw JSON text.
 */
export const NUMBER_LITERALS = [
  "1e-400",
  "9.99e-131",
  "1E-130",
  "1E+126",
  "9.9999999999999999999999999999999999999E+125",
  "0.12345678901234567890123456789012345678",
  "0.123456789012345678901234567890123456789",
  "12345678901234567890123",
  "123456789012345678901234567890123456789",
  "-0.0",
  "1.50e2",
  "100000000000000000000000000000000000000000",
] as const;

export const numberLiteralArb: fc.Arbitrary<string> = fc.constantFrom(...NUMBER_LITERALS);

/** An attribute of ~68,000 U+0001 (6 bytes each as JSON, 7 in a proxy response): list poisoning, issue 20. */
export const CONTROL_CHUNK = JSON.stringify("\u0001".repeat(68_000));

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

export const attributes = fc.oneof(
  { arbitrary: plainAttributes, weight: 3 },
  { arbitrary: hostileAttributes, weight: 2 },
);

export const itemArb = fc
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
  fc.oneof(
    { arbitrary: attributeName, weight: 8 },
    { arbitrary: fc.constantFrom("", "n".repeat(70_000)), weight: 1 },
  ),
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

/** An update over DynamoDB's 4 KB expression limit (issue 20): hundreds of attributes. */
const wideAttributeUpdates = fc
  .constantFrom(340, 900)
  .map((count) =>
    Object.fromEntries(
      Array.from({ length: count }, (_, i) => [`w${i}`, count > 400 ? { Action: "DELETE" } : { Value: i }]),
    ),
  );

const payloadArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.record({ Key: keyArb, AttributeUpdates: wideAttributeUpdates }),
    weight: 1,
  },
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

export const json = (value: unknown): BodySpec => ({ kind: "text", text: JSON.stringify(value) ?? "null" });

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

/** Bodies with number literals JSON.stringify cannot write, as items and as commands. */
const numberBody = fc.tuple(numberLiteralArb, fc.constantFrom(...POOL_IDS), fc.boolean()).map(
  ([literal, id, asCommand]): BodySpec => ({
    kind: "text",
    text: asCommand
      ? `{"operation":"create","payload":{"Item":{"id":"${id}","n":${literal}}}}`
      : `{"id":"${id}","n":${literal},"list":[${literal}],"map":{"m":${literal}}}`,
  }),
);

/** echo of a document nested past the serialiser's stack (issue 20: 4,147 levels answered 500). */
const deepEchoBody = fc.integer({ min: 30, max: 6_000 }).map(
  (depth): BodySpec => ({
    kind: "text",
    text: `{"operation":"echo","payload":${"[".repeat(depth)}${"]".repeat(depth)}}`,
  }),
);

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
  { arbitrary: numberBody, weight: 1 },
  { arbitrary: deepEchoBody, weight: 1 },
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
