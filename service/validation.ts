/**
 * Explicit, hand-written schemas for everything a client sends: ids, items, patches, list queries, cursors.
 * Every function takes `unknown` and returns a typed value or throws ValidationError with a message that says
 * what was wrong, what was expected and what was got. Pure module: no I/O.
 */
import { PayloadTooLargeError, ValidationError } from "./errors.ts";
import { ExactNumber, readDecimal } from "./exact-number.ts";
import type { Attributes, AttributeValue, Item, Patch } from "./item-types.ts";
import { buildUpdate } from "./update-expression.ts";

export type { Attributes, AttributeValue, Item, Patch } from "./item-types.ts";

/** Item ids: what the service accepts as `id` (path parameter, body field, command Key). */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** DynamoDB's item size limit (attribute names + values), answered as 413 before any SDK call. */
export const MAX_ITEM_SIZE_BYTES = 400 * 1024;
/** Raw request body limit: room for a maximal item's JSON punctuation, nothing more. */
export const MAX_BODY_BYTES = 512 * 1024;
/** DynamoDB's nesting limit for lists and maps. */
export const MAX_DEPTH = 32;
export const MAX_ATTRIBUTE_NAME_LENGTH = 255;
export const LIST_LIMIT = { default: 25, min: 1, max: 100 } as const;

/** Short rendering of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the field is missing)";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  if (value instanceof ExactNumber) return `number ${value.value.slice(0, 40)}`;
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

/** A JSON object (plain prototype): not an array, not an ExactNumber or any other class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

export function expectObject(value: unknown, where: string): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new ValidationError(`${where} must be a JSON object, got ${describeValue(value)}`);
  return value;
}

/** Rejects fields outside `allowed`: payloads are never spread into SDK calls, so extra fields are errors. */
export function rejectUnknownFields(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  where: string,
): void {
  const extra = Object.keys(obj).filter((key) => !allowed.includes(key));
  if (extra.length > 0) {
    const allowedText = allowed.length > 0 ? allowed.join(", ") : "no fields";
    throw new ValidationError(
      `${where} has unsupported field(s) ${extra.map((k) => JSON.stringify(k)).join(", ")}: expected only ${allowedText}`,
    );
  }
}

export function validateId(value: unknown, where: string): string {
  if (typeof value !== "string" || !ID_PATTERN.test(value)) {
    throw new ValidationError(
      `${where} must be 1-128 characters of A-Z a-z 0-9 _ -, got ${describeValue(value)}`,
    );
  }
  return value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a string has no lone UTF-16 surrogate, i.e. it can be encoded as UTF-8. */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * A number as DynamoDB keeps it (38 significant digits, magnitude 1E-130 to <1E+126), canonical text.
 * Over HTTP numbers arrive as ExactNumber with their source text; a direct invocation's event was parsed by the
 * Lambda runtime, so its numbers are JavaScript numbers (read through their shortest exact text).
 */
export function validateNumber(value: ExactNumber | number, where: string): ExactNumber {
  const source = value instanceof ExactNumber ? value.value : String(value);
  const reading = Number.isFinite(value instanceof ExactNumber ? 0 : value)
    ? readDecimal(source)
    : ({ ok: false, reason: "is not a finite number" } as const);
  if (!reading.ok) {
    throw new ValidationError(
      `${where} is ${source.slice(0, 60)}: it ${reading.reason}; expected 0 or a number of magnitude 1E-130 to ` +
        "9.9999999999999999999999999999999999999E+125 with at most 38 significant digits",
    );
  }
  return new ExactNumber(reading.text);
}

function validateValue(value: unknown, where: string, depth: number): AttributeValue {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "string") {
    if (!isWellFormedText(value)) {
      throw new ValidationError(
        `${where} contains a lone UTF-16 surrogate: expected text that is valid Unicode`,
      );
    }
    return value;
  }
  if (typeof value === "number" || value instanceof ExactNumber) return validateNumber(value, where);
  if (typeof value === "object") {
    if (depth >= MAX_DEPTH) {
      throw new ValidationError(
        `${where} nests lists/maps deeper than ${MAX_DEPTH} levels: flatten the document`,
      );
    }
    if (Array.isArray(value)) return value.map((el, i) => validateValue(el, `${where}[${i}]`, depth + 1));
    const out: Record<string, AttributeValue> = {};
    for (const [name, nested] of Object.entries(value)) {
      validateAttributeName(name, where);
      out[name] = validateValue(nested, `${where}.${name}`, depth + 1);
    }
    return out;
  }
  throw new ValidationError(`${where} has an unsupported value: ${describeValue(value)}`);
}

