/**
 * `npm run report -- <results.json> [--baseline <results.json>] [--out <dir>] [--regression-threshold k=v]`
 * Re-renders the report of a run: <out>/index.html and <out>/summary.md. Prints the written paths.
 * Exit codes: 0 written, 1 bad input (the message names the field), 2 regression against the baseline.
 */
import { defaultOutDir, parseReportArgs, REPORT_USAGE } from "../reports/cli-options.ts";
import { ReportError } from "../reports/errors.ts";
import { writeReport } from "../reports/write-report.ts";
import { ResultsValidationError } from "../tuning/results.ts";
import { readResults } from "../tuning/results-file.ts";

async function main(argv: string[]): Promise<number> {
  const options = parseReportArgs(argv);
  if (options.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  const results = await readResults(options.resultsPath);
  const baseline = options.baselinePath ? await readResults(options.baselinePath) : undefined;
  const outDir = options.outDir ?? defaultOutDir(results.run.id);
  const written = await writeReport(results, {
    outDir,
    baseline,
    thresholds: options.thresholds,
    copyResults: options.copyResults,
  });
  for (const file of [written.htmlPath, written.markdownPath, written.resultsPath]) {
    if (file) process.stdout.write(`${file}\n`);
  }
  const regressions = written.comparison?.regressions ?? [];
  if (regressions.length > 0) {
    process.stderr.write(
      `${regressions.length} regression(s) against baseline ${written.comparison?.baselineRunId}:\n`,
    );
    for (const r of regressions) process.stderr.write(`  ${r.settingId}: ${r.message}\n`);
    return 2;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ResultsValidationError || error instanceof ReportError) {
      process.stderr.write(`report: ${error.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`report: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
