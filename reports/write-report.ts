/**
 * The thin edge that writes a report: `<outDir>/index.html`, `<outDir>/summary.md` and, when asked,
 * `<outDir>/results.json`; for a bench run also the rescue of the results when the folder cannot be written
 * and the `latest` link. Rendering is pure (render-html.ts, render-markdown.ts); the comparison with a
 * baseline is computed before (compare.ts) and only shown here. This reads the vega bundles and writes files.
 */
import { rmSync, symlinkSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describeError, TuningError } from "../tuning/errors.ts";
import { writeResults } from "../tuning/results/results-file.ts";
import type { Results } from "../tuning/results/results-types.ts";
import { readVegaAssets } from "./assets.ts";
import type { Comparison } from "./compare.ts";
import { renderReport } from "./render-html.ts";
import { renderMarkdown } from "./render-markdown.ts";

export interface WriteReportOptions {
  outDir: string;
  /** The comparison with a previous run (compareResults), shown in both files. */
  comparison?: Comparison;
  /** Also write results.json beside the report (`npm run bench` does). @default false */
  copyResults?: boolean;
  /** @default now */
  generatedAt?: string;
}

export interface WrittenReport {
  htmlPath: string;
  markdownPath: string;
  resultsPath?: string;
}

/** Writes `file` whole or not at all: a temp file beside it, then a rename (no 0-byte index.html on a full disk). */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Writes results.json first (when asked), then summary.md, then index.html, each atomically: when the disk
 * fills up half-way the measurements are what survives.
 */
export async function writeReport(results: Results, options: WriteReportOptions): Promise<WrittenReport> {
  const { comparison } = options;
  const html = renderReport(results, {
    assets: readVegaAssets(),
    comparison,
    generatedAt: options.generatedAt ?? new Date().toISOString(),
  });
  await mkdir(options.outDir, { recursive: true });
  const htmlPath = path.join(options.outDir, "index.html");
  const markdownPath = path.join(options.outDir, "summary.md");
  let resultsPath: string | undefined;
  if (options.copyResults) {
    resultsPath = path.join(options.outDir, "results.json");
    await writeResults(resultsPath, results);
  }
  await writeFileAtomic(markdownPath, renderMarkdown(results, { comparison }));
  await writeFileAtomic(htmlPath, html);
  return { htmlPath, markdownPath, ...(resultsPath ? { resultsPath } : {}) };
}

/**
 * Writes a bench run's folder (results.json, summary.md, index.html); when that fails (a full disk, a folder
 * removed mid-run) the results are saved in the system's temp folder, and the error says where and how to
 * render them: the measurements are never lost.
 */
export async function writeReportOrRescue(
  results: Results,
  runDir: string,
  comparison: Comparison | undefined,
): Promise<WrittenReport & { resultsPath: string }> {
  try {
    const written = await writeReport(results, {
      outDir: runDir,
      copyResults: true,
      ...(comparison ? { comparison } : {}),
    });
    return { ...written, resultsPath: written.resultsPath ?? path.join(runDir, "results.json") };
  } catch (error) {
    const rescuePath = path.join(os.tmpdir(), `powerbench-${results.run.id}-results.json`);
    let saved = "";
    try {
      await writeResults(rescuePath, results);
      saved = `; the results are saved in ${rescuePath}: render them with npm run report -- ${rescuePath}`;
    } catch (rescueError) {
      saved = `; saving them in ${rescuePath} failed too (${describeError(rescueError)})`;
    }
    throw new TuningError(`could not write the report in ${runDir} (${describeError(error)})${saved}`, {
      cause: error,
    });
  }
}

/** Points `<outDir>/latest` at the run's folder (a relative symlink, replaced each run). */
export function linkLatest(outDir: string, runId: string): void {
  const link = path.join(outDir, "latest");
  rmSync(link, { force: true, recursive: false });
  try {
    symlinkSync(runId, link, "dir");
  } catch {
    // A filesystem without symlinks: the run folder is still printed and written.
  }
}
