/**
 * The text sections of the report: notes (CPU scaling, distorted settings), the recommendation panel,
 * failed settings, run metadata and the baseline comparison. Every string from the results is escaped. Pure.
 */

import type { Results, SettingResult } from "../tuning/results/results-types.ts";
import type { Comparison, MetricDelta } from "./compare.ts";
import {
  formatMs,
  formatPercent,
  formatRate,
  formatSignedPct,
  formatSignedPp,
  formatUsd,
  MISSING,
} from "./format.ts";
import { escapeHtml, table } from "./html.ts";
import { cloudwatchDisagreement, coldStartPricing } from "./measurement-summary.ts";
import { partialRunText } from "./partial.ts";
import {
  architectureCount,
  failedSettings,
  labelOfId,
  noPickAnswer,
  orderedSettings,
  STRATEGY_TITLES,
  settingLabel,
} from "./settings.ts";
import { verdictOf } from "./verdict.ts";

/** How the cost pick changes with the cold-start rate (INIT repriced at 0 %, 0.1 %, 1 %, 5 %). */
export function renderColdStartSensitivity(results: Results): string {
  const rows = results.run.coldStartSensitivity;
  if (!rows || rows.length === 0) return "";
  const priced = `${coldStartPricing(results)}.`;
  return (
    `<section id="cold-start-sensitivity"><h2>Cold-start sensitivity</h2><p>${escapeHtml(priced)} The cost pick at other rates:</p>` +
    table(
      ["cold starts", "cost pick", "not distinguishable from"],
      rows.map((r) => [
        escapeHtml(formatRate(r.rate)),
        escapeHtml(r.costPick === null || r.costPick === undefined ? "none" : labelOfId(results, r.costPick)),
        escapeHtml(r.notDistinguishableFrom.map((id) => labelOfId(results, id)).join(", ") || MISSING),
      ]),
    ) +
    "</section>"
  );
}

/** Warnings a reader must see before trusting the figures. */
/** The banner of a partial run (interrupted, or stopped by an error): first thing on the page. */
export function renderPartialBanner(results: Results): string {
  const text = partialRunText(results);
  if (!text) return "";
  return `<section class="banner partial" id="partial" role="alert"><p><strong>${escapeHtml(text.slice(0, text.indexOf(":") + 1))}</strong>${escapeHtml(text.slice(text.indexOf(":") + 1))}</p></section>`;
}

/** The one-glance answer (reports/verdict.ts): the headline, one line per strategy, the bigger lever. */
export function renderVerdict(results: Results): string {
  const verdict = verdictOf(results);
  if (!verdict) return "";
  const lever = verdict.lever
    ? `<p class="lever">${escapeHtml(verdict.lever.text)} <span class="source">(${escapeHtml(verdict.lever.source)})</span></p>`
    : "";
  return (
    `<section id="verdict" aria-label="Verdict"><p class="headline">${escapeHtml(verdict.headline)}</p>` +
    `<ul>${verdict.strategies.map((s) => `<li>${escapeHtml(s.text)}</li>`).join("")}</ul>${lever}</section>`
  );
}

export function renderNotes(results: Results): string {
  const notes: string[] = [];
  const cpu = results.run.cpuScaling;
  if (cpu.mode === "none") {
    notes.push(
      `<strong>CPU scaling was not emulated.</strong> Every memory size ran with the same CPU share, so the ` +
        `latency and duration differences between memory sizes are smaller than on Lambda, where CPU grows ` +
        `with memory (1,769 MB = one vCPU). Reason: ${escapeHtml(cpu.reason ?? "not given")}.`,
    );
  }
  const archs = architectureCount(results);
  for (const s of orderedSettings(results)) {
    if (s.distorted) {
      notes.push(
        `<strong>${escapeHtml(settingLabel(s, archs))} may be distorted</strong> <span class="id">(${escapeHtml(s.id)})</span>: ${escapeHtml(s.distorted.reason)}. Treat its figures with care.`,
      );
    }
  }
  for (const w of results.run.warnings ?? [])
    notes.push(
      `<strong>${escapeHtml(w.message.slice(0, w.message.indexOf(":") + 1))}</strong>${escapeHtml(w.message.slice(w.message.indexOf(":") + 1))}.`,
    );
  if (notes.length === 0) return "";
  return `<section class="notes" id="notes" aria-label="Notes">${notes.map((n) => `<p class="note">⚠ ${n}</p>`).join("")}</section>`;
}

function keyFigures(setting: SettingResult | undefined): string {
  if (!setting) return "";
  const figures = [
    `cost ${formatUsd(setting.cost?.totalPerMillionUsd)} / 1M`,
    `p95 ${formatMs(setting.client?.latency.p95Ms)}`,
    `p99 ${formatMs(setting.client?.latency.p99Ms)}`,
    `errors ${formatRate(setting.client?.errorRate)}`,
  ];
  return `<p class="figures-line">${figures.map(escapeHtml).join(" · ")}</p>`;
}

