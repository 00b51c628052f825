/**
 * Threshold evaluation: a profile's thresholds against the overall request stats, as k6-style outcomes
 * (metric "http_req_failed" / "http_req_duration", expression "rate<0.01" / "p(95)<500"). Pure.
 */
import { type Thresholds, thresholdExpressions } from "./profiles.ts";
import type { RequestStats, ThresholdOutcome } from "./run-result.ts";

/** The statistic an expression's left-hand side names, read from request stats. */
function statistic(metric: string, lhs: string, stats: RequestStats): number {
  if (metric === "http_req_failed" && lhs === "rate") return stats.errorRate;
  const percentile = /^p\((\d+(?:\.\d+)?)\)$/.exec(lhs);
  if (metric === "http_req_duration" && percentile) {
    const table: Record<string, number> = {
      "50": stats.latency.p50Ms,
      "90": stats.latency.p90Ms,
      "95": stats.latency.p95Ms,
      "99": stats.latency.p99Ms,
      "99.9": stats.latency.p999Ms,
    };
    const value = table[percentile[1] as string];
    if (value !== undefined) return value;
  }
  throw new Error(`unsupported threshold "${lhs}" on ${metric}: expected rate, p(50|90|95|99|99.9)`);
}

export function evaluateThresholds(thresholds: Thresholds, overall: RequestStats): ThresholdOutcome[] {
  const outcomes: ThresholdOutcome[] = [];
  for (const [metric, expressions] of Object.entries(thresholdExpressions(thresholds))) {
    for (const expression of expressions) {
      const [lhs, limit] = expression.split("<") as [string, string];
      const actual = statistic(metric, lhs, overall);
      outcomes.push({ metric, expression, actual, passed: actual < Number(limit) });
    }
  }
  return outcomes;
}
