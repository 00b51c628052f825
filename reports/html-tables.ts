/**
 * The tables of every figure in the results, one table per source (client, Lambda, API Gateway and
 * DynamoDB, cost, operations). Cells are escaped; missing figures print "–". Pure.
 */
import type { Results, SettingResult } from "../tuning/results/results-types.ts";
import { formatInterval, formatMs, formatNumber, formatRate, formatUsd, MISSING } from "./format.ts";
import { escapeHtml, table } from "./html.ts";
import { coldStartRate, orderedSettings, picksBySetting } from "./settings.ts";

function settingCell(s: SettingResult, picks: Map<string, string[]>): string {
  const badges = [
    ...(picks.get(s.id) ?? []).map((p) => `<span class="badge pick">${escapeHtml(p)}</span>`),
    ...(s.status === "failed" ? ['<span class="badge failed">failed</span>'] : []),
    ...(s.distorted ? ['<span class="badge warn" title="see the notes">distorted</span>'] : []),
  ];
  return `${escapeHtml(s.id)} ${badges.join(" ")}`;
}

/** A pass/fail badge (thresholds, the Newman gate), or "–". */
function verdictBadge(passed: boolean | undefined, detail = ""): string {
  if (passed === undefined) return MISSING;
  return `<span class="badge ${passed ? "pass" : "failed"}">${passed ? "pass" : "fail"}</span>${detail ? ` ${escapeHtml(detail)}` : ""}`;
}

/**
 * The client table. The pass/fail columns come right after the setting, so they are in view at any width;
 * the p95 interval sits under the p95 in the same cell, to keep the table narrow.
 */
function clientTable(settings: SettingResult[], picks: Map<string, string[]>): string {
  const rows = settings.map((s) => {
    const c = s.client;
    const l = c?.latency;
    const p95 = s.stats?.p95Ms
      ? `${escapeHtml(formatMs(l?.p95Ms))}<br><small>${escapeHtml(formatInterval(s.stats.p95Ms, formatMs))}</small>`
      : escapeHtml(formatMs(l?.p95Ms));
    return [
      settingCell(s, picks),
      verdictBadge(c?.thresholdsPassed),
      s.gate
        ? verdictBadge(s.gate.passed, `${s.gate.assertions - s.gate.failedAssertions}/${s.gate.assertions}`)
        : MISSING,
      ...[
        formatNumber(c?.requests, 0),
        c ? `${formatNumber(c.achievedRatePerSec)} / ${formatNumber(c.targetRatePerSec)}` : MISSING,
        formatNumber(c?.droppedIterations, 0),
        c ? `${formatRate(c.errorRate)} (${formatNumber(c.errorCount, 0)})` : MISSING,
        formatMs(l?.minMs),
        formatMs(l?.meanMs),
        formatMs(l?.p50Ms),
        formatMs(l?.p90Ms),
      ].map(escapeHtml),
      p95,
      ...[formatMs(l?.p99Ms), formatMs(l?.p999Ms), formatMs(l?.maxMs)].map(escapeHtml),
    ];
  });
  return table(
    [
      "setting",
      "thresholds",
      "Newman gate",
      "requests",
      "achieved / target req/s",
      "dropped",
      "error rate (errors)",
      "min",
      "mean",
      "p50",
      "p90",
      "p95 (interval)",
      "p99",
      "p99.9",
      "max",
    ],
    rows,
  );
}

function lambdaTable(settings: SettingResult[], picks: Map<string, string[]>): string {
  const rows = settings.map((s) => {
    const l = s.lambda;
    return [
      settingCell(s, picks),
      formatNumber(l?.invocations, 0),
      formatNumber(l?.errors, 0),
      formatNumber(l?.throttles, 0),
      formatNumber(l?.maxConcurrentExecutions, 0),
      formatMs(l?.durationMs.avg),
      formatMs(l?.durationMs.p50),
      formatMs(l?.durationMs.p90),
      formatMs(l?.durationMs.p99),
      formatMs(l?.durationMs.max),
      // the interval under the mean, in the same cell (as p95 in the client table): no sideways scroll at 1,400 px
      s.stats?.billedDurationMeanMs
        ? `${escapeHtml(formatMs(l?.billedDurationMs.mean))}<br><small>${escapeHtml(formatInterval(s.stats.billedDurationMeanMs, formatMs))}</small>`
        : escapeHtml(formatMs(l?.billedDurationMs.mean)),
      formatMs(l?.billedDurationMs.trimmedMean),
      formatNumber(l?.reportCount, 0),
      l ? `${formatNumber(l.coldStarts, 0)} (${formatRate(coldStartRate(s))})` : MISSING,
      l?.initDurationMs ? `${formatMs(l.initDurationMs.mean)} / ${formatMs(l.initDurationMs.max)}` : MISSING,
      l ? `${formatNumber(l.maxMemoryUsedMb, 0)} / ${s.memoryMb} MB` : MISSING,
    ].map((cell, i) => (i === 0 || i === 10 ? cell : escapeHtml(cell)));
  });
  return table(
    [
      "setting",
      "invocations",
      "errors",
      "throttles",
      "max concurrency",
      "avg",
      "p50",
      "p90",
      "p99",
      "max",
      "billed mean (interval)",
      "billed trimmed mean",
      "REPORT lines",
      "cold starts (rate)",
      "init mean / max",
      "max memory used",
    ],
    rows,
  );
}

