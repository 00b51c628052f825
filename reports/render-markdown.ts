/**
 * results → a Markdown summary for CI logs and pull-request comments: the picks, one line per setting,
 * failures, warnings and the baseline comparison. Pure.
 */

import type { Results, SettingResult } from "../tuning/results/results-types.ts";
import type { Comparison, MetricDelta } from "./compare.ts";
import { formatMs, formatRate, formatSignedPct, formatSignedPp, formatUsd, MISSING } from "./format.ts";
import { coldStartSensitivityLines, costComponentLines, measurementLines } from "./measurement-summary.ts";
import { partialRunText } from "./partial.ts";
import {
  architectureCount,
  coldStartRate,
  failedSettings,
  noPickAnswer,
  orderedSettings,
  picksBySetting,
  STRATEGY_TITLES,
  settingLabel,
} from "./settings.ts";
import { summarizeResults } from "./summary.ts";
import { verdictOf } from "./verdict.ts";

/** Escape text for a Markdown table cell or line: no HTML, no table breaks, no emphasis, one line. */
export function escapeMarkdown(text: unknown): string {
  return (
    String(text)
      .replace(/[\r\n]+/g, " ")
      // "_" stays: GitHub does not read intraword underscores (x86_64) as emphasis, and logs stay readable
      .replace(/[\\`*[\]|]/g, (c) => `\\${c}`)
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
  );
}

function row(cells: string[]): string {
  return `| ${cells.join(" | ")} |`;
}

function mdTable(headers: string[], rows: string[][]): string[] {
  return [row(headers), row(headers.map(() => "---")), ...rows.map(row)];
}

function figuresOf(s: SettingResult | undefined): string[] {
  return [
    formatUsd(s?.cost?.totalPerMillionUsd),
    formatMs(s?.client?.latency.p95Ms),
    formatMs(s?.client?.latency.p99Ms),
    formatRate(s?.client?.errorRate),
  ];
}

function notes(results: Results): string[] {
  const lines: string[] = [];
  const cpu = results.run.cpuScaling;
  if (cpu.mode === "none") {
    lines.push(
      `> **Warning:** CPU scaling was not emulated (every memory size had the same CPU): ${escapeMarkdown(cpu.reason ?? "no reason given")}.`,
    );
  }
  for (const s of orderedSettings(results)) {
    if (s.distorted)
      lines.push(
        `> **Warning:** ${escapeMarkdown(settingLabel(s, architectureCount(results)))} (${escapeMarkdown(s.id)}) may be distorted: ${escapeMarkdown(s.distorted.reason)}.`,
      );
  }
  for (const w of results.run.warnings ?? []) lines.push(`> **Warning:** ${escapeMarkdown(w.message)}.`);
  return lines.length > 0 ? [...lines, ""] : [];
}

function deltaText(d: MetricDelta | undefined): string {
  if (!d) return MISSING;
  const text = d.metric === "errorRate" ? formatSignedPp(d.change) : formatSignedPct(d.change);
  return d.regression ? `**${text}** ⚠` : text;
}

function comparisonLines(comparison: Comparison | undefined): string[] {
  if (!comparison) return [];
  const t = comparison.thresholds;
  const lines = [
    `## Compared with baseline ${escapeMarkdown(comparison.baselineRunId)}`,
    "",
    `Thresholds: cost +${t.costPct} %, p95 +${t.p95Pct} %, p99 +${t.p99Pct} %, error rate +${t.errorRatePp} pp.`,
    "",
    ...(comparison.loadNotCompared
      ? [`Not compared: ${escapeMarkdown(comparison.loadNotCompared)}.`, ""]
      : []),
    ...(comparison.regressions.length === 0
      ? ["No regression beyond the thresholds."]
      : [
          `**${comparison.regressions.length} regression(s):**`,
          ...comparison.regressions.map(
            (r) => `- ${escapeMarkdown(r.settingId)}: ${escapeMarkdown(r.message)}`,
          ),
        ]),
    "",
    ...mdTable(
      ["setting", "status", "Δ cost / 1M", "Δ p95", "Δ p99", "Δ error rate"],
      comparison.settings.map((s) => {
        const get = (m: MetricDelta["metric"]) => s.deltas.find((d) => d.metric === m);
        return [
          escapeMarkdown(s.id),
          s.status,
          deltaText(get("costPerMillionUsd")),
          deltaText(get("p95Ms")),
          deltaText(get("p99Ms")),
          deltaText(get("errorRate")),
        ];
      }),
    ),
    "",
  ];
  return lines;
}

/** The verdict (reports/verdict.ts) as Markdown: the headline in bold, a line per strategy, the lever. */
function verdictLines(results: Results): string[] {
  const verdict = verdictOf(results);
  if (!verdict) return [];
  return [
    `**${escapeMarkdown(verdict.headline)}**`,
    "",
    ...verdict.strategies.map((s) => `- ${escapeMarkdown(s.text)}`),
    ...(verdict.lever
      ? ["", `${escapeMarkdown(verdict.lever.text)} (${escapeMarkdown(verdict.lever.source)})`]
      : []),
    "",
  ];
}

/** The Markdown summary of `results` (and of the comparison with a baseline, when given). */
export function renderMarkdown(results: Results, options: { comparison?: Comparison } = {}): string {
  const run = results.run;
  const byId = new Map(results.settings.map((s) => [s.id, s]));
  const picks = picksBySetting(results);
  const failed = failedSettings(results);
  const lines = [
    `# powerbench · ${escapeMarkdown(run.stage.functionName)} · run ${escapeMarkdown(run.id)}`,
    "",
    `${escapeMarkdown(run.stage.name)} stage (${escapeMarkdown(run.stage.region)}) · ${results.settings.length} settings` +
      `${failed.length > 0 ? `, ${failed.length} failed` : ""} · profile ${escapeMarkdown(run.profile)} · ` +
      `engine ${escapeMarkdown(`${run.engine.name} ${run.engine.version}`)} · CPU scaling ${escapeMarkdown(run.cpuScaling.mode)} · ${escapeMarkdown(run.startedAt)}`,
    "",
    ...(partialRunText(results) ? [`> **${partialRunText(results)}**`, ""] : []),
    ...verdictLines(results),
    ...notes(results),
    "## Recommendations",
    "",
    ...mdTable(
      ["strategy", "answer", "cost / 1M", "p95", "p99", "error rate", "reason"],
      results.recommendations.map((r) => {
        const pick = r.settingId === null ? undefined : byId.get(r.settingId);
        return [
          STRATEGY_TITLES[r.strategy] ?? r.strategy,
          pick
            ? `**${escapeMarkdown(settingLabel(pick, architectureCount(results)))}** (${escapeMarkdown(pick.id)})`
            : r.settingId === null
              ? noPickAnswer(results, r.strategy)
              : `**${escapeMarkdown(r.settingId)}**`,
          ...figuresOf(pick),
          escapeMarkdown(r.reason),
        ];
      }),
    ),
    "",
    ...comparisonLines(options.comparison),
    "## Settings",
    "",
    ...mdTable(
      [
        "setting",
        "status",
        "cost / 1M",
        "p95",
        "p99",
        "error rate",
        "billed mean",
        "cold starts",
        "picked by",
      ],
      orderedSettings(results).map((s) => [
        escapeMarkdown(s.id) + (s.distorted ? " ⚠" : ""),
        s.status,
        ...figuresOf(s),
        formatMs(s.lambda?.billedDurationMs.mean),
        s.lambda ? `${s.lambda.coldStarts} (${formatRate(coldStartRate(s))})` : MISSING,
        (picks.get(s.id) ?? []).join(", ") || MISSING,
      ]),
    ),
    "",
    ...measurementLines(results),
    ...costComponentLines(results),
    ...coldStartSensitivityLines(results),
    ...(failed.length === 0
      ? []
      : [
          "## Failed settings",
          "",
          ...failed.map(
            (s) =>
              `- **${escapeMarkdown(settingLabel(s, architectureCount(results)))}** (${escapeMarkdown(s.id)}): ${s.failures.map((f) => `${f.kind}: ${escapeMarkdown(f.message)}`).join("; ") || "no failure recorded"}`,
          ),
          "",
        ]),
    "## Shareable summary",
    "",
    ...fenced(summarizeResults(results)),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

/** A code block whose fence is longer than any run of backticks in the text, so nothing can close it early. */
function fenced(text: string): string[] {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}text`, text, fence, ""];
}
