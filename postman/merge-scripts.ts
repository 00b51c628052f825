/**
 * One sandbox execution per request and event instead of one per script: the collection's and folders' scripts
 * (e.g. the collection-level test that checks every answer's request id) are merged, in Postman's order
 * (collection, folder, request), into each request's own script of the same event. Newman runs every script
 * of an event as its own sandbox execution, each copying the whole run context into the sandbox and back, so
 * the collection-level test doubled the gate's test executions (about 60 of 140 in a run of our collection).
 *
 * Nothing is checked less: each part runs in its own function scope (its `const`s and a `return` stay its
 * own), every part runs even when an earlier one threw, and the first error is thrown again at the end, so
 * Newman reports it as the script's error as before. A chain with a script Newman loads by reference (`src`,
 * `packages`) or with something other than JavaScript is left as it is.
 */

interface Script {
  type?: string;
  exec?: string | string[];
  src?: unknown;
  packages?: unknown;
  [key: string]: unknown;
}
interface EventDefinition {
  listen?: string;
  script?: Script;
  disabled?: boolean;
  [key: string]: unknown;
}
interface ItemDefinition {
  item?: ItemDefinition[];
  event?: EventDefinition[];
  request?: unknown;
  [key: string]: unknown;
}

const MERGED_EVENTS = ["prerequest", "test"] as const;

function linesOf(script: Script): string[] {
  return Array.isArray(script.exec)
    ? script.exec
    : typeof script.exec === "string"
      ? script.exec.split("\n")
      : [];
}

/** A script this merge can inline: plain JavaScript lines, nothing loaded by reference. */
function inlinable(event: EventDefinition): boolean {
  const script = event.script;
  if (!script || event.disabled === true) return false;
  if (script.src !== undefined || script.packages !== undefined) return false;
  return script.type === undefined || script.type === "text/javascript";
}

/** The scripts of `listen` on one level (collection, folder or request) that hold any code. */
function scriptsOf(events: EventDefinition[] | undefined, listen: string): Script[] {
  return (events ?? [])
    .filter((e) => e.listen === listen && e.disabled !== true)
    .map((e) => e.script as Script)
    .filter((s) => linesOf(s).some((line) => line.trim() !== ""));
}

/** Every prerequest and test script of the collection, at every level, can be inlined. */
function everyScriptInlinable(
  events: EventDefinition[] | undefined,
  items: ItemDefinition[] | undefined,
): boolean {
  const mergedHere = (events ?? []).filter(
    (e) => (MERGED_EVENTS as readonly string[]).includes(e.listen ?? "") && e.disabled !== true,
  );
  return mergedHere.every(inlinable) && (items ?? []).every((i) => everyScriptInlinable(i.event, i.item));
}

const isMerged = (e: EventDefinition) => (MERGED_EVENTS as readonly string[]).includes(e.listen ?? "");

/** The parts as one script: each in its own scope, all of them run, the first error thrown at the end. */
export function mergedLines(parts: readonly string[][]): string[] {
  if (parts.length === 1) return [...(parts[0] ?? [])];
  return [
    "var __powerbenchScriptErrors = [];",
    ...parts.flatMap((lines) => [
      "try { (function () {",
      ...lines,
      "})(); } catch (error) { __powerbenchScriptErrors.push(error); }",
    ]),
    "if (__powerbenchScriptErrors.length > 0) throw __powerbenchScriptErrors[0];",
  ];
}

/**
 * A copy of the collection with each request's scripts of an event merged into one (see the file's comment).
 * Requests whose chain holds a script that cannot be inlined keep their scripts as they were.
 *
 * @example const collection = mergeScripts(readCollection()); // the collection-level test inside each request's
 */
export function mergeScripts<T extends { item?: unknown[]; event?: unknown[] }>(collection: T): T {
  const copy = structuredClone(collection) as T;
  const root = copy as { item?: ItemDefinition[]; event?: EventDefinition[] };
  // All or nothing: a script loaded by reference anywhere leaves the collection as it is.
  if (!everyScriptInlinable(root.event, root.item)) return copy;
  const walk = (items: ItemDefinition[] | undefined, inherited: Record<string, Script[]>) => {
    for (const item of items ?? []) {
      if (Array.isArray(item.item)) {
        const next: Record<string, Script[]> = {};
        for (const listen of MERGED_EVENTS)
          next[listen] = [...(inherited[listen] ?? []), ...scriptsOf(item.event, listen)];
        walk(item.item, next);
        // The folder's scripts now run inside each of its requests' own.
        item.event = (item.event ?? []).filter((e) => !isMerged(e));
        continue;
      }
      for (const listen of MERGED_EVENTS) {
        const parent = inherited[listen] ?? [];
        if (parent.length === 0) continue;
        const parts = [...parent, ...scriptsOf(item.event, listen)].map(linesOf);
        const others = (item.event ?? []).filter((e) => e.listen !== listen);
        item.event = [...others, { listen, script: { type: "text/javascript", exec: mergedLines(parts) } }];
      }
    }
  };
  const top: Record<string, Script[]> = {};
  for (const listen of MERGED_EVENTS) top[listen] = scriptsOf(root.event, listen);
  walk(root.item, top);
  root.event = (root.event ?? []).filter((e) => !isMerged(e));
  return copy;
}
