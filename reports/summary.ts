/**
 * A compact, shareable text summary of a results object (pure): the run in one line, the pick of each
 * strategy with its cost per 1M requests and p95, then one line per setting. Paste it into a ticket or chat.
 */
import type { Recommendation, Results, SettingResult } from "../tuning/results/results-types.ts";
import { formatMs, formatRate, formatUsd } from "./format.ts";

function table(rows: string[][]): string[] {
  // A row's last cell is not padded, so it does not widen its column: a long reason ending a short row (a
  // strategy that picked nothing) would push every other row's later columns far out.
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      if (i < row.length - 1) widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd(),
  );
}

function recommendationRow(rec: Recommendation, byId: Map<string, SettingResult>): string[] {
  const setting = rec.settingId === null ? undefined : byId.get(rec.settingId);
  if (!setting) return [rec.strategy, "none", rec.reason];
  const cost = setting.cost ? `${formatUsd(setting.cost.totalPerMillionUsd)}/1M` : "";
  const p95 = setting.client ? `p95 ${formatMs(setting.client.latency.p95Ms)}` : "";
  const alike =
    rec.indistinguishableFrom.length > 0 ? `(alike: ${rec.indistinguishableFrom.join(", ")})` : "";
  return [rec.strategy, setting.id, cost, p95, alike];
}

function failedLine(s: SettingResult, idWidth: number): string {
  const why = s.failures.map((f) => `${f.kind}: ${f.message}`).join("; ") || "no failure recorded";
  return `${s.id.padEnd(idWidth)}  FAILED  ${why.length > 100 ? `${why.slice(0, 97)}...` : why}`;
}

function settingRow(s: SettingResult): string[] {
  return [
    s.id,
    s.cost ? `${formatUsd(s.cost.totalPerMillionUsd)}/1M` : "-",
    s.client ? `p95 ${formatMs(s.client.latency.p95Ms)}` : "-",
    s.client ? `p99 ${formatMs(s.client.latency.p99Ms)}` : "-",
    s.lambda ? `billed ${formatMs(s.lambda.billedDurationMs.mean)}` : "-",
    s.client ? `errors ${formatRate(s.client.errorRate)}` : "-",
    s.distorted ? "(distorted)" : "",
  ];
}

/** One line per setting, in the order they ran; failed ones say why. */
function settingLines(settings: readonly SettingResult[]): string[] {
  const idWidth = Math.max(0, ...settings.map((s) => s.id.length));
  const okLines = table(settings.filter((s) => s.status === "ok").map(settingRow));
  let next = 0;
  return settings.map((s) => (s.status === "ok" ? (okLines[next++] ?? s.id) : failedLine(s, idWidth)));
}

/** A few lines of text: run, best per strategy, one line per setting. */
export function summarizeResults(results: Results): string {
  const { run } = results;
  const byId = new Map(results.settings.map((s) => [s.id, s]));
  const slo = run.slo
    ? ` · SLO ${[
        run.slo.p99Ms !== undefined ? `p99 ≤ ${formatMs(run.slo.p99Ms)}` : "",
        run.slo.errorRate !== undefined ? `errors ≤ ${formatRate(run.slo.errorRate)}` : "",
      ]
        .filter(Boolean)
        .join(", ")}`
    : "";
  const header =
    `powerbench ${run.id} · ${run.stage.name} ${run.stage.region} · ${run.stage.apiType} API · ${run.mode} mode · ` +
    `${run.engine.name} ${run.engine.version} · profile ${run.profile} · prices ${run.priceTable.version}${slo}`;
  return [
    header,
    ...table(results.recommendations.map((rec) => recommendationRow(rec, byId))),
    ...settingLines(results.settings),
  ]
    .join("\n")
    .concat("\n");
}
