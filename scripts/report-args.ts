/**
 * Flags of `npm run report` (scripts/command.ts parses them): the results file or run folder, the baseline,
 * the output folder and the regression thresholds.
 */
import { parseThresholds } from "../reports/cli-options.ts";
import type { RegressionThresholds } from "../reports/compare.ts";
import { type CommandSpec, parseCommandLine } from "./command.ts";

export const REPORT_COMMAND = {
  name: "report",
  summary: [
    "Renders <out>/index.html (self-contained, opens offline) and <out>/summary.md from a results.json,",
    "or from the results.json inside a run folder (reports/out/latest, reports/out/<run id>).",
  ].join("\n"),
  positionals: { names: "<results.json | run folder>", min: 1, max: 1 },
  flags: {
    baseline: {
      type: "string",
      value: "<results.json|dir>",
      help: "compare with a previous run; a regression exits 2",
    },
    out: { type: "string", value: "<dir>", help: "output folder", default: "reports/out/<run id>" },
    "regression-threshold": {
      type: "string",
      value: "<k=v>",
      help: "cost=10 p95=10 p99=20 (percent), errorRate=1 (percentage points); or comma-separated",
      multiple: true,
    },
    "copy-results": { type: "boolean", help: "also write results.json into the output folder" },
  },
  gate: "a regression against --baseline",
} as const satisfies CommandSpec;

export interface ReportCliOptions {
  resultsPath: string;
  baselinePath?: string;
  outDir?: string;
  thresholds: Partial<RegressionThresholds>;
  copyResults: boolean;
  help: boolean;
}

/** Parses argv (without node and the script); throws UsageError or ReportOptionError with one line. */
export function parseReportArgs(argv: readonly string[]): ReportCliOptions {
  const { values, positionals, help } = parseCommandLine(REPORT_COMMAND, argv);
  const baseline = values.baseline as string | undefined;
  const out = values.out as string | undefined;
  return {
    resultsPath: positionals[0] ?? "",
    ...(baseline === undefined ? {} : { baselinePath: baseline }),
    ...(out === undefined ? {} : { outDir: out }),
    thresholds: parseThresholds((values["regression-threshold"] as string[] | undefined) ?? []),
    copyResults: values["copy-results"] === true,
    help,
  };
}
