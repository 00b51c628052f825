/**
 * Pure compiler of CloudWatch Logs filter patterns (FilterLogEvents `filterPattern`) into a predicate.
 *
 * Supported subset:
 * - empty pattern: every event.
 * - Terms: `REPORT`, `"REPORT RequestId"` (a quoted phrase, matched as written), several terms = all must
 *   appear (AND); `?ERROR ?WARN` = at least one of the `?` terms (OR, combined with AND terms when both are
 *   given); `-DEBUG` = must not appear. Matching is case-sensitive and by substring, as CloudWatch matches terms.
 * - JSON patterns on events whose message is a JSON object (or ends in one after the tab-separated prefix of
 *   Lambda's text log format, `<time>\t<requestId>\tINFO\t{...}`): `{ $.type = "platform.report" }`,
 *   `{ $.msg = "request" }`, `{ $.record.metrics.durationMs > 100 }`; selectors `$.a.b`; operators `=` and
 *   `!=` (strings in double quotes, `*` as wildcard; numbers; true/false/null), `<`, `<=`, `>`, `>=` on numbers;
 *   conditions combined with `&&`, `||` (`&&` binds tighter) and parentheses.
 *
 * Not supported (rejected with an InvalidParameterException that says so): space-delimited patterns `[a, b]`,
 * regular expressions `%...%`, `IS NULL` / `EXISTS` / `NOT EXISTS`, array selectors `$.a[0]`.
 */
import { InvalidParameterError } from "./errors.ts";

export type LogFilter = (message: string) => boolean;

/** Compiles a filter pattern; throws InvalidParameterError for syntax outside the supported subset. */
export function compileFilterPattern(pattern: string | undefined): LogFilter {
  const text = (pattern ?? "").trim();
  if (text === "") return () => true;
  if (text.startsWith("{")) return compileJsonPattern(text);
  if (text.startsWith("[")) throw unsupported(text, "space-delimited patterns [a, b, ...] are not supported");
  if (text.startsWith("%")) throw unsupported(text, "regular-expression patterns %...% are not supported");
  return compileTermPattern(text);
}

function unsupported(pattern: string, why: string): InvalidParameterError {
  return new InvalidParameterError(
    "InvalidParameterException",
    `invalid filterPattern ${JSON.stringify(pattern)}: ${why} by the local stage; use terms (REPORT, "a phrase", ?optional, -excluded) or a JSON pattern { $.field = "value" }`,
  );
}

function compileTermPattern(text: string): LogFilter {
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  const token = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (const m of text.matchAll(token)) {
    const [, prefix, quoted, bare] = m;
    if (bare?.includes('"')) throw unsupported(text, `unbalanced quote in term ${bare}`);
    const term = quoted !== undefined ? quoted.replace(/\\(.)/g, "$1") : (bare ?? "");
    if (term === "") continue;
    if (prefix === "?") optional.push(term);
    else if (prefix === "-") excluded.push(term);
    else required.push(term);
  }
  return (message) =>
    required.every((t) => message.includes(t)) &&
    (optional.length === 0 || optional.some((t) => message.includes(t))) &&
    !excluded.some((t) => message.includes(t));
}

type JsonValue = string | number | boolean | null;
type Condition = { selector: string[]; op: "=" | "!=" | "<" | "<=" | ">" | ">="; value: JsonValue };
type Expr = { kind: "cond"; cond: Condition } | { kind: "and" | "or"; left: Expr; right: Expr };

