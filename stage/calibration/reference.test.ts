import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadReference, parseReference, REFERENCE_FILE, REFERENCE_IDS } from "./reference.ts";

interface RawFile {
  sources: Record<string, Record<string, unknown>>;
  references: Array<{ ms: { x86_64: Record<string, unknown> } }>;
}
/** A fresh copy of the file to damage; the first reference is cpu-sha256. */
const raw = () => JSON.parse(readFileSync(REFERENCE_FILE, "utf8")) as RawFile;
const first = (file: RawFile) => file.references[0] ?? { ms: { x86_64: {} } };

describe("the published reference data (published-reference.json)", () => {
  it("names a source with repository, commit, paths and date for every reference, and holds every reference", () => {
    const reference = loadReference();
    expect(reference.references.map((r) => r.id).sort()).toEqual([...REFERENCE_IDS].sort());
    for (const ref of reference.references) {
      const source = reference.sources[ref.source];
      expect(source?.repository).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(source?.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(source?.paths.length).toBeGreaterThan(0);
    }
  });

  it("keeps the figures the issue and DESIGN.md quote (their source tables, read again)", () => {
    const byId = new Map(loadReference().references.map((r) => [r.id, r]));
    expect(byId.get("cpu-sha256")?.ms.x86_64).toEqual({
      "128": 21390.04,
      "256": 10759.72,
      "512": 5471.82,
      "1024": 2716.47,
      "1769": 1584.12,
      "2048": 1358.54,
    });
    const dynamoInit = Object.values(byId.get("dynamodb-init")?.ms.x86_64 ?? {});
    expect(Math.min(...dynamoInit)).toBeGreaterThanOrEqual(341);
    expect(Math.max(...dynamoInit)).toBeLessThanOrEqual(357);
    const helloInit = Object.values(byId.get("hello-init")?.ms.x86_64 ?? {});
    expect(Math.min(...helloInit)).toBeGreaterThanOrEqual(137);
    expect(Math.max(...helloInit)).toBeLessThanOrEqual(147);
    // Single thread: past 1,769 MB the sort gains less than 3 % up to 10,240 MB (x86_64).
    const sort = byId.get("single-thread-sort")?.ms.x86_64 ?? {};
    expect((sort["10240"] ?? 0) / (sort["1769"] ?? 1)).toBeGreaterThan(0.97);
  });

  it("rejects a damaged file with one line naming the place and the problem", () => {
    const noCommit = raw();
    noCommit.sources["cebert-2025-12"] = { ...noCommit.sources["cebert-2025-12"], commit: "abc" };
    expect(() => parseReference(noCommit)).toThrow(
      /^published reference data, sources\.cebert-2025-12\.commit: expected 40 hex digits, got "abc"$/,
    );
    const badFigure = raw();
    first(badFigure).ms.x86_64["512"] = -1;
    expect(() => parseReference(badFigure)).toThrow(
      /references\[0\]\.ms\.x86_64\.512: expected a positive number/,
    );
    const noBase = raw();
    delete first(noBase).ms.x86_64["1769"];
    expect(() => parseReference(noBase)).toThrow(/a ratio needs the 1769 MB figure/);
    const missing = raw();
    missing.references.pop();
    expect(() => parseReference(missing)).toThrow(/"hello-first-invoke" is missing/);
  });
});