export function validateAttributeName(name: string, where: string): void {
  if (name.length === 0 || name.length > MAX_ATTRIBUTE_NAME_LENGTH || !isWellFormedText(name)) {
    throw new ValidationError(
      `${where} has an attribute name ${JSON.stringify(name.slice(0, 40))}: expected 1-${MAX_ATTRIBUTE_NAME_LENGTH} characters of valid Unicode`,
    );
  }
  // JSON.parse makes "__proto__" an own key, but assigning it would set a prototype instead: refuse it.
  if (name === "__proto__") {
    throw new ValidationError(
      `${where} has the attribute name "__proto__": it is reserved; rename the attribute`,
    );
  }
}

/** Validates a map of top-level attributes (names and values); `where` names it in messages. */
export function validateAttributes(value: unknown, where: string): Attributes {
  const obj = expectObject(value, where);
  const out: Attributes = {};
  for (const [name, nested] of Object.entries(obj)) {
    validateAttributeName(name, where);
    out[name] = validateValue(nested, `${where}.${name}`, 1);
  }
  return out;
}

const utf8 = new TextEncoder();

function valueSizeBytes(value: AttributeValue): number {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return utf8.encode(value).length;
  if (value instanceof ExactNumber) {
    const digits = value.value.replace(/[-.]/g, "").replace(/^0+/, "").replace(/0+$/, "");
    return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
  }
  if (Array.isArray(value)) return value.reduce<number>((sum, el) => sum + 1 + valueSizeBytes(el), 3);
  return Object.entries(value).reduce<number>(
    (sum, [name, el]) => sum + 1 + utf8.encode(name).length + valueSizeBytes(el),
    3,
  );
}

/** Item size by DynamoDB's rules (names + values; lists/maps 3 bytes + 1 per element; numbers ~digits/2 + 1). */
export function itemSizeBytes(attributes: Attributes): number {
  return Object.entries(attributes).reduce(
    (sum, [name, value]) => sum + utf8.encode(name).length + valueSizeBytes(value),
    0,
  );
}

export function assertItemSize(attributes: Attributes): void {
  const sizeBytes = itemSizeBytes(attributes);
  if (sizeBytes > MAX_ITEM_SIZE_BYTES) {
    throw new PayloadTooLargeError(
      `item is ${sizeBytes} bytes: DynamoDB items are at most ${MAX_ITEM_SIZE_BYTES} bytes (400 KB); store large data elsewhere`,
    );
  }
}

/** Body of POST /items: attributes with an optional client-chosen `id`. */
export function parseNewItem(body: unknown): { id: string | undefined; attributes: Attributes } {
  const attributes = validateAttributes(body, "item");
  const id = attributes["id"] === undefined ? undefined : validateId(attributes["id"], "item.id");
  return { id, attributes };
}

/** Body of PUT /items/{id}: the full new item; `id` may be omitted but must match the path when given. */
export function parseReplacement(body: unknown, pathId: string): Item {
  const attributes = validateAttributes(body, "item");
  if (attributes["id"] !== undefined && attributes["id"] !== pathId) {
    throw new ValidationError(
      `item.id is ${describeValue(attributes["id"])} but the path says "${pathId}": omit id or make them equal`,
    );
  }
  const item: Item = { ...attributes, id: pathId };
  assertItemSize(item);
  return item;
}

/**
 * Body of PATCH /items/{id}: a top-level JSON merge patch. A value sets the attribute (maps and lists are
 * replaced whole), `null` removes it. `id` cannot change: it may only repeat the path's id (then ignored).
 */
export function parsePatch(body: unknown, pathId: string): Patch {
  const attributes = validateAttributes(body, "patch");
  if ("id" in attributes && attributes["id"] !== pathId) {
    throw new ValidationError(
      `patch.id is ${describeValue(attributes["id"])} but the path says "${pathId}": the id of an item cannot change; omit id`,
    );
  }
  const names = Object.keys(attributes).filter((name) => name !== "id");
  if (names.length === 0)
    throw new ValidationError("patch is empty: expected at least one attribute to set or remove");
  const set: Attributes = {};
  const remove: string[] = [];
  for (const name of names) {
    const value = attributes[name] as AttributeValue;
    if (value === null) remove.push(name);
    else set[name] = value;
  }
  assertItemSize(set);
  buildUpdate({ set, remove }); // refuses a patch over DynamoDB's 4 KB expression limit
  return { set, remove };
}

/** A page size: a JSON number, or decimal text when `source` is "query" (query strings carry only text). */
export function parseLimit(raw: unknown, where: string, source: "query" | "json" = "json"): number {
  if (raw === undefined) return LIST_LIMIT.default;
  const text =
    raw instanceof ExactNumber ? raw.value : source === "query" && typeof raw === "string" ? raw : undefined;
  const value = text !== undefined && /^\d{1,6}$/.test(text) ? Number(text) : raw;
  if (
    typeof value !== "number" ||
    !Number.isInteger(value) ||
    value < LIST_LIMIT.min ||
    value > LIST_LIMIT.max
  ) {
    throw new ValidationError(
      `${where} must be an integer from ${LIST_LIMIT.min} to ${LIST_LIMIT.max}, got ${describeValue(raw)}`,
    );
  }
  return value;
}
