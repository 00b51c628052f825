/**
 * The architecture checks (issue 21), on the real tree: the import graph (run-time and type-only imports,
 * as `npx madge --circular` reads it) has no cycle, nothing
 * outside scripts/ imports from scripts/ (entry points are leaves; tests may drive them), and
 * docs/architecture.md's file map names only files that exist and every source file (tests and test
 * support aside).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { covers, entryExists, readFileMap } from "./file-map.ts";
import { importCycles, importGraph, sourceFiles, typeOnlyImports } from "./import-graph.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const isTest = (file: string) => file.endsWith(".test.ts") || file.includes("/test-support/");

describe("the architecture", () => {
  const files = sourceFiles(ROOT);

  it("reads the tree it checks", () => {
    // a walk that found nothing would make every check below pass
    expect(files).toContain("tuning/run-bench.ts");
    expect(files).toContain("scripts/bench.ts");
    expect(files.length).toBeGreaterThan(300);
  });

  it("has no import cycle, and nothing outside scripts/ imports from scripts/", async () => {
    const edges = await importGraph(ROOT, files);
    // the graph is the real one: a known edge of each kind is in it
    expect(edges).toContainEqual({
      from: "scripts/bench.ts",
      to: "tuning/run-bench.ts",
      dynamic: false,
      typeOnly: false,
    });
    expect(edges).toContainEqual({
      from: "tuning/sweep/round.ts",
      to: "tuning/sweep/sweep-types.ts",
      dynamic: false,
      typeOnly: true,
    });
    const cycles = importCycles(edges).map((cycle) => cycle.join(" <-> "));
    const intoScripts = edges
      .filter((e) => e.to.startsWith("scripts/") && !e.from.startsWith("scripts/") && !isTest(e.from))
      .map((e) => `${e.from} imports ${e.to}${e.dynamic ? " (dynamic import)" : ""}`);
    expect({ cycles, intoScripts }).toEqual({ cycles: [], intoScripts: [] });
  }, 60_000);

  it("has a file map (docs/architecture.md) that names what exists and every source file", () => {
    const map = readFileMap(ROOT);
    expect(map.length).toBeGreaterThan(100);
    const missing = map
      .filter((e) => !entryExists(ROOT, e.listed, files))
      .map((e) => `${e.listed} (${e.where})`);
    const unlisted = files.filter((f) => !isTest(f) && !map.some((e) => covers(e.listed, f)));
    expect({ missing, unlisted }).toEqual({ missing: [], unlisted: [] });
  });
});

describe("the checks themselves", () => {
  it("find a cycle of two files, of three and a file importing itself, and no cycle in a chain", () => {
    const edge = (from: string, to: string) => ({ from, to, dynamic: false, typeOnly: false });
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "a.ts"), edge("b.ts", "c.ts")])).toEqual([
      ["a.ts", "b.ts"],
    ]);
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "c.ts"), edge("c.ts", "a.ts")])).toEqual([
      ["a.ts", "b.ts", "c.ts"],
    ]);
    expect(importCycles([edge("a.ts", "a.ts")])).toEqual([["a.ts"]]);
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "c.ts"), edge("a.ts", "c.ts")])).toEqual([]);
  });

  it("find a cycle closed by a type-only import, which esbuild alone would not see", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "import-graph-"));
    try {
      writeFileSync(
        path.join(dir, "a.ts"),
        'import { b } from "./b.ts";\nexport type A = number;\nexport const a = b;\n',
      );
      writeFileSync(path.join(dir, "b.ts"), 'import type { A } from "./a.ts";\nexport const b: A = 1;\n');
      writeFileSync(path.join(dir, "c.ts"), 'import { a } from "./a.ts";\nexport const c = a;\n');
      const edges = await importGraph(dir, ["a.ts", "b.ts", "c.ts"]);
      expect(edges).toContainEqual({ from: "b.ts", to: "a.ts", dynamic: false, typeOnly: true });
      expect(importCycles(edges)).toEqual([["a.ts", "b.ts"]]);
      expect(importCycles(edges.filter((e) => !e.typeOnly))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("read the type-only imports from a source: import type, export type from, import() in a type", () => {
    const from = "tuning/sweep/round.ts";
    const read = (source: string) => typeOnlyImports(ROOT, from, source);
    expect(read('import type { SweepOptions } from "./sweep-types.ts";')).toEqual([
      "tuning/sweep/sweep-types.ts",
    ]);
    expect(read('import type {\n  Collected,\n  Window,\n} from "./collect-window.ts";')).toEqual([
      "tuning/sweep/collect-window.ts",
    ]);
    expect(read('export type { LoadPort } from "../sweep.ts";')).toEqual(["tuning/sweep.ts"]);
    expect(read('export type * from "./warmup.js";')).toEqual(["tuning/sweep/warmup.ts"]);
    expect(read('type W = typeof import("./warmup.ts");')).toEqual(["tuning/sweep/warmup.ts"]);
    expect(read('let s: import("../sweep.ts").SweepOptions;')).toEqual(["tuning/sweep.ts"]);
    // what esbuild already sees, what is not an import, and what is not the project's
    expect(read('import { type Window } from "./collect-window.ts";')).toEqual([]);
    expect(read('const w = await import("./warmup.ts");')).toEqual([]);
    expect(read('import("./warmup.ts").then((m) => m);')).toEqual([]);
    expect(read(' * import type { X } from "./warmup.ts" in a comment')).toEqual([]);
    expect(read('export type Kind = "from" | "./warmup.ts";')).toEqual([]);
    expect(read('import type { Command } from "@aws-sdk/client-lambda";')).toEqual([]);
    expect(read('import type { X } from "./no-such-file.ts";')).toEqual([]);
  });

  it("let a map entry cover a file, a folder's files and a pattern's, nothing else", () => {
    expect(covers("tuning/sweep.ts", "tuning/sweep.ts")).toBe(true);
    expect(covers("tuning/sweep.ts", "tuning/sweep/round.ts")).toBe(false);
    expect(covers("stage/calibration/", "stage/calibration/measure.ts")).toBe(true);
    expect(covers("reports/specs/*.ts", "reports/specs/timeline.ts")).toBe(true);
    expect(covers("reports/specs/*.ts", "reports/specs/sub/timeline.ts")).toBe(false);
  });
});
