/**
 * Pure helpers of `npm run report`'s options: the regression thresholds and the default output folder
 * (the flag table is scripts/report-args.ts).
 */
import type { RegressionThresholds } from "./compare.ts";
import { ReportOptionError } from "./errors.ts";

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
