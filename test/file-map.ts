/**
 * docs/architecture.md's file map, read as data: the files and folders each section lists, as repository
 * paths. A section is a heading that names a folder (`### stage/ — ...`, `#### tuning/core/ — ...`); it lists
 * the first column of its tables and the `backticked` names of its prose, relative to that folder. In a
 * table cell, a bare name after a path is that path's neighbour (`lambda/boot-gate.ts, run-queue.ts`). A name
 * ending in `/` lists a whole folder, a `*` a pattern within one. A section whose folder has its own map in
 * another document says "See docs/<doc>.md for its file map"; that document's `## File map` table is read
 * the same way. Used by test/architecture.integration.test.ts.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export interface FileMapEntry {
  /** The repository path the map names (a file, a folder ending in `/`, or a pattern with `*`). */
  listed: string;
  /** Where it is named: the document and the section's folder. */
  where: string;
}

const NAME = /^[\w.*-][\w./*-]*$/;

/** A token that names a file or folder rather than a flag, a type or a command. */
function isPathLike(token: string): boolean {
  return NAME.test(token) && (token.endsWith("/") || /\.(ts|json|yaml|yml|md)$/.test(token));
}

function firstCell(line: string): string {
  // `\|` is a pipe inside a cell, not a column
  const cells = line.replace(/\\\|/g, "&#124;").split("|");
  return (cells[1] ?? "").replace(/&#124;/g, "|").trim();
}

/** The names of one section's lines, each resolved against the section's folder. */
function sectionEntries(
  root: string,
  folder: string,
  lines: readonly string[],
  where: string,
): FileMapEntry[] {
  const entries: FileMapEntry[] = [];
  for (const line of lines) {
    if (/^\|\s*-/.test(line)) continue;
    if (line.startsWith("|")) {
      const cell = firstCell(line).replace(/`/g, "");
      if (cell === "file") continue;
      let neighbourDir = folder;
      for (const token of cell.split(/\s*,\s*/)) {
        if (!isPathLike(token)) continue;
        const own = resolve(folder, token);
        const neighbour = resolve(neighbourDir, token);
        const listed = token.includes("/") || exists(root, own) || !exists(root, neighbour) ? own : neighbour;
        entries.push({ listed, where });
        neighbourDir = path.posix.dirname(listed.replace(/\/$/, ""));
      }
    } else {
      for (const match of line.matchAll(/`([^`]+)`/g)) {
        const token = match[1] ?? "";
        if (isPathLike(token)) entries.push({ listed: resolve(folder, token), where });
      }
    }
  }
  return entries;
}

/** A name relative to the section's folder, or a repository path when it starts with a top-level folder. */
function resolve(folder: string, token: string): string {
  const top = folder.split("/")[0] ?? folder;
  return token.startsWith(`${top}/`) ? token : path.posix.join(folder, token);
}

function exists(root: string, listed: string): boolean {
  return existsSync(path.join(root, listed));
}

/** The lines under `heading` (a `## ` heading) up to the next `## ` heading. */
function chapter(text: string, heading: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^## /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Every entry of docs/architecture.md's file map (and the maps it defers to). */
export function readFileMap(root: string): FileMapEntry[] {
  const doc = "docs/architecture.md";
  const lines = chapter(readFileSync(path.join(root, doc), "utf8"), "## File map");
  const entries: FileMapEntry[] = [];
  let folder: string | undefined;
  let section: string[] = [];
  const flush = () => {
    if (!folder) return;
    entries.push(...sectionEntries(root, folder, section, `${doc} (${folder}/)`));
    const deferred = section.join(" ").match(/See (docs\/[\w.-]+\.md) for its file map/);
    if (deferred?.[1]) {
      const other = chapter(readFileSync(path.join(root, deferred[1]), "utf8"), "## File map");
      entries.push(...sectionEntries(root, folder, other, `${deferred[1]} (${folder}/)`));
    }
  };
  for (const line of lines) {
    const heading = line.match(/^#{3,4} ([\w./-]+)\/ /);
    if (heading?.[1]) {
      flush();
      folder = heading[1];
      section = [];
    } else if (folder) {
      section.push(line);
    }
  }
  flush();
  return entries;
}

/** Whether an entry of the map covers a file: the file itself, a folder above it, or a matching pattern. */
export function covers(listed: string, file: string): boolean {
  if (listed.endsWith("/")) return file.startsWith(listed);
  if (!listed.includes("*")) return listed === file;
  const pattern = new RegExp(`^${listed.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
  return pattern.test(file);
}

/** Whether an entry names something that is there (a pattern: at least one file matches). */
export function entryExists(root: string, listed: string, files: readonly string[]): boolean {
  if (listed.includes("*")) return files.some((f) => covers(listed, f));
  const full = path.join(root, listed);
  return existsSync(full) && (listed.endsWith("/") ? statSync(full).isDirectory() : true);
}
