/**
 * The opaque list cursor: base64url of `{"id":"..."}`. Decoding is strict, so a forged cursor is a 400 and
 * never reaches ExclusiveStartKey as anything but a validated `{ id }`. Pure module.
 */
import { ValidationError } from "./errors.ts";
import { ID_PATTERN, isPlainObject } from "./validation.ts";

const BASE64URL = /^[A-Za-z0-9_-]{1,400}$/;

export function encodeCursor(key: { id: string }): string {
  return Buffer.from(JSON.stringify({ id: key.id }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): { id: string } {
  const invalid = new ValidationError(
    "cursor is not one this service issued: pass the `cursor` value of the previous page unchanged, or omit it",
  );
  if (!BASE64URL.test(cursor)) throw invalid;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid;
  }
  if (!isPlainObject(decoded) || Object.keys(decoded).length !== 1) throw invalid;
  const id = decoded["id"];
  if (typeof id !== "string" || !ID_PATTERN.test(id)) throw invalid;
  return { id };
}
