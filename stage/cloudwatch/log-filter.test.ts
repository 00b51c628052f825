/** Filter patterns on real Lambda log lines (../shared/fixtures/lambda-logs) and the service's request line. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InvalidParameterError } from "./errors.ts";
import { compileFilterPattern } from "./log-filter.ts";

const fixtures = path.resolve(import.meta.dirname, "../../../shared/fixtures/lambda-logs");
const lines = (file: string) =>
  readFileSync(path.join(fixtures, file), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");
const warm = lines("report-warm.txt");
const json = lines("report-json.jsonl");
const requestLine = JSON.stringify({
  level: "info",
  msg: "request",
  route: "GET /items/{id}",
  status: 200,
  durationMs: 4.5,
});

const matching = (pattern: string, input: string[]) => input.filter(compileFilterPattern(pattern));

describe("term patterns", () => {
  it("finds REPORT lines with a quoted phrase and with a bare term", () => {
    expect(matching('"REPORT RequestId"', warm)).toEqual(
      warm.filter((l) => l.startsWith("REPORT RequestId")),
    );
    expect(matching('"REPORT RequestId"', warm)).toHaveLength(1);
    expect(matching("REPORT", warm)).toHaveLength(1);
    expect(matching("", warm)).toEqual(warm);
  });

  it("ANDs several terms, ORs ?terms, excludes -terms, case-sensitively", () => {
    expect(matching("RequestId Duration", warm)).toHaveLength(1);
    expect(matching("RequestId nothere", warm)).toHaveLength(0);
    expect(matching("?START ?END", warm)).toHaveLength(2);
    expect(matching("RequestId -REPORT", warm)).toHaveLength(2);
    expect(matching("report", warm)).toHaveLength(0);
    expect(matching('"Billed Duration" ?START ?REPORT', warm)).toHaveLength(1);
  });
});

describe("JSON patterns", () => {
  it("selects platform.report records and the service's request lines", () => {
    const all = [...json, requestLine, ...warm];
    const reports = matching('{ $.type = "platform.report" }', all);
    expect(reports).toHaveLength(json.filter((l) => l.includes('"platform.report"')).length);
    expect(reports.length).toBeGreaterThan(0);
    expect(matching('{ $.msg = "request" }', all)).toEqual([requestLine]);
    expect(matching('{$.msg="request"}', all)).toEqual([requestLine]);
  });

  it("reads nested selectors, numbers, wildcards, && / || and parentheses", () => {
    const all = [...json, requestLine];
    expect(matching("{ $.record.metrics.durationMs > 1 }", all).length).toBeGreaterThan(0);
    expect(matching("{ $.record.metrics.durationMs > 1e9 }", all)).toEqual([]);
    expect(matching('{ $.type = "platform.*" && $.record.status = "success" }', all).length).toBeGreaterThan(
      0,
    );
    expect(matching('{ $.status = 200 && ($.msg = "nope" || $.route = "GET *") }', all)).toEqual([
      requestLine,
    ]);
    expect(matching('{ $.msg != "request" }', [requestLine, '{"msg":"other"}'])).toEqual(['{"msg":"other"}']);
  });

  it("reads the JSON after the tab-separated prefix of Lambda's text log format", () => {
    const prefixed = `2026-10-14T09:21:07.415Z\tabc-123\tINFO\t${requestLine}`;
    expect(
      matching('{ $.msg = "request" }', [prefixed, "2026-10-14T09:21:07.415Z\tabc\tINFO\tplain text"]),
    ).toEqual([prefixed]);
  });

  it("never matches non-JSON messages", () => {
    expect(matching('{ $.type = "platform.report" }', warm)).toEqual([]);
  });
});

describe("unsupported patterns", () => {
  it.each([
    ["[ip, user, ...]", /space-delimited/],
    ["%ERROR|WARN%", /regular-expression/],
    ["{ $.a IS NULL }", /IS is not supported/],
    ["{ $.a[0] = 1 }", /expected a selector/],
    ['{ $.type = "x" ', /must end with }/],
    ["{ $.a = }", /ends too early|expected a "string"/],
    ['{ $.a > "x" }', /needs a number/],
    ['"unbalanced', /unbalanced quote/],
  ])("rejects %s with InvalidParameterException", (pattern, message) => {
    let error: unknown;
    try {
      compileFilterPattern(pattern);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidParameterError);
    expect((error as InvalidParameterError).code).toBe("InvalidParameterException");
    expect((error as Error).message).toMatch(message);
  });
});
