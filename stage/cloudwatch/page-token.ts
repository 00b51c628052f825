/** Opaque pagination tokens of the emulation: base64url JSON, validated when read back. */
import { InvalidParameterError } from "./errors.ts";

type ErrorCode = "InvalidParameterValueException" | "InvalidParameterException";

export function encodeToken(value: Record<string, number>): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** Reads a token written by encodeToken; throws InvalidParameterError when it is not one of ours. */
export function decodeToken<K extends string>(
  token: string,
  keys: readonly K[],
  code: ErrorCode,
): Record<K, number> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const ok =
    parsed !== null &&
    typeof parsed === "object" &&
    keys.every((k) => Number.isFinite((parsed as Record<string, unknown>)[k]));
  if (!ok) {
    throw new InvalidParameterError(
      code,
      `invalid nextToken ${JSON.stringify(token.slice(0, 80))}: expected a token from a previous response of the same call; start again without nextToken`,
    );
  }
  return parsed as Record<K, number>;
}

/** Offset paging over an already ordered list. */
export function pageByOffset<T>(
  items: readonly T[],
  limit: number,
  nextToken: string | undefined,
  code: ErrorCode,
): { page: T[]; nextToken?: string } {
  const offset = nextToken === undefined ? 0 : decodeToken(nextToken, ["offset"], code).offset;
  const page = items.slice(offset, offset + limit);
  const end = offset + page.length;
  return end < items.length ? { page, nextToken: encodeToken({ offset: end }) } : { page };
}

/** Validates an optional limit against AWS's bounds. */
export function readLimit(
  limit: unknown,
  max: number,
  fallback: number,
  code: ErrorCode,
  parameter = "limit",
): number {
  if (limit === undefined || limit === null) return fallback;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new InvalidParameterError(
      code,
      `invalid ${parameter} ${JSON.stringify(limit)}: expected an integer from 1 to ${max}`,
    );
  }
  return limit;
}
