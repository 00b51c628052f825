/**
 * The architecture checks (issue 21), on the real tree: the run-time import graph has no cycle, nothing
 * outside scripts/ imports from scripts/ (entry points are leaves; tests may drive them), and
 * docs/architecture.md's file map names only files that exist and every source file (tests and test
 * support aside).
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { covers, entryExists, readFileMap } from "./file-map.ts";
import { importCycles, importGraph, sourceFiles } from "./import-graph.ts";

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
    // the graph is the real one: a known edge is in it
    expect(edges).toContainEqual({ from: "scripts/bench.ts", to: "tuning/run-bench.ts", dynamic: false });
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
    const edge = (from: string, to: string) => ({ from, to, dynamic: false });
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "a.ts"), edge("b.ts", "c.ts")])).toEqual([
      ["a.ts", "b.ts"],
    ]);
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "c.ts"), edge("c.ts", "a.ts")])).toEqual([
      ["a.ts", "b.ts", "c.ts"],
    ]);
    expect(importCycles([edge("a.ts", "a.ts")])).toEqual([["a.ts"]]);
    expect(importCycles([edge("a.ts", "b.ts"), edge("b.ts", "c.ts"), edge("a.ts", "c.ts")])).toEqual([]);
  });

  it("let a map entry cover a file, a folder's files and a pattern's, nothing else", () => {
    expect(covers("tuning/sweep.ts", "tuning/sweep.ts")).toBe(true);
    expect(covers("tuning/sweep.ts", "tuning/sweep/round.ts")).toBe(false);
    expect(covers("stage/calibration/", "stage/calibration/measure.ts")).toBe(true);
    expect(covers("reports/specs/*.ts", "reports/specs/timeline.ts")).toBe(true);
    expect(covers("reports/specs/*.ts", "reports/specs/sub/timeline.ts")).toBe(false);
  });
});