/**
 * One card per strategy, titled with its answer ("Lowest cost: 512 MB"; the architecture only when more than
 * one ran), then the pick's key figures, the reason, the ties; the setting id is a small key for the tables.
 */
export function renderRecommendations(results: Results): string {
  const byId = new Map(results.settings.map((s) => [s.id, s]));
  if (results.recommendations.length === 0) {
    return '<section id="recommendations"><h2>Recommendations</h2><p>The results hold no recommendation.</p></section>';
  }
  const archs = architectureCount(results);
  const cards = results.recommendations.map((rec) => {
    const pick = rec.settingId === null ? undefined : byId.get(rec.settingId);
    const answer = pick ? settingLabel(pick, archs) : (rec.settingId ?? noPickAnswer(results, rec.strategy));
    const ties =
      rec.indistinguishableFrom.length > 0
        ? `<p class="ties">Not distinguishable from: ${rec.indistinguishableFrom.map((id) => escapeHtml(labelOfId(results, id))).join(", ")}</p>`
        : "";
    return (
      `<article class="card${rec.settingId === null ? " none" : ""}" data-strategy="${escapeHtml(rec.strategy)}">` +
      `<h3>${escapeHtml(STRATEGY_TITLES[rec.strategy] ?? rec.strategy)}: <span class="pick">${escapeHtml(answer)}</span></h3>` +
      `${keyFigures(pick)}<p class="reason">${escapeHtml(rec.reason)}</p>${ties}` +
      (rec.settingId === null ? "" : `<p class="id">setting ${escapeHtml(rec.settingId)}</p>`) +
      "</article>"
    );
  });
  return `<section id="recommendations"><h2>Recommendations</h2><div class="cards">${cards.join("")}</div></section>`;
}

/** The settings that failed and why (failures, then the Newman gate's first failures). */
export function renderFailedSettings(results: Results): string {
  const failed = failedSettings(results);
  const gateFailed = orderedSettings(results).filter((s) => s.status === "ok" && s.gate && !s.gate.passed);
  if (failed.length === 0 && gateFailed.length === 0) return "";
  const archs = architectureCount(results);
  const items = [...failed, ...gateFailed].map((s) => {
    const failures = s.failures.map(
      (f) => `<li><code>${escapeHtml(f.kind)}</code> ${escapeHtml(f.message)}</li>`,
    );
    const gate = (s.gate?.passed === false ? s.gate.failures : []).map(
      (f) => `<li><code>gate</code> ${escapeHtml(f)}</li>`,
    );
    const what = s.status === "failed" ? "failed" : "failed the functional gate";
    return `<li><strong>${escapeHtml(settingLabel(s, archs))} ${what}</strong> <span class="id">(${escapeHtml(s.id)})</span><ul>${[...failures, ...gate].join("")}</ul></li>`;
  });
  return `<section id="failed"><h2>Failed settings</h2><p>Failed settings are listed here and in the tables, not drawn in the charts.</p><ul class="failures">${items.join("")}</ul></section>`;
}