function apiAndTableTable(settings: SettingResult[], picks: Map<string, string[]>): string {
  const rows = settings.map((s) => {
    const a = s.apiGateway;
    const d = s.dynamodb;
    return [
      settingCell(s, picks),
      formatNumber(a?.count, 0),
      formatNumber(a?.errors4xx, 0),
      formatNumber(a?.errors5xx, 0),
      formatMs(a?.latencyMs.avg),
      formatMs(a?.latencyMs.p50),
      formatMs(a?.latencyMs.p99),
      formatMs(a?.integrationLatencyMs.avg),
      formatNumber(d?.requests, 0),
      formatNumber(d?.readRequestUnits),
      formatNumber(d?.writeRequestUnits),
    ].map((cell, i) => (i === 0 ? cell : escapeHtml(cell)));
  });
  return table(
    [
      "setting",
      "API requests",
      "4xx",
      "5xx",
      "latency avg",
      "latency p50",
      "latency p99",
      "integration avg",
      "DynamoDB requests",
      "RRU",
      "WRU",
    ],
    rows,
  );
}

function costTable(settings: SettingResult[], picks: Map<string, string[]>): string {
  const rows = settings.map((s) => {
    const c = s.cost;
    return [
      settingCell(s, picks),
      formatUsd(c?.lambdaComputePerMillionUsd),
      formatUsd(c?.lambdaRequestsPerMillionUsd),
      formatUsd(c?.apiGatewayPerMillionUsd),
      formatUsd(c?.dynamodbPerMillionUsd),
      formatUsd(c?.totalPerMillionUsd),
      formatInterval(s.stats?.costPerMillionUsd, formatUsd),
      // a plain decimal ($0.000004316), never "4.316e-6"
      formatUsd(c?.perRequestUsd),
    ].map((cell, i) => (i === 0 ? cell : escapeHtml(cell)));
  });
  return table(
    [
      "setting",
      "Lambda compute",
      "Lambda requests",
      "API Gateway",
      "DynamoDB",
      "total per 1M",
      "total interval",
      "per request",
    ],
    rows,
  );
}

function operationsTable(settings: SettingResult[]): string {
  const rows = settings.flatMap((s) =>
    Object.entries(s.client?.operations ?? {}).map(([name, op]) =>
      [
        s.id,
        name,
        formatNumber(op.requests, 0),
        formatRate(op.errorRate),
        formatMs(op.latency.p50Ms),
        formatMs(op.latency.p95Ms),
        formatMs(op.latency.p99Ms),
        formatMs(op.latency.maxMs),
      ].map(escapeHtml),
    ),
  );
  return rows.length === 0
    ? "<p>No per-operation figures in these results.</p>"
    : table(["setting", "operation", "requests", "error rate", "p50", "p95", "p99", "max"], rows);
}

/** Every figure of every setting, as HTML tables with headings. */
export function renderFigureTables(results: Results): string {
  const settings = orderedSettings(results);
  const picks = picksBySetting(results);
  return [
    "<h3>Client side (load engine)</h3>",
    '<p class="hint">Latency in ms from the load engine\'s HDR histogram; intervals are bootstrap confidence intervals.</p>',
    clientTable(settings, picks),
    "<h3>Lambda (CloudWatch and REPORT lines)</h3>",
    lambdaTable(settings, picks),
    "<h3>API Gateway and DynamoDB</h3>",
    apiAndTableTable(settings, picks),
    "<h3>Cost per 1M requests (USD)</h3>",
    costTable(settings, picks),
    "<details><summary>Per operation (client side)</summary>",
    operationsTable(settings),
    "</details>",
  ].join("\n");
}
