/**
 * Numbers kept exactly, as DynamoDB keeps them: up to 38 significant digits, magnitude 1E-130 to
 * 9.9999999999999999999999999999999999999E+125. Request bodies are parsed with each number's source text
 * (`parseJsonExact`), numbers travel as `ExactNumber` (the SDK's NumberValue, so the DocumentClient writes
 * them as `N` text), and responses print that text unchanged (`toJSON` gives `JSON.rawJSON`). A JavaScript
 * number never stands in between, so `1e-400` is refused instead of becoming 0 and
 * `0.1234567890123456789` keeps its digits.
 */
import { NumberValue } from "@aws-sdk/lib-dynamodb";

/** DynamoDB's limits for the Number type. */
export const NUMBER_LIMITS = {
  significantDigits: 38,
  /** Smallest power of ten of a non-zero magnitude: 1E-130. */
  minExponent: -130,
  /** Largest power of ten of the leading digit: 9.99...E+125. */
  maxExponent: 125,
} as const;

// JSON.rawJSON (Node 21+, the Lambda nodejs22.x runtime) is not in TypeScript's ES2023 lib.
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/** A number as exact decimal text; JSON.stringify prints the text itself. */
export class ExactNumber extends NumberValue {
  constructor(text: string) {
    super(text);
  }
  toJSON(): unknown {
    return rawJson(this.value);
  }
}

/** A decimal number read from text: its canonical text or why DynamoDB cannot store it. */
export type DecimalReading =
  | { ok: true; text: string; significantDigits: number }
  | { ok: false; reason: string };

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * Reads decimal text (JSON number syntax) into DynamoDB's canonical form: plain notation, no leading or
 * trailing zeros, "0" for any zero (the form DynamoDB and dynalite answer with).
 *
 * @example readDecimal("1.50e2") // { ok: true, text: "150", significantDigits: 2 }
 */
export function readDecimal(source: string): DecimalReading {
  const match = DECIMAL.exec(source);
  if (!match || source.length > 1000) return { ok: false, reason: "is not a decimal number" };
  const [, sign = "", intPart = "", fracPart = "", expPart = "0"] = match;
  const exponentShift = Number(expPart);
  let digits = intPart + fracPart;
  // value = digits × 10^(exponentShift − fracPart.length)
  let scale = exponentShift - fracPart.length;
  digits = digits.replace(/^0+/, "");
  if (digits === "") return { ok: true, text: "0", significantDigits: 1 };
  const trailing = digits.length - digits.replace(/0+$/, "").length;
  digits = digits.slice(0, digits.length - trailing);
  scale += trailing;
  const leadingExponent = digits.length - 1 + scale;
  if (digits.length > NUMBER_LIMITS.significantDigits) {
    return {
      ok: false,
      reason: `has ${digits.length} significant digits: DynamoDB keeps at most ${NUMBER_LIMITS.significantDigits}`,
    };
  }
  if (leadingExponent > NUMBER_LIMITS.maxExponent) {
    return { ok: false, reason: "is too large: DynamoDB stores magnitudes below 1E+126" };
  }
  if (leadingExponent < NUMBER_LIMITS.minExponent) {
    return { ok: false, reason: "is too small: DynamoDB stores 0 or magnitudes from 1E-130" };
  }
  let text: string;
  if (scale >= 0) text = digits + "0".repeat(scale);
  else if (-scale < digits.length) text = `${digits.slice(0, scale)}.${digits.slice(scale)}`;
  else text = `0.${"0".repeat(-scale - digits.length)}${digits}`;
  return { ok: true, text: sign + text, significantDigits: digits.length };
}

/**
 * JSON.parse that keeps every number's source text: numbers become ExactNumber (checked later, where the
 * value is used), everything else is what JSON.parse gives. V8 revives recursively: check the nesting first
 * (`scanJson`), a few thousand levels overflow the stack.
 */
export function parseJsonExact(text: string): unknown {
  return JSON.parse(text, function revive(this: unknown, _key, value, context?: { source?: string }) {
    return typeof value === "number" && context?.source !== undefined
      ? new ExactNumber(context.source)
      : value;
  });
}

/** What one pass over JSON text finds before it is parsed. */
export interface JsonScan {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /**
   * True when some number may not survive a JavaScript number exactly: an exponent, or more than 15
   * significant digits (every decimal of at most 15 significant digits does, DBL_DIG).
   */
  needsExactNumbers: boolean;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** One linear pass over (possibly invalid) JSON text: nesting depth and whether numbers need their source. */
export function scanJson(text: string): JsonScan {
  let depth = 0;
  let maxDepth = 0;
  let needsExactNumbers = false;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote, over escapes
      i++;
      while (i < text.length) {
        const s = text.charCodeAt(i);
        if (s === 0x5c) i += 2;
        else if (s === 0x22) break;
        else i++;
      }
      i++;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > maxDepth) maxDepth = depth;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
    } else if (c === 0x2d || isDigit(c)) {
      let significant = 0;
      let leading = true;
      while (i < text.length) {
        const n = text.charCodeAt(i);
        if (isDigit(n)) {
          if (n !== 0x30 || !leading) {
            leading = false;
            significant++;
          }
        } else if (n === 0x65 || n === 0x45) needsExactNumbers = true;
        else if (n !== 0x2d && n !== 0x2b && n !== 0x2e) break;
        i++;
      }
      if (significant > 15) needsExactNumbers = true;
    } else i++;
  }
  return { maxDepth, needsExactNumbers };
}