function compileJsonPattern(text: string): LogFilter {
  if (!text.endsWith("}")) throw unsupported(text, "a JSON pattern must end with }");
  const tokens = tokenize(text.slice(1, -1), text);
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string => {
    const t = tokens[pos++];
    if (t === undefined) throw unsupported(text, "the pattern ends too early");
    return t;
  };
  const parseOr = (): Expr => {
    let left = parseAnd();
    while (peek() === "||") {
      pos++;
      left = { kind: "or", left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Expr => {
    let left = parsePrimary();
    while (peek() === "&&") {
      pos++;
      left = { kind: "and", left, right: parsePrimary() };
    }
    return left;
  };
  const parsePrimary = (): Expr => {
    const t = next();
    if (t === "(") {
      const inner = parseOr();
      if (next() !== ")") throw unsupported(text, "expected )");
      return inner;
    }
    if (!/^\$(\.[A-Za-z_][\w-]*)+$/.test(t)) {
      throw unsupported(text, `expected a selector like $.field.sub, got ${JSON.stringify(t)}`);
    }
    const op = next();
    if (op === "IS" || op === "EXISTS" || op === "NOT") throw unsupported(text, `${op} is not supported`);
    if (!["=", "!=", "<", "<=", ">", ">="].includes(op)) {
      throw unsupported(text, `expected an operator (=, !=, <, <=, >, >=), got ${JSON.stringify(op)}`);
    }
    const value = parseValue(next(), text);
    if (!["=", "!="].includes(op) && typeof value !== "number") {
      throw unsupported(text, `${op} needs a number, got ${JSON.stringify(value)}`);
    }
    return { kind: "cond", cond: { selector: t.slice(2).split("."), op: op as Condition["op"], value } };
  };
  const expr = parseOr();
  if (pos !== tokens.length) throw unsupported(text, `unexpected ${JSON.stringify(tokens[pos])}`);
  return (message) => {
    const trimmed = jsonPart(message);
    if (trimmed === undefined) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return false;
    }
    return evaluate(expr, doc);
  };
}

/**
 * The JSON object of a message: the whole message, or what follows the tab-separated prefix of Lambda's text
 * log format (`<time>\t<requestId>\tINFO\t{...}`), which is how a Node handler's console.log(JSON) arrives.
 */
function jsonPart(message: string): string | undefined {
  const trimmed = message.trim();
  if (trimmed.startsWith("{")) return trimmed;
  const tab = trimmed.lastIndexOf("\t");
  const tail = tab >= 0 ? trimmed.slice(tab + 1).trim() : "";
  return tail.startsWith("{") ? tail : undefined;
}

function tokenize(body: string, pattern: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(&&|\|\||!=|<=|>=|=|<|>|\(|\)|"(?:[^"\\]|\\.)*"|[^\s()=!<>&|"]+)/y;
  let index = 0;
  while (index < body.length) {
    if (body.slice(index).trim() === "") break;
    re.lastIndex = index;
    const m = re.exec(body);
    if (!m?.[1]) throw unsupported(pattern, `could not read ${JSON.stringify(body.slice(index).trim())}`);
    tokens.push(m[1]);
    index = re.lastIndex;
  }
  return tokens;
}

function parseValue(token: string, pattern: string): JsonValue {
  if (token.startsWith('"')) return JSON.parse(token) as string;
  if (token === "true") return true;
  if (token === "false") return false;
  if (token === "null") return null;
  const n = Number(token);
  if (token !== "" && Number.isFinite(n)) return n;
  throw unsupported(pattern, `expected a "string", a number, true, false or null, got ${token}`);
}

function evaluate(expr: Expr, doc: unknown): boolean {
  if (expr.kind !== "cond") {
    return expr.kind === "and"
      ? evaluate(expr.left, doc) && evaluate(expr.right, doc)
      : evaluate(expr.left, doc) || evaluate(expr.right, doc);
  }
  const { selector, op, value } = expr.cond;
  let current: unknown = doc;
  for (const key of selector) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined) return false;
  if (op === "=" || op === "!=") {
    const equal = matchesValue(current, value);
    return op === "=" ? equal : !equal;
  }
  if (typeof current !== "number" || typeof value !== "number") return false;
  if (op === "<") return current < value;
  if (op === "<=") return current <= value;
  if (op === ">") return current > value;
  return current >= value;
}

function matchesValue(actual: unknown, expected: JsonValue): boolean {
  if (typeof expected === "string") {
    if (typeof actual !== "string") return false;
    if (!expected.includes("*")) return actual === expected;
    const re = new RegExp(`^${expected.split("*").map(escapeRegExp).join(".*")}$`, "s");
    return re.test(actual);
  }
  return actual === expected;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
