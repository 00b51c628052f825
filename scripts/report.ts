/**
 * `npm run report -- <results.json | run folder> [--baseline <results.json | run folder>] [--out <dir>]
 * [--regression-threshold k=v]`: re-renders the report of a run, <out>/index.html and <out>/summary.md, and
 * prints the written paths. Exit codes (scripts/command.ts): 0 written, 1 bad input (the message names the
 * field), 2 a regression against the baseline.
 */
import { statSync } from "node:fs";
import path from "node:path";
import { defaultOutDir } from "../reports/cli-options.ts";
import { compareResults } from "../reports/compare.ts";
import { writeReport } from "../reports/write-report.ts";
import { readResults } from "../tuning/results/results-file.ts";
import { EXIT, type ExitCode, exitWith, runCommand } from "./command.ts";
import { parseReportArgs, REPORT_COMMAND } from "./report-args.ts";
import { appendStepSummary } from "./step-summary.ts";

/** A run folder (reports/out/latest, reports/out/<run id>) stands for the results.json inside it. */
export function resultsFileOf(given: string): string {
  try {
    if (statSync(given).isDirectory()) return path.join(given, "results.json");
  } catch {
    // missing: readResults names the path and what to do
  }
  return given;
}

async function main(argv: readonly string[]): Promise<ExitCode> {
  const options = parseReportArgs(argv);
  const results = await readResults(resultsFileOf(options.resultsPath));
  const baseline = options.baselinePath ? await readResults(resultsFileOf(options.baselinePath)) : undefined;
  const outDir = options.outDir ?? defaultOutDir(results.run.id);
  // The comparison step: its regressions are shown in the report and decide the exit code.
  const comparison = baseline ? compareResults(results, baseline, options.thresholds) : undefined;
  const written = await writeReport(results, {
    outDir,
    ...(comparison ? { comparison } : {}),
    copyResults: options.copyResults,
  });
  for (const file of [written.htmlPath, written.markdownPath, written.resultsPath]) {
    if (file) process.stdout.write(`${file}\n`);
  }
  appendStepSummary(written.markdownPath);
  const regressions = comparison?.regressions ?? [];
  if (regressions.length > 0) {
    process.stderr.write(
      `${regressions.length} regression(s) against baseline ${comparison?.baselineRunId}:\n`,
    );
    for (const r of regressions) process.stderr.write(`  ${r.settingId}: ${r.message}\n`);
    return EXIT.gate;
  }
  return EXIT.ok;
}

const argv = process.argv.slice(2);
void runCommand(REPORT_COMMAND, argv, () => main(argv)).then((code) => exitWith(code));
