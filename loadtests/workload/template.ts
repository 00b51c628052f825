/**
 * The `{{...}}` generators of a workload file's templates (paths, query values, headers, body strings, entity
 * fields), parsed once and rendered with a seeded random stream. Pure: no I/O, so a sequence planned from a
 * workload file is the same for the same seed, byte for byte. docs/workload.md lists every generator.
 *
 *   "{{id}}"                 a unique id (entity fields only): <prefix>-s<n> seeded, <prefix>-c<n> created
 *   "{{note.userId}}"        a field of the route's entity
 *   "{{int(1, 8)}}"          an integer from 1 to 8 (a JSON number when it is the whole string of a body value)
 *   "{{number(0, 100)}}"     a number from 0 to 100, two decimals (a JSON number likewise)
 *   "{{string(12)}}"         12 random characters of [a-z0-9]; "{{string(8, 24)}}" 8 to 24 of them
 *   "{{pick(work, home)}}"   one of the words
 *   "{{fill}}"               padding that brings the body to the route's drawn bodySize
 *   "{{index}}"              the request's index in the sequence
 */
import type { Random } from "../random.ts";

/** One `{{...}}` expression, parsed. */
export type Expression =
  | { kind: "id" }
  | { kind: "fill" }
  | { kind: "index" }
  | { kind: "field"; entity: string; field: string }
  | { kind: "int"; min: number; max: number }
  | { kind: "number"; min: number; max: number }
  | { kind: "string"; min: number; max: number }
  | { kind: "pick"; options: string[] };

/** A template: literal text and expressions, in order. */
export type TemplatePart = string | Expression;

/** A template that does not parse; `message` says what and how to fix it (the caller adds where). */
export class TemplateSyntaxError extends Error {
  override name = "TemplateSyntaxError";
}

const FUNCTIONS =
  "id, fill, index, <entity>.<field>, int(min, max), number(min, max), string(n), string(min, max), pick(a, b, ...)";

function numbers(name: string, args: string[], count: number[]): number[] {
  if (!count.includes(args.length)) {
    throw new TemplateSyntaxError(`${name}() takes ${count.join(" or ")} argument(s), got ${args.length}`);
  }
  return args.map((arg) => {
    const value = Number(arg);
    if (arg === "" || !Number.isFinite(value)) {
      throw new TemplateSyntaxError(`${name}(): "${arg}" is not a number`);
    }
    return value;
  });
}

function parseExpression(text: string): Expression {
  const source = text.trim();
  if (source === "id" || source === "fill" || source === "index") return { kind: source };
  const field = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(source);
  if (field) return { kind: "field", entity: field[1] as string, field: field[2] as string };
  const call = /^([a-z]+)\((.*)\)$/s.exec(source);
  if (!call) throw new TemplateSyntaxError(`unknown generator "{{${source}}}": expected one of ${FUNCTIONS}`);
  const name = call[1] as string;
  const args = (call[2] as string).trim() === "" ? [] : (call[2] as string).split(",").map((a) => a.trim());
  switch (name) {
    case "int": {
      const [min, max] = numbers(name, args, [2]) as [number, number];
      if (!Number.isInteger(min) || !Number.isInteger(max) || min > max)
        throw new TemplateSyntaxError(`int(${min}, ${max}): expected whole numbers with min ≤ max`);
      return { kind: "int", min, max };
    }
    case "number": {
      const [min, max] = numbers(name, args, [2]) as [number, number];
      if (min > max) throw new TemplateSyntaxError(`number(${min}, ${max}): expected min ≤ max`);
      return { kind: "number", min, max };
    }
    case "string": {
      const values = numbers(name, args, [1, 2]);
      const min = values[0] as number;
      const max = values[1] ?? min;
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || min > max || max > 1_000_000)
        throw new TemplateSyntaxError(
          `string(${values.join(", ")}): expected lengths 0 ≤ min ≤ max ≤ 1000000`,
        );
      return { kind: "string", min, max };
    }
    case "pick":
      if (args.length === 0 || args.some((a) => a === ""))
        throw new TemplateSyntaxError("pick() needs at least one non-empty word, e.g. pick(work, home)");
      return { kind: "pick", options: args };
    default:
      throw new TemplateSyntaxError(`unknown generator "${name}()": expected one of ${FUNCTIONS}`);
  }
}

/**
 * Parses a template string into parts.
 *
 * @example parseTemplate("/users/{{note.userId}}/notes") // ["/users/", {kind:"field",...}, "/notes"]
 */
