/** Readers of request members for the JSON protocols: each names the member and what was expected. */
import { AwsWireError } from "./errors.ts";

export type Body = Record<string, unknown>;

export function optionalString(body: Body, key: string, code: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string")
    throw new AwsWireError(code, 400, `${key} must be a string, got ${JSON.stringify(v)}`);
  return v;
}

export function requiredString(body: Body, key: string, code: string): string {
  const v = optionalString(body, key, code);
  if (v === undefined || v === "") {
    throw new AwsWireError(
      code,
      400,
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

export function optionalNumber(body: Body, key: string, code: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new AwsWireError(code, 400, `${key} must be a number, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function optionalBoolean(body: Body, key: string, code: string): boolean | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean")
    throw new AwsWireError(code, 400, `${key} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

export function optionalArray(body: Body, key: string, code: string): unknown[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new AwsWireError(code, 400, `${key} must be a list, got ${JSON.stringify(v)}`);
  return v;
}

export function objectAt(value: unknown, where: string, code: string): Body {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AwsWireError(code, 400, `${where} must be an object, got ${JSON.stringify(value)}`);
  }
  return value as Body;
}

/** A JSON-protocol timestamp: epoch seconds (what the SDK sends) or an ISO 8601 string. Returns epoch ms. */
export function timestampMs(body: Body, key: string, code: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === "number" && Number.isFinite(v)) return v * 1000;
  if (typeof v === "string" && Number.isFinite(Date.parse(v))) return Date.parse(v);
  throw new AwsWireError(
    code,
    400,
    `${key} must be a timestamp (epoch seconds or ISO 8601), got ${JSON.stringify(v)}`,
  );
}
