/**
 * The report's files are written so that the measurements survive (issue 20, "Output and config"): results.json
 * first, each file whole or not at all (temp + rename), and a run whose folder cannot be written saves its
 * results elsewhere and says where.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { validateResults } from "../tuning/results/results.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { writeReport, writeReportOrRescue } from "./write-report.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-write-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeReport", () => {
  it("writes results.json before the HTML: when index.html cannot be written the results are there, whole", async () => {
    const out = path.join(dir, "html-blocked");
    mkdirSync(path.join(out, "index.html"), { recursive: true }); // a folder where the file should go
    await expect(writeReport(sampleResults(), { outDir: out, copyResults: true })).rejects.toThrow();
    const results = validateResults(JSON.parse(readFileSync(path.join(out, "results.json"), "utf8")));
    expect(results.run.id).toBe(sampleResults().run.id);
    expect(readFileSync(path.join(out, "summary.md"), "utf8")).toContain("## Recommendations");
    // no temp file left behind, no partial index.html
    expect(readdirSync(out).sort()).toEqual(["index.html", "results.json", "summary.md"]);
  });

  it("leaves no temp files after a normal write", async () => {
    const out = path.join(dir, "ok");
    await writeReport(sampleResults(), { outDir: out, copyResults: true });
    expect(readdirSync(out).sort()).toEqual(["index.html", "results.json", "summary.md"]);
  });
});

describe("writeReportOrRescue", () => {
  it("saves the results in the temp folder when the run folder cannot be written, and says where", async () => {
    const file = path.join(dir, "a-file");
    writeFileSync(file, "");
    const results = sampleResults();
    const rescuePath = path.join(os.tmpdir(), `powerbench-${results.run.id}-results.json`);
    rmSync(rescuePath, { force: true });
    try {
      await expect(writeReportOrRescue(results, path.join(file, "run"), undefined)).rejects.toThrow(
        /could not write the report in .*a-file\/run \(.*ENOTDIR.*\); the results are saved in .*: render them with npm run report -- /,
      );
      expect(existsSync(rescuePath)).toBe(true);
      expect(validateResults(JSON.parse(readFileSync(rescuePath, "utf8"))).run.id).toBe(results.run.id);
    } finally {
      rmSync(rescuePath, { force: true });
    }
  });
});
