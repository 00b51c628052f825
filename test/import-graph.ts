/**
 * The project's import graph: every `.ts` file under the top-level folders and what it imports, as
 * repository paths: at run time, resolved by esbuild (a dependency already; TypeScript 7's package has no
 * compiler API), and the type-only imports esbuild erases, read from the sources. Used by the architecture
 * checks (test/architecture.integration.test.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
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
  /** `import type` / `export type ... from` / a type's `import("...")`: erased at run time, still a dependency. */
  typeOnly: boolean;
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
 * The import graph between the project's own files: every edge esbuild resolves (static and dynamic imports,
 * packages left external, nothing written) and every type-only import esbuild erases (typeOnlyImports), so a
 * cycle closed through `import type` counts as one, as madge counts it. tsconfig's verbatimModuleSyntax keeps
 * every other import, `import { type X }` included, so esbuild sees those.
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
  const seen = new Set<string>();
  for (const [from, input] of Object.entries(built.metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external) continue;
      edges.push({ from, to: imported.path, dynamic: imported.kind === "dynamic-import", typeOnly: false });
      seen.add(`${from} ${imported.path}`);
    }
  }
  for (const from of files) {
    for (const to of typeOnlyImports(root, from, readFileSync(path.join(root, from), "utf8"))) {
      if (!seen.has(`${from} ${to}`)) edges.push({ from, to, dynamic: false, typeOnly: true });
      seen.add(`${from} ${to}`);
    }
  }
  return edges;
}

/**
 * The statements TypeScript erases that still name a module: `import type ... from "x"`, `export type ...
 * from "x"` (each at the start of a line, so comments do not count) and `import("x")` used as a type
 * (`typeof import("x")`, `import("x").Name`).
 */
const TYPE_ONLY_IMPORT = [
  /^[ \t]*(?:import|export)[ \t]+type\b[^;=]*?\bfrom[ \t]*["']([^"'\n]+)["']/gm,
  /\btypeof[ \t]+import\([ \t]*["']([^"'\n]+)["'][ \t]*\)/g,
  /\bimport\([ \t]*["']([^"'\n]+)["'][ \t]*\)\.[A-Za-z_$][\w$]*(?![\w$]*[ \t]*\()/g,
];

/**
 * The project's files `from` (a repository path) imports for their types only, read from its source text:
 * relative specifiers resolved as the bundler resolution does (as written, `.js` for `.ts`, or with `.ts` /
 * `/index.ts` added), kept when the file exists. Packages are not followed.
 */
export function typeOnlyImports(root: string, from: string, source: string): string[] {
  const found = new Set<string>();
  for (const pattern of TYPE_ONLY_IMPORT) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1];
      if (specifier === undefined || !specifier.startsWith(".")) continue;
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
      const candidates = [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, `${base}/index.ts`];
      const to = candidates.find(
        (c) => existsSync(path.join(root, c)) && statSync(path.join(root, c)).isFile(),
      );
      if (to !== undefined) found.add(to);
    }
  }
  return [...found].sort();
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
