import { describe, expect, it } from "vitest";
import { ResponseTooLargeError } from "./errors.ts";
import {
  encodedItemBytes,
  fitPage,
  fitResponse,
  mayExceedLimit,
  PAGE_BUDGET_BYTES,
  RESPONSE_LIMIT_BYTES,
  serializedBytes,
} from "./response-size.ts";
import { MAX_ITEM_SIZE_BYTES } from "./validation.ts";

/** A proxy response as the handler builds it, serialised as the Lambda runtime does. */
const proxyResponseBytes = (items: unknown[]) =>
  serializedBytes({
    statusCode: 200,
    headers: {},
    body: JSON.stringify({ items, cursor: null }),
    isBase64Encoded: false,
  });

describe("encoded sizes in a proxy response", () => {
  it("counts a control character as 7 bytes and a quote or backslash as 4, like the double JSON encoding", () => {
    const item = { id: "a", s: "\u0001".repeat(1000) };
    const plain = { id: "a", s: "" };
    expect(encodedItemBytes(item) - encodedItemBytes(plain)).toBe(7000);
    expect(encodedItemBytes({ id: "a", s: '"\\' }) - encodedItemBytes(plain)).toBe(8);
    expect(encodedItemBytes({ id: "a", s: "é😀" }) - encodedItemBytes(plain)).toBe(2 + 4);
  });

  it("matches the real serialised size of a page within the envelope", () => {
    const items = [
      { id: "a", s: '\u0001\u001f"\\x'.repeat(500) },
      { id: "b", n: 1, list: ["é", null, true] },
    ];
    const envelope = proxyResponseBytes([]);
    const counted = items.reduce((sum, item) => sum + encodedItemBytes(item), 0) - 1; // no comma after the last
    expect(proxyResponseBytes(items) - envelope).toBe(counted);
  });

  it("keeps a maximal item of the worst characters under the response limit (so one item always fits)", () => {
    const worst = { id: "w", s: "\u0001".repeat(MAX_ITEM_SIZE_BYTES - 2) };
    expect(proxyResponseBytes([worst])).toBeLessThan(RESPONSE_LIMIT_BYTES / 2);
  });
});

describe("fitPage", () => {
  it("stops before the budget, keeps at least one item, and keeps every item of a small page", () => {
    const big = (id: string) => ({ id, s: "\u0001".repeat(340_000) }); // ~2.38 MB encoded each
    const page = fitPage([big("a"), big("b"), big("c")]);
    expect(page.map((item) => item.id)).toEqual(["a", "b"]);
    expect(proxyResponseBytes(page)).toBeLessThan(RESPONSE_LIMIT_BYTES);
    expect(fitPage([big("a")], 10)).toHaveLength(1);
    const small = [{ id: "x" }, { id: "y" }];
    expect(fitPage(small)).toEqual(small);
    expect(PAGE_BUDGET_BYTES).toBeLessThan(RESPONSE_LIMIT_BYTES);
  });
});

describe("mayExceedLimit", () => {
  it("clears ordinary bodies cheaply and sends only large ones to the exact measurement", () => {
    expect(mayExceedLimit("x".repeat(100_000))).toBe(false);
    expect(mayExceedLimit("x".repeat(2_100_000))).toBe(true);
    // The bound is an upper bound: a body it clears can never serialise past the limit.
    const cleared = '"\\u0001'.repeat(Math.floor((RESPONSE_LIMIT_BYTES - 16 * 1024) / 3 / 7));
    expect(mayExceedLimit(cleared)).toBe(false);
    expect(serializedBytes({ body: cleared })).toBeLessThan(RESPONSE_LIMIT_BYTES);
  });
});

describe("fitResponse", () => {
  const response = (body: string) => ({ statusCode: 200, headers: {}, body, isBase64Encoded: false });

  it("passes an answer that fits and refuses one that Lambda could not carry with ResponseTooLarge (413)", () => {
    const fits = response(JSON.stringify({ s: "\u0001".repeat(400_000) })); // ~2.8 MB serialised
    expect(fitResponse(fits)).toBe(fits);
    const tooLarge = response(JSON.stringify({ s: "\u0001".repeat(900_000) })); // ~6.3 MB serialised
    expect(() => fitResponse(tooLarge)).toThrow(ResponseTooLargeError);
    expect(() => fitResponse(tooLarge)).toThrow(/over Lambda's 6291456-byte response limit/);
  });
});
