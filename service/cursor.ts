/**
 * The opaque list cursor, authenticated: `<base64url of {"id":"..."}>.<base64url of HMAC-SHA256(key, that)>`
 * (the MAC cut to 16 bytes). Only cursors this service issued with the same key decode; a forged or tampered
 * one is a 400, and even a valid one yields nothing but a validated `{ id }`.
 *
 * The key is the environment's CURSOR_KEY (service/config.ts): on AWS the template generates it in Secrets
 * Manager and passes it to the function; the local stage generates a random one per start.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ValidationError } from "./errors.ts";
import { ID_PATTERN, isPlainObject } from "./validation.ts";

const MAC_BYTES = 16;
const CURSOR = /^([A-Za-z0-9_-]{1,400})\.([A-Za-z0-9_-]{22})$/;

export class CursorCodec {
  constructor(private readonly key: string) {}

  private mac(payload: string): Buffer {
    return createHmac("sha256", this.key).update(payload).digest().subarray(0, MAC_BYTES);
  }

  encode(key: { id: string }): string {
    const payload = Buffer.from(JSON.stringify({ id: key.id }), "utf8").toString("base64url");
    return `${payload}.${this.mac(payload).toString("base64url")}`;
  }

  decode(cursor: string): { id: string } {
    const invalid = new ValidationError(
      "cursor is not one this service issued: pass the `cursor` value of the previous page unchanged, or omit it",
    );
    const match = CURSOR.exec(cursor);
    if (!match) throw invalid;
    const [, payload = "", macText = ""] = match;
    const given = Buffer.from(macText, "base64url");
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(payload))) throw invalid;
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    } catch {
      throw invalid;
    }
    if (!isPlainObject(decoded) || Object.keys(decoded).length !== 1) throw invalid;
    const id = decoded["id"];
    if (typeof id !== "string" || !ID_PATTERN.test(id)) throw invalid;
    return { id };
  }
}
