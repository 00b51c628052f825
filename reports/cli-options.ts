/**
 * Options of `npm run report`, parsed from argv (no process access: the script passes argv in).
 */
import { parseArgs } from "node:util";
import type { RegressionThresholds } from "./compare.ts";
import { ReportOptionError } from "./errors.ts";

export const REPORT_USAGE = `Usage: npm run report -- <results.json> [options]

Renders <out>/index.html (self-contained, opens offline) and <out>/summary.md from a results.json.

Options:
  --baseline <results.json>        compare with a previous run; exit 2 when a metric regressed
  --out <dir>                      output folder (default: reports/out/<run id>)
  --regression-threshold <k=v>     cost=10 p95=10 p99=20 (percent), errorRate=1 (percentage points);
                                   repeat the flag or separate with commas
  --copy-results                   also write results.json into the output folder
  -h, --help                       this text

Exit codes: 0 written, 1 bad input (the message names the field), 2 regression against the baseline.`;

export interface ReportCliOptions {
  resultsPath: string;
  baselinePath?: string;
  outDir?: string;
  thresholds: Partial<RegressionThresholds>;
  copyResults: boolean;
  help: boolean;
}

const THRESHOLD_KEYS: Record<string, keyof RegressionThresholds> = {
  cost: "costPct",
  p95: "p95Pct",
  p99: "p99Pct",
  errorRate: "errorRatePp",
  errors: "errorRatePp",
};

/** "p95=15,errorRate=0.5" → { p95Pct: 15, errorRatePp: 0.5 }; a trailing "%" or "pp" is allowed. */
export function parseThresholds(values: string[]): Partial<RegressionThresholds> {
  const thresholds: Partial<RegressionThresholds> = {};
  for (const item of values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z0-9]+)=([0-9]*\.?[0-9]+)\s*(%|pp)?$/.exec(item);
    const key = match?.[1] === undefined ? undefined : THRESHOLD_KEYS[match[1]];
    if (!match || !key) {
      throw new ReportOptionError(
        "--regression-threshold",
        item,
        `<metric>=<number> with metric one of cost, p95, p99 (percent) or errorRate (percentage points), e.g. p95=15`,
      );
    }
    thresholds[key] = Number(match[2]);
  }
  return thresholds;
}

/**
 * The default output folder of a run: reports/out/<run id>, the id reduced to a safe folder name (letters,
 * digits, ".", "_", "-"), so no run id can point outside reports/out.
 */
export function defaultOutDir(runId: string): string {
  const safe = runId.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_");
  return `reports/out/${safe || "_"}`;
}

export function parseReportArgs(argv: string[]): ReportCliOptions {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        baseline: { type: "string" },
        out: { type: "string" },
        "regression-threshold": { type: "string", multiple: true },
        "copy-results": { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    throw new ReportOptionError(
      "arguments",
      argv.join(" "),
      `the options below (${(error as Error).message})\n\n${REPORT_USAGE}`,
    );
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 1) {
    throw new ReportOptionError(
      "<results.json>",
      positionals.join(" "),
      `exactly one results file\n\n${REPORT_USAGE}`,
    );
  }
  return {
    resultsPath: positionals[0] ?? "",
    baselinePath: values.baseline,
    outDir: values.out,
    thresholds: parseThresholds(values["regression-threshold"] ?? []),
    copyResults: values["copy-results"] === true,
    help,
  };
}
