/**
 * The published AWS measurements `npm run calibrate` holds the local stage against
 * (published-reference.json): each reference names its source (repository, commit, paths, date), the
 * workload, the figure, how to compare it (ratio to 1,769 MB, or absolute) and the mean ms per architecture
 * and memory size. `parseReference` checks the file's integrity and gives one line naming what is wrong.
 */
import { readFileSync } from "node:fs";

export const REFERENCE_FILE = new URL("./published-reference.json", import.meta.url);

/** The memory size durations are compared against: one vCPU. */
export const RATIO_BASE_MB = 1769;

export const REFERENCE_IDS = [
  "cpu-sha256",
  "single-thread-sort",
  "dynamodb-init",
  "dynamodb-first-invoke",
  "dynamodb-warm",
  "hello-init",
  "hello-first-invoke",
] as const;
export type ReferenceId = (typeof REFERENCE_IDS)[number];

export type Architecture = "x86_64" | "arm64";
export type Compare = "ratio to 1769 MB" | "absolute";

export interface Source {
  repository: string;
  commit: string;
  paths: string[];
  measuredOn: string;
  region: string;
  method: string;
}

export interface Reference {
  id: ReferenceId;
  source: string;
  /** The file (and table or field) of the source the figures come from. */
  path: string;
  workload: string;
  figure: string;
  compare: Compare;
  /** Mean ms per architecture, then per memory size (MB, as a string key). */
  ms: Partial<Record<Architecture, Record<string, number>>>;
}

export interface PublishedReference {
  sources: Record<string, Source>;
  references: Reference[];
}

export class ReferenceDataError extends Error {
  override readonly name = "ReferenceDataError";
}

function fail(where: string, problem: string): never {
  throw new ReferenceDataError(`published reference data, ${where}: ${problem}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown, where: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(where, "expected a non-empty string");
  return value;
}

function parseSource(value: unknown, where: string): Source {
  if (!isRecord(value)) fail(where, "expected an object");
  const repository = text(value["repository"], `${where}.repository`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(repository))
    fail(`${where}.repository`, `expected owner/name, got "${repository}"`);
  const commit = text(value["commit"], `${where}.commit`);
  if (!/^[0-9a-f]{40}$/.test(commit)) fail(`${where}.commit`, `expected 40 hex digits, got "${commit}"`);
  const paths = value["paths"];
  if (!Array.isArray(paths) || paths.length === 0) fail(`${where}.paths`, "expected a non-empty list");
  const measuredOn = text(value["measuredOn"], `${where}.measuredOn`);
  if (!/^\d{4}-\d\d-\d\d(\/\d{4}-\d\d-\d\d)?$/.test(measuredOn)) {
    fail(`${where}.measuredOn`, `expected YYYY-MM-DD or a range YYYY-MM-DD/YYYY-MM-DD, got "${measuredOn}"`);
  }
  return {
    repository,
    commit,
    paths: paths.map((p, i) => text(p, `${where}.paths[${i}]`)),
    measuredOn,
    region: text(value["region"], `${where}.region`),
    method: text(value["method"], `${where}.method`),
  };
}

function parseFigures(value: unknown, where: string): Record<string, number> {
  if (!isRecord(value) || Object.keys(value).length === 0) fail(where, "expected figures per memory size");
  const figures: Record<string, number> = {};
  for (const [size, ms] of Object.entries(value)) {
    const memoryMb = Number(size);
    if (!Number.isInteger(memoryMb) || memoryMb < 128 || memoryMb > 10240) {
      fail(where, `memory size "${size}" is not an integer from 128 to 10240 MB`);
    }
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) {
      fail(`${where}.${size}`, `expected a positive number of ms, got ${JSON.stringify(ms)}`);
    }
    figures[size] = ms;
  }
  return figures;
}

/** Checks the reference data and returns it typed; throws ReferenceDataError naming the first problem. */
export function parseReference(json: unknown): PublishedReference {
  if (!isRecord(json)) fail("top level", "expected an object with sources and references");
  if (!isRecord(json["sources"])) fail("sources", "expected an object of sources by id");
  const sources: Record<string, Source> = {};
  for (const [id, source] of Object.entries(json["sources"])) {
    sources[id] = parseSource(source, `sources.${id}`);
  }
  const list = json["references"];
  if (!Array.isArray(list)) fail("references", "expected a list");
  const seen = new Set<string>();
  const references = list.map((value, index): Reference => {
    const where = `references[${index}]`;
    if (!isRecord(value)) fail(where, "expected an object");
    const id = text(value["id"], `${where}.id`);
    if (!(REFERENCE_IDS as readonly string[]).includes(id)) {
      fail(`${where}.id`, `unknown id "${id}": expected one of ${REFERENCE_IDS.join(", ")}`);
    }
    if (seen.has(id)) fail(`${where}.id`, `"${id}" appears twice`);
    seen.add(id);
    const source = text(value["source"], `${where}.source`);
    if (!sources[source]) fail(`${where}.source`, `"${source}" is not one of the sources`);
    const compare = value["compare"];
    if (compare !== "ratio to 1769 MB" && compare !== "absolute") {
      fail(`${where}.compare`, `expected "ratio to 1769 MB" or "absolute", got ${JSON.stringify(compare)}`);
    }
    if (!isRecord(value["ms"])) fail(`${where}.ms`, "expected figures per architecture");
    const ms: Reference["ms"] = {};
    for (const [arch, figures] of Object.entries(value["ms"])) {
      if (arch !== "x86_64" && arch !== "arm64") fail(`${where}.ms`, `unknown architecture "${arch}"`);
      ms[arch] = parseFigures(figures, `${where}.ms.${arch}`);
      if (compare === "ratio to 1769 MB" && ms[arch][String(RATIO_BASE_MB)] === undefined) {
        fail(`${where}.ms.${arch}`, `a ratio needs the ${RATIO_BASE_MB} MB figure`);
      }
    }
    if (!ms.x86_64) fail(`${where}.ms`, "expected x86_64 figures (every reference has them)");
    return {
      id: id as ReferenceId,
      source,
      path: text(value["path"], `${where}.path`),
      workload: text(value["workload"], `${where}.workload`),
      figure: text(value["figure"], `${where}.figure`),
      compare,
      ms,
    };
  });
  for (const id of REFERENCE_IDS) if (!seen.has(id)) fail("references", `"${id}" is missing`);
  return { sources, references };
}

/** Reads and checks published-reference.json. */
export function loadReference(): PublishedReference {
  return parseReference(JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as unknown);
}
