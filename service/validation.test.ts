import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CursorCodec } from "./cursor.ts";
import { PayloadTooLargeError, ValidationError } from "./errors.ts";
import { parseJsonExact } from "./exact-number.ts";
import {
  itemSizeBytes,
  MAX_DEPTH,
  MAX_ITEM_SIZE_BYTES,
  parseLimit,
  parseNewItem,
  parsePatch,
  parseReplacement,
  validateId,
} from "./validation.ts";

/** What a value looks like on the wire (ExactNumber prints its text). */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("validateId", () => {
  it.each(["a", "A-z_09", "x".repeat(128)])("accepts %j", (id) => {
    expect(validateId(id, "id")).toBe(id);
  });
  it.each([
    "",
    "x".repeat(129),
    "a b",
    "a/b",
    "a'; DROP TABLE items; --",
    "attribute_exists(id)",
    "é",
    7,
    null,
  ])("rejects %j with the expected format in the message", (id) => {
    expect(() => validateId(id, "item.id")).toThrow(ValidationError);
    expect(() => validateId(id, "item.id")).toThrow(/item\.id must be 1-128 characters of A-Z a-z 0-9 _ -/);
  });
});

describe("parseNewItem / parseReplacement / parsePatch", () => {
  it("keeps a client id and nested documents as they are", () => {
    const body = {
      id: "a1",
      name: "n",
      tags: ["x", 1, true, null, -0, 1e-130, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
      nested: { deep: { n: 1.5 } },
    };
    expect(wire(parseNewItem(body))).toEqual({ id: "a1", attributes: wire(body) });
    expect(parseNewItem({ name: "n" }).id).toBeUndefined();
  });

  it.each([
    [[1, 2], /item must be a JSON object, got an array/],
    ["text", /item must be a JSON object/],
    [{ id: 5 }, /item\.id must be 1-128 characters/],
    [{ "": 1 }, /attribute name "": expected 1-255 characters/],
    [{ n: 1e300 }, /item\.n is 1e\+300: it is too large: DynamoDB stores magnitudes below 1E\+126/],
    [{ n: 1e126 }, /item\.n is 1e\+126: it is too large/],
    [{ n: 1e-131 }, /item\.n is 1e-131: it is too small: DynamoDB stores 0 or magnitudes from 1E-130/],
    [{ n: Number.NaN }, /is not a finite number/],
    [{ s: "bad \ud800 text" }, /lone UTF-16 surrogate/],
  ])("rejects %j", (body, message) => {
    expect(() => parseNewItem(body)).toThrow(message);
  });

  it("keeps numbers exactly as DynamoDB does: 38 digits, 1E-130 to <1E+126, canonical plain text", () => {
    const body = parseJsonExact(
      '{"big":123456789012345678901234567890.12345678,"tiny":1E-130,"max":9.9999999999999999999999999999999999999E+125,' +
        '"e":1.50e2,"neg":-0.000120,"zero":-0.0,"safe":2.5}',
    );
    const text = JSON.stringify(parseNewItem(body).attributes);
    expect(text).toBe(
      `{"big":123456789012345678901234567890.12345678,"tiny":0.${"0".repeat(129)}1,"max":${"9".repeat(38)}${"0".repeat(88)},` +
        '"e":150,"neg":-0.00012,"zero":0,"safe":2.5}',
    );
  });

  it.each([
    ['{"n":1e-400}', /item\.n is 1e-400: it is too small/],
    ['{"n":9.99e-131}', /item\.n is 9\.99e-131: it is too small/],
    ['{"n":1E+126}', /it is too large/],
    [
      '{"n":0.12345678901234567890123456789012345678901}',
      /has 41 significant digits: DynamoDB keeps at most 38/,
    ],
    ['{"n":123456789012345678901234567890123456789}', /has 39 significant digits/],
  ])("refuses %s instead of rounding it", (text, message) => {
    expect(() => parseNewItem(parseJsonExact(text))).toThrow(message);
  });

  it("refuses a patch whose update expression would pass DynamoDB's 4 KB limit, with the reason", () => {
    const patch = Object.fromEntries(Array.from({ length: 340 }, (_, i) => [`a${i}`, i]));
    expect(() => parsePatch(patch, "x")).toThrow(
      /update expression would be \d+ bytes, over DynamoDB's 4096-byte expression limit; change at most ~\d+ attributes per update/,
    );
    const fits = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, i]));
    expect(() => parsePatch(fits, "x")).not.toThrow();
  });

  it("rejects nesting deeper than DynamoDB's 32 levels and accepts exactly 32", () => {
    const nest = (levels: number): unknown => (levels === 0 ? "leaf" : { n: nest(levels - 1) });
    expect(() => parseNewItem({ doc: nest(MAX_DEPTH - 1) })).not.toThrow();
    expect(() => parseNewItem({ doc: nest(MAX_DEPTH) })).toThrow(/deeper than 32 levels/);
  });

  it("answers an item over 400 KB with PayloadTooLargeError, just under it with the item", () => {
    const overhead = itemSizeBytes({ id: "big", data: "" });
    expect(() => parseReplacement({ data: "x".repeat(MAX_ITEM_SIZE_BYTES - overhead) }, "big")).not.toThrow();
    expect(() => parseReplacement({ data: "x".repeat(MAX_ITEM_SIZE_BYTES - overhead + 1) }, "big")).toThrow(
      PayloadTooLargeError,
    );
  });

  it("counts multi-byte characters as UTF-8 bytes", () => {
    expect(itemSizeBytes({ id: "a", s: "é€😀" })).toBe(2 + 2 + 3 + 4 + 1 + 1);
  });

  it("refuses a replacement whose id differs from the path", () => {
    expect(wire(parseReplacement({ id: "a", v: 1 }, "a"))).toEqual({ id: "a", v: 1 });
    expect(() => parseReplacement({ id: "b" }, "a")).toThrow(
      /item\.id is the string "b" but the path says "a"/,
    );
  });

  it("reads a patch: values set, null removes, the path id may repeat, another id and empty patches are refused", () => {
    expect(wire(parsePatch({ a: 1, b: null, c: { d: [] } }, "x"))).toEqual({
      set: { a: 1, c: { d: [] } },
      remove: ["b"],
    });
    expect(wire(parsePatch({ id: "x", a: 1 }, "x"))).toEqual({ set: { a: 1 }, remove: [] });
    expect(() => parsePatch({ id: "y", a: 1 }, "x")).toThrow(
      /patch\.id is the string "y" but the path says "x"/,
    );
    expect(() => parsePatch({}, "x")).toThrow(/patch is empty/);
    expect(() => parsePatch({ id: "x" }, "x")).toThrow(/patch is empty/);
  });
});

