/**
 * The thin edge that writes a report: `<outDir>/index.html`, `<outDir>/summary.md` and, when asked,
 * `<outDir>/results.json`. Rendering is pure (render-html.ts, render-markdown.ts); this only reads the
 * vega bundles and writes files.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeResults } from "../tuning/results/results-file.ts";
import type { Results } from "../tuning/results/results-types.ts";
import { readVegaAssets } from "./assets.ts";
import { type Comparison, compareResults, type RegressionThresholds } from "./compare.ts";
import { renderReport } from "./render-html.ts";
import { renderMarkdown } from "./render-markdown.ts";

export interface WriteReportOptions {
  outDir: string;
  /** A previous run to compare with; regressions are returned and shown. */
  baseline?: Results;
  thresholds?: Partial<RegressionThresholds>;
  /** Also write results.json beside the report (`npm run bench` does). @default false */
  copyResults?: boolean;
  /** @default now */
  generatedAt?: string;
}

export interface WrittenReport {
  htmlPath: string;
  markdownPath: string;
  resultsPath?: string;
  comparison?: Comparison;
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
  const comparison = options.baseline
    ? compareResults(results, options.baseline, options.thresholds)
    : undefined;
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
  return { htmlPath, markdownPath, resultsPath, comparison };
}
