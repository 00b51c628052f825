/**
 * The project's import graph: every `.ts` file under the top-level folders and what it imports at run time,
 * as repository paths, resolved by esbuild (a dependency already; TypeScript 7's package has no compiler
 * API). Used by the architecture checks (test/architecture.integration.test.ts).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";

/** The top level, fixed by the project's card (DESIGN.md), plus the cross-cutting tests. */
export const SOURCE_FOLDERS = [
  "service",
  "stage",
  "loadtests",
  "tuning",
  "reports",
  "postman",
  "scripts",
  "test",
];

/** Never walked: dependencies, build output, generated reports, tools. */
const SKIPPED = new Set(["node_modules", "dist", "out", ".tools"]);

export interface ImportEdge {
  from: string;
  to: string;
  /** `import("...")`, loaded when called. */
  dynamic: boolean;
}

/** Every `.ts` file under the source folders, as repository paths with `/`, sorted. */
export function sourceFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir))) {
      if (SKIPPED.has(entry)) continue;
      const rel = `${dir}/${entry}`;
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (entry.endsWith(".ts")) found.push(rel);
    }
  };
  for (const folder of SOURCE_FOLDERS) if (existsSync(path.join(root, folder))) walk(folder);
  return found.sort();
}

/**
 * The run-time import graph between the project's own files: esbuild resolves every static and dynamic
 * import of every source file (packages left external, nothing written). `import type` is erased, as at run
 * time (tsconfig's verbatimModuleSyntax keeps every other import).
 */
export async function importGraph(
  root: string,
  files: readonly string[] = sourceFiles(root),
): Promise<ImportEdge[]> {
  const built = await build({
    absWorkingDir: root,
    entryPoints: [...files],
    bundle: true,
    splitting: true,
    packages: "external",
    format: "esm",
    platform: "node",
    write: false,
    metafile: true,
    outdir: "import-graph.out",
    logLevel: "silent",
    loader: { ".yaml": "text" },
  });
  const edges: ImportEdge[] = [];
  for (const [from, input] of Object.entries(built.metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external)
        edges.push({ from, to: imported.path, dynamic: imported.kind === "dynamic-import" });
    }
  }
  return edges;
}

/**
 * The import cycles: each strongly connected component of more than one file (or a file importing itself),
 * as a sorted list of its files (Tarjan's algorithm).
 */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w === undefined) break;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(component.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) connect(v);
  return cycles;
}
