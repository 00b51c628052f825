import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { PayloadTooLargeError, ValidationError } from "./errors.ts";
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
    expect(parseNewItem(body)).toEqual({ id: "a1", attributes: body });
    expect(parseNewItem({ name: "n" }).id).toBeUndefined();
  });

  it.each([
    [[1, 2], /item must be a JSON object, got an array/],
    ["text", /item must be a JSON object/],
    [{ id: 5 }, /item\.id must be 1-128 characters/],
    [{ "": 1 }, /attribute name "": expected 1-255 characters/],
    [{ n: 1e300 }, /item\.n is 1e\+300: expected 0 or a number of magnitude 1e-130 to 9007199254740991/],
    [{ n: 2 ** 53 }, /item\.n is 9007199254740992: expected 0 or a number/],
    [{ n: -1e20 }, /send larger numbers as strings/],
    [{ n: 1e-131 }, /expected 0 or a number of magnitude 1e-130/],
    [{ s: "bad \ud800 text" }, /lone UTF-16 surrogate/],
  ])("rejects %j", (body, message) => {
    expect(() => parseNewItem(body)).toThrow(message);
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
    expect(parseReplacement({ id: "a", v: 1 }, "a")).toEqual({ id: "a", v: 1 });
    expect(() => parseReplacement({ id: "b" }, "a")).toThrow(
      /item\.id is the string "b" but the path says "a"/,
    );
  });

  it("reads a patch: values set, null removes, the path id may repeat, another id and empty patches are refused", () => {
    expect(parsePatch({ a: 1, b: null, c: { d: [] } }, "x")).toEqual({
      set: { a: 1, c: { d: [] } },
      remove: ["b"],
    });
    expect(parsePatch({ id: "x", a: 1 }, "x")).toEqual({ set: { a: 1 }, remove: [] });
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
  it("round-trips a key", () => {
    const cursor = encodeCursor({ id: "abc-1" });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ id: "abc-1" });
  });
  it.each([
    ["not base64 !", "!"],
    ["not JSON", Buffer.from("hello").toString("base64url")],
    ["extra key", Buffer.from(JSON.stringify({ id: "a", other: { S: "x" } })).toString("base64url")],
    ["foreign key shape", Buffer.from(JSON.stringify({ id: { S: "a" } })).toString("base64url")],
    ["bad id", Buffer.from(JSON.stringify({ id: "a b" })).toString("base64url")],
    ["array", Buffer.from("[]").toString("base64url")],
  ])("rejects a forged cursor (%s)", (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(/cursor is not one this service issued/);
  });
});