export function parseTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf("{{");
    if (open < 0) break;
    const close = rest.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateSyntaxError(`"{{" without "}}" in "${text}"`);
    if (open > 0) parts.push(rest.slice(0, open));
    parts.push(parseExpression(rest.slice(open + 2, close)));
    rest = rest.slice(close + 2);
  }
  if (rest !== "" || parts.length === 0) parts.push(rest);
  return parts;
}

/** The expressions of parsed parts (for checks). */
export function expressionsOf(parts: readonly TemplatePart[]): Expression[] {
  return parts.filter((p): p is Expression => typeof p !== "string");
}

/** What rendering may read: the route's entity, the id to give, the padding, the request index. */
export interface RenderContext {
  random: Random;
  /** Entity name → its fields (only the route's entity). */
  entities: Record<string, Record<string, string>>;
  /** Value of {{id}} (entity fields only). */
  id?: string;
  /** Value of {{fill}}. @default "" */
  fill?: string;
  index?: number;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function evaluate(expression: Expression, context: RenderContext): string | number {
  const { random } = context;
  switch (expression.kind) {
    case "id":
      if (context.id === undefined) throw new TemplateSyntaxError("{{id}} is only allowed in entity fields");
      return context.id;
    case "fill":
      return context.fill ?? "";
    case "index":
      return context.index ?? 0;
    case "field": {
      const value = context.entities[expression.entity]?.[expression.field];
      if (value === undefined) {
        throw new TemplateSyntaxError(
          `{{${expression.entity}.${expression.field}}}: the route has no entity "${expression.entity}" with a field "${expression.field}"`,
        );
      }
      return value;
    }
    case "int":
      return expression.min + random.int(expression.max - expression.min + 1);
    case "number":
      return Math.round((expression.min + random.next() * (expression.max - expression.min)) * 100) / 100;
    case "string": {
      const length = expression.min + random.int(expression.max - expression.min + 1);
      let out = "";
      for (let i = 0; i < length; i++) out += ALPHABET[random.int(ALPHABET.length)];
      return out;
    }
    case "pick":
      return expression.options[random.int(expression.options.length)] as string;
  }
}

/**
 * Renders parts. A template that is exactly one int/number/index expression gives a number when `typed`
 * (body values), else text.
 */
export function renderTemplate(
  parts: readonly TemplatePart[],
  context: RenderContext,
  typed = false,
): string | number {
  if (typed && parts.length === 1 && typeof parts[0] !== "string") {
    return evaluate(parts[0] as Expression, context);
  }
  let out = "";
  for (const part of parts) out += typeof part === "string" ? part : String(evaluate(part, context));
  return out;
}

/** A JSON body template, parsed: every string inside is a template. */
export type BodyTemplate =
  | { kind: "string"; parts: TemplatePart[] }
  | { kind: "literal"; value: null | boolean | number }
  | { kind: "array"; items: BodyTemplate[] }
  | { kind: "object"; entries: Array<[string, BodyTemplate]> };

/** Parses a JSON value's strings as templates; `at` names where, for errors. */
export function parseBodyTemplate(value: unknown, at: string): BodyTemplate {
  if (typeof value === "string") {
    try {
      return { kind: "string", parts: parseTemplate(value) };
    } catch (error) {
      throw new TemplateSyntaxError(`${at}: ${(error as Error).message}`);
    }
  }
  if (value === null || typeof value === "boolean" || typeof value === "number")
    return { kind: "literal", value };
  if (Array.isArray(value))
    return { kind: "array", items: value.map((item, i) => parseBodyTemplate(item, `${at}[${i}]`)) };
  if (typeof value === "object") {
    return {
      kind: "object",
      entries: Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        parseBodyTemplate(v, `${at}.${k}`),
      ]),
    };
  }
  throw new TemplateSyntaxError(`${at}: expected a JSON value, got ${typeof value}`);
}

/** Every expression of a body template. */
export function bodyExpressions(body: BodyTemplate): Expression[] {
  switch (body.kind) {
    case "string":
      return expressionsOf(body.parts);
    case "literal":
      return [];
    case "array":
      return body.items.flatMap(bodyExpressions);
    case "object":
      return body.entries.flatMap(([, v]) => bodyExpressions(v));
  }
}

/** Renders a body template into a JSON value. */
export function renderBody(body: BodyTemplate, context: RenderContext): unknown {
  switch (body.kind) {
    case "string":
      return renderTemplate(body.parts, context, true);
    case "literal":
      return body.value;
    case "array":
      return body.items.map((item) => renderBody(item, context));
    case "object":
      return Object.fromEntries(body.entries.map(([k, v]) => [k, renderBody(v, context)]));
  }
}
