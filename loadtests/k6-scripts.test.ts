/**
 * The k6 scenarios may import only k6's own modules and our pure modules (which import only each other):
 * k6 has no Node APIs and no npm. This walks the import graph from every scenario file.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const k6Dir = fileURLToPath(new URL("./k6", import.meta.url));
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
    for (const s of specifiers) if (s.startsWith(".")) queue.push(path.resolve(path.dirname(file), s));
  }
  return graph;
}

const scenarios = readdirSync(k6Dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));

describe("k6 scenarios", () => {
  it("exist", () => {
    expect(scenarios).toContain("crud.ts");
  });

  for (const scenario of scenarios) {
    it(`${scenario} imports only k6, k6/* and our pure modules with .ts paths`, () => {
      const graph = importGraph(path.join(k6Dir, scenario));
      expect(graph.size).toBeGreaterThan(3);
      for (const [file, specifiers] of graph) {
        const isScenario = path.dirname(file) === k6Dir;
        for (const s of specifiers) {
          const ok = s.startsWith(".")
            ? s.endsWith(".ts")
            : isScenario && (s === "k6" || s.startsWith("k6/"));
          expect(ok, `${path.relative(k6Dir, file)} imports "${s}"`).toBe(true);
        }
        // Pure modules: no Node globals either.
        if (!isScenario) expect(readFileSync(file, "utf8")).not.toMatch(/\bprocess\.|\bBuffer\b|\brequire\(/);
      }
    });
  }

  it("the checker catches a forbidden import", () => {
    const fake = IMPORT.exec('import { readFileSync } from "node:fs";');
    IMPORT.lastIndex = 0;
    expect(fake?.[1]).toBe("node:fs");
  });
});
