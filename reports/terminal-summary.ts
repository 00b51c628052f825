/**
 * The terminal summary of a bench run (pure, returns a string): the verdict's headline (reports/verdict.ts,
 * the report's first line), one row per setting with client percentiles, error rate, cold starts and cost per
 * 1M requests, then each strategy's pick and why.
 */

import type { HostCapacityCap, Results, SettingResult } from "../tuning/results/results-types.ts";
import { formatMs, formatPercent, formatRate, formatUsd, MISSING } from "./format.ts";
import { cloudwatchDisagreement } from "./measurement-summary.ts";
import { verdictOf } from "./verdict.ts";

function row(s: SettingResult, picks: Map<string, string[]>): string[] {
  const status = s.status === "ok" ? (s.distorted ? "ok*" : "ok") : "FAILED";
  return [
    s.id,
    status,
    formatMs(s.client?.latency.p50Ms),
    formatMs(s.client?.latency.p95Ms),
    formatMs(s.client?.latency.p99Ms),
    formatRate(s.client?.errorRate),
    s.lambda ? String(s.lambda.coldStarts) : MISSING,
    formatUsd(s.cost?.totalPerMillionUsd),
    (picks.get(s.id) ?? []).join(","),
  ];
}

function align(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  "),
    )
    .join("\n");
}

export function renderTerminalSummary(results: Results, reportPath?: string): string {
  const picks = new Map<string, string[]>();
  for (const r of results.recommendations) {
    if (r.settingId) picks.set(r.settingId, [...(picks.get(r.settingId) ?? []), r.strategy]);
  }
  const header = ["setting", "status", "p50", "p95", "p99", "errors", "cold", "cost/1M req", "picked by"];
  const headline = verdictOf(results)?.headline;
  const lines = [
    `powerbench ${results.run.id}: ${results.run.stage.name} stage, ${results.run.engine.name} engine, profile ${results.run.profile}`,
    ...(headline ? ["", headline] : []),
    "",
    align([header, ...results.settings.map((s) => row(s, picks))]),
    "",
    ...results.recommendations.map((r) => `${r.strategy.padEnd(8)} → ${r.settingId ?? "none"}: ${r.reason}`),
  ];
  for (const w of results.run.warnings ?? []) lines.push("", `warning: ${w.message}.`);
  const failed = results.settings.filter((s) => s.status === "failed");
  if (failed.length > 0) {
    lines.push("", "failed settings:");
    for (const s of failed) lines.push(`  ${s.id}: ${s.failures.map((f) => f.message).join("; ")}`);
  }
  if (results.settings.some((s) => s.distorted)) {
    lines.push(
      "",
      "* the host's CPU was saturated during that window: figures may measure the host (see the report)",
    );
  }
  const oversubscribed = results.settings.filter((s) => s.hostContention?.oversubscribed);
  if (oversubscribed.length > 0) {
    lines.push(
      "",
      `host oversubscribed (environments could not get their CPU share from the host): ${oversubscribed
        .map(
          (s) =>
            `${s.id} ${formatPercent(s.hostContention?.hostCpuWaitShare ?? 0, 1)} of Duration waiting for the host` +
            capacityQueue(s.hostContention?.capacity),
        )
        .join(", ")}`,
    );
  }
  const disagreement = cloudwatchDisagreement(results);
  if (disagreement) {
    lines.push("", `CloudWatch disagrees with the measured REPORT lines: ${disagreement}`);
  }
  if (results.run.cpuScaling.mode === "none" && results.run.stage.name === "local") {
    lines.push(
      "",
      `note: CPU was not scaled with memory (${results.run.cpuScaling.reason ?? "unknown reason"})`,
    );
  }
  if (reportPath) lines.push("", `report: ${reportPath}`);
  return lines.join("\n");
}

/** The capacity queue behind a flagged setting, when invocations waited for the cap (`--capacity`). */
function capacityQueue(capacity: HostCapacityCap | undefined): string {
  if (!capacity || capacity.waitedShare === 0) return "";
  return ` (capacity queue: ${formatMs(capacity.meanCapacityWaitMs)} mean, ${capacity.invocationCap} at once)`;
}