/** Run metadata as a definition list. */
export function renderMetadata(results: Results): string {
  const run = results.run;
  const entries: Array<[string, string]> = [
    ["run id", run.id],
    ["started", run.startedAt],
    ["ended", run.endedAt],
    ["git revision", run.gitRevision ?? MISSING],
    ["stage", `${run.stage.name} (${run.stage.region})`],
    ["API", `${run.stage.apiType} ${run.stage.apiUrl}`],
    ["function", `${run.stage.functionName}:${run.stage.alias}`],
    ["mode", run.mode === "api" ? "api (load through API Gateway)" : "direct (Lambda Invoke)"],
    ["load engine", `${run.engine.name} ${run.engine.version}`],
    ["profile", run.profile],
    ["CPU scaling", run.cpuScaling.mode + (run.cpuScaling.reason ? ` (${run.cpuScaling.reason})` : "")],
    ["host oversubscribed", hostOversubscription(results)],
    ...capacityCaps(results),
    ...cloudwatchCheck(results),
    [
      "price table",
      `${run.priceTable.version} (${run.priceTable.region}${run.priceTable.origin ? `, ${run.priceTable.origin}` : ""})`,
    ],
    [
      "SLO",
      run.slo
        ? [
            run.slo.p99Ms === undefined ? "" : `p99 ≤ ${run.slo.p99Ms} ms`,
            run.slo.errorRate === undefined ? "" : `error rate ≤ ${formatRate(run.slo.errorRate)}`,
          ]
            .filter(Boolean)
            .join(", ") || "none"
        : "none",
    ],
    [
      "trimmed mean",
      run.discardTopBottom === undefined ? MISSING : `${run.discardTopBottom} dropped each side`,
    ],
    ["settings", `${results.settings.length} (${failedSettings(results).length} failed)`],
    ...Object.entries(run.toolVersions).map(([tool, version]): [string, string] => [
      `version: ${tool}`,
      version,
    ]),
  ];
  const items = entries.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`);
  return `<section id="metadata"><h2>Run</h2><dl class="meta">${items.join("")}</dl></section>`;
}

function deltaCell(d: MetricDelta | undefined): string {
  if (!d) return MISSING;
  const text = d.metric === "errorRate" ? formatSignedPp(d.change) : formatSignedPct(d.change);
  return d.regression ? `<span class="regression">${escapeHtml(text)} ▲</span>` : escapeHtml(text);
}

/** The baseline comparison: deltas per setting, regressions first. */
export function renderComparison(comparison: Comparison | undefined, results?: Results): string {
  if (!comparison) return "";
  const name = (id: string) => (results ? labelOfId(results, id) : id);
  const t = comparison.thresholds;
  const summary =
    comparison.regressions.length === 0
      ? `<p class="ok-line">No regression beyond the thresholds.</p>`
      : `<ul class="regressions">${comparison.regressions
          .map(
            (r) =>
              `<li><strong>${escapeHtml(name(r.settingId))}</strong> <span class="id">(${escapeHtml(r.settingId)})</span>: ${escapeHtml(r.message)}</li>`,
          )
          .join("")}</ul>`;
  const rows = comparison.settings.map((s) => {
    const get = (m: MetricDelta["metric"]) => s.deltas.find((d) => d.metric === m);
    const cost = get("costPerMillionUsd");
    return [
      escapeHtml(s.id),
      escapeHtml(s.status),
      cost ? escapeHtml(`${formatUsd(cost.previous)} → ${formatUsd(cost.current)}`) : MISSING,
      deltaCell(cost),
      deltaCell(get("p95Ms")),
      deltaCell(get("p99Ms")),
      deltaCell(get("errorRate")),
    ];
  });
  return (
    `<section id="comparison"><h2>Compared with baseline ${escapeHtml(comparison.baselineRunId)}</h2>` +
    `<p class="hint">Regression thresholds: cost per 1M +${t.costPct} %, p95 +${t.p95Pct} %, p99 +${t.p99Pct} %, ` +
    `error rate +${t.errorRatePp} pp; a setting that completed before and fails now is a regression.</p>` +
    (comparison.loadNotCompared
      ? `<p class="hint load-not-compared">Not compared: ${escapeHtml(comparison.loadNotCompared)}.</p>`
      : "") +
    summary +
    table(["setting", "status", "cost per 1M", "Δ cost", "Δ p95", "Δ p99", "Δ error rate"], rows) +
    "</section>"
  );
}

/** The run panel's line when CloudWatch's Invocations disagreed with the REPORT lines: settings and counts. */
function cloudwatchCheck(results: Results): Array<[string, string]> {
  const disagreement = cloudwatchDisagreement(results);
  return disagreement ? [["CloudWatch disagrees", disagreement]] : [];
}

/**
 * The run panel's line on the local stage's capacity cap (`--capacity auto`): the invocations each setting
 * was allowed at once, the cores they shared, and what waiting for the cap cost the callers.
 */
function capacityCaps(results: Results): Array<[string, string]> {
  const capped = results.settings.filter((s) => s.hostContention?.capacity);
  if (capped.length === 0) return [];
  const cores = capped[0]?.hostContention?.capacity?.environmentCores;
  const caps = capped
    .map((s) => {
      const c = s.hostContention?.capacity;
      return c
        ? `${s.id}: ${c.invocationCap} (${(c.waitedShare * 100).toFixed(1)} % waited, mean ${c.meanCapacityWaitMs.toFixed(2)} ms)`
        : "";
    })
    .join("; ");
  return [
    [
      "invocations at once",
      `${caps}; max(1, floor(${cores} environment cores / min(1, memory/1769))), the host's cores less one for the front, dynalite and the load engine; the wait is in the latency, not in Duration`,
    ],
  ];
}

/** The run panel's line on host oversubscription (local stage): which settings, and their wait share. */
function hostOversubscription(results: Results): string {
  const measured = results.settings.filter((s) => s.hostContention);
  if (measured.length === 0) return MISSING;
  const over = measured.filter((s) => s.hostContention?.oversubscribed);
  if (over.length === 0) return `no (${measured.length} settings measured)`;
  return over
    .map(
      (s) =>
        `${s.id}: ${formatPercent(s.hostContention?.hostCpuWaitShare ?? 0, 1)} of Duration waiting for the host` +
        (s.hostContention?.capacity?.waitedShare
          ? `, capacity queue ${formatMs(s.hostContention.capacity.meanCapacityWaitMs)} mean`
          : ""),
    )
    .join("; ");
}
