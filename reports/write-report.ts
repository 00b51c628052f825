/**
 * The thin edge that writes a report: `<outDir>/index.html`, `<outDir>/summary.md` and, when asked,
 * `<outDir>/results.json`. Rendering is pure (render-html.ts, render-markdown.ts); this only reads the
 * vega bundles and writes files.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeResults } from "../tuning/results-file.ts";
import type { Results } from "../tuning/results-types.ts";
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
  await writeFile(htmlPath, html);
  await writeFile(markdownPath, renderMarkdown(results, { comparison }));
  let resultsPath: string | undefined;
  if (options.copyResults) {
    resultsPath = path.join(options.outDir, "results.json");
    await writeResults(resultsPath, results);
  }
  return { htmlPath, markdownPath, resultsPath, comparison };
}
