/**
 * One source of truth for results.json (issue 21): tuning/results/results-types.ts is generated from
 * tuning/results/results.schema.json. This test fails while the two drift apart (regenerate: `npx tsx scripts/results-types.ts`).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import schema from "./results.schema.json" with { type: "json" };
import { renderResultsTypes } from "./results-typegen.ts";

const regenerate = "tuning/results/results-types.ts is out of date: run npx tsx scripts/results-types.ts";

describe("the results type from the results schema", () => {
  it("tuning/results/results-types.ts is exactly what the schema generates", () => {
    const committed = readFileSync(new URL("./results-types.ts", import.meta.url), "utf8");
    expect(committed, regenerate).toBe(renderResultsTypes(schema));
  });

  it("renders required and optional fields, literals, maps and unions, with the schema's descriptions", () => {
    const text = renderResultsTypes({
      description: "A document.",
      type: "object",
      additionalProperties: false,
      required: ["schemaVersion", "kind"],
      properties: {
        schemaVersion: { const: 7 },
        kind: { $ref: "#/$defs/Kind", description: "Which kind." },
        count: { $ref: "#/$defs/count" },
        byOperation: {
          type: "object",
          propertyNames: { enum: ["read", "write"] },
          additionalProperties: { type: "number" },
        },
        tags: { type: "object", additionalProperties: { type: "string" } },
        pick: { type: ["string", "null"] },
        list: { type: "array", items: { $ref: "#/$defs/Kind" } },
      },
      $defs: { count: { type: "integer", minimum: 0 }, Kind: { enum: ["a", "b"] } },
    });
    expect(text).toContain("export const RESULTS_SCHEMA_VERSION = 7 as const;");
    expect(text).toContain('export type Kind = "a" | "b";');
    expect(text).toContain(
      [
        "/** A document. */",
        "export interface Results {",
        "  schemaVersion: 7;",
        "  /** Which kind. */",
        "  kind: Kind;",
        "  count?: number;",
        '  byOperation?: Partial<Record<"read" | "write", number>>;',
        "  tags?: Record<string, string>;",
        "  pick?: string | null;",
        "  list?: Kind[];",
        "}",
      ].join("\n"),
    );
    expect(text).not.toContain("export type count");
  });

  it("refuses a keyword it has no TypeScript form for, so the type cannot silently drop a constraint on shape", () => {
    const schemaWith = (node: Record<string, unknown>) => ({
      type: "object",
      additionalProperties: false,
      properties: { schemaVersion: { const: 1 }, field: node },
    });
    expect(() => renderResultsTypes(schemaWith({ allOf: [{ type: "string" }] }))).toThrow(
      "Results.field: the keyword allOf has no TypeScript form here",
    );
    expect(() =>
      renderResultsTypes(schemaWith({ type: "object", properties: { a: { type: "string" } } })),
    ).toThrow("Results.field: an object with properties must say additionalProperties: false");
  });
});
