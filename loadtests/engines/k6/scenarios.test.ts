/**
 * The k6 scenarios may import only k6's own modules and our pure modules (which import only each other):
 * k6 has no Node APIs and no npm. This walks the import graph from every scenario file.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const k6Dir = fileURLToPath(new URL("./scenarios", import.meta.url));
const IMPORT = /^\s*(?:import|export)\s[^'"]*?\bfrom\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;

function importsOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  return [...source.matchAll(IMPORT)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every module reachable from `entry`, with the specifiers each one imports. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (graph.has(file)) continue;
    const specifiers = importsOf(file);
    graph.set(file, specifiers);
    // A relative path without .ts is a violation of its own (k6 needs the extension): not followed.
    for (const s of specifiers) {
      if (s.startsWith(".") && s.endsWith(".ts")) queue.push(path.resolve(path.dirname(file), s));
    }
  }
  return graph;
}

/**
 * What a scenario in `scenarioDir` may not import, as "file imports x" lines: scenarios may import k6, k6/*
 * and relative .ts modules; the modules they reach may import only relative .ts modules and use no Node
 * globals.
 */
function violations(scenario: string, scenarioDir: string): string[] {
  const found: string[] = [];
  for (const [file, specifiers] of importGraph(scenario)) {
    const isScenario = path.dirname(file) === scenarioDir;
    const name = path.relative(scenarioDir, file);
    for (const s of specifiers) {
      const ok = s.startsWith(".") ? s.endsWith(".ts") : isScenario && (s === "k6" || s.startsWith("k6/"));
      if (!ok) found.push(`${name} imports "${s}"`);
    }
    // Pure modules: no Node globals either.
    if (!isScenario && /\bprocess\.|\bBuffer\b|\brequire\(/.test(readFileSync(file, "utf8"))) {
      found.push(`${name} uses a Node global`);
    }
  }
  return found;
}

const scenarios = readdirSync(k6Dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
const tmp = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-imports-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("k6 scenarios", () => {
  it("exist", () => {
    expect(scenarios).toContain("crud.ts");
  });

  for (const scenario of scenarios) {
    it(`${scenario} imports only k6, k6/* and our pure modules with .ts paths`, () => {
      const file = path.join(k6Dir, scenario);
      expect(importGraph(file).size).toBeGreaterThan(3);
      expect(violations(file, k6Dir)).toEqual([]);
    });
  }

  it("the checker catches a forbidden import, a Node global or a bare path deep in the graph", () => {
    // A scenario dir and a "pure" module beside it, as loadtests/engines/k6/scenarios/ and loadtests/*.ts.
    const dir = path.join(tmp, "k6");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(tmp, "helper.ts"),
      'import { readFileSync } from "node:fs";\nimport { x } from "./other";\nexport const y = process.env;\n',
    );
    writeFileSync(path.join(tmp, "other.ts"), "export const x = 1;\n");
    const scenario = path.join(dir, "bad.ts");
    writeFileSync(
      scenario,
      'import http from "k6/http";\nimport { y } from "../helper.ts";\nimport lodash from "lodash";\n',
    );
    expect(violations(scenario, dir)).toEqual([
      'bad.ts imports "lodash"',
      '../helper.ts imports "node:fs"',
      '../helper.ts imports "./other"',
      "../helper.ts uses a Node global",
    ]);
  });
});