describe("parseLimit", () => {
  it("defaults to 25 and reads decimal text", () => {
    expect(parseLimit(undefined, "limit")).toBe(25);
    expect(parseLimit("7", "limit", "query")).toBe(7);
    expect(parseLimit(100, "limit")).toBe(100);
  });
  it.each(["0", "101", "-1", "1.5", "abc", "", 0, 2.5])("rejects %j", (raw) => {
    expect(() => parseLimit(raw, "query parameter limit", "query")).toThrow(
      /query parameter limit must be an integer from 1 to 100/,
    );
  });
});

describe("cursor", () => {
  const KEY = "k".repeat(32);
  const codec = new CursorCodec(KEY);
  const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signedBy = (key: string, payload: string) =>
    `${payload}.${createHmac("sha256", key).update(payload).digest().subarray(0, 16).toString("base64url")}`;

  it("round-trips a key", () => {
    const cursor = codec.encode({ id: "abc-1" });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(codec.decode(cursor)).toEqual({ id: "abc-1" });
  });
  const valid = codec.encode({ id: "abc-1" });
  it.each([
    ["not base64 !", "!"],
    ["not JSON", Buffer.from("hello").toString("base64url")],
    ["an unsigned cursor of a valid key (the old format)", forge({ id: "zzz" })],
    ["a valid key signed with another key", signedBy("x".repeat(32), forge({ id: "zzz" }))],
    ["a tampered payload", `${forge({ id: "abc-2" })}.${valid.split(".")[1]}`],
    ["a tampered MAC", `${valid.slice(0, -1)}${valid.endsWith("A") ? "B" : "A"}`],
    ["extra key", signedBy(KEY, forge({ id: "a", other: { S: "x" } }))],
    ["foreign key shape", signedBy(KEY, forge({ id: { S: "a" } }))],
    ["bad id", signedBy(KEY, forge({ id: "a b" }))],
    ["array", signedBy(KEY, Buffer.from("[]").toString("base64url"))],
  ])("rejects a forged cursor (%s)", (_name, cursor) => {
    expect(() => codec.decode(cursor)).toThrow(/cursor is not one this service issued/);
  });
});
