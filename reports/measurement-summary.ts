/**
 * The measurement lines of summary.md (pure): what the run did to make settings comparable (common random
 * numbers), whether the exact-attribution checks held at every setting, the whole bill by component, and
 * how the cost pick moves with the cold-start rate. Returns Markdown lines; reports/render-markdown.ts
 * places them.
 */

import { meteredCallsPerRequest } from "../tuning/core/cost-model.ts";
import type { Results, SettingResult } from "../tuning/results/results-types.ts";
import { formatNumber, formatPercent, formatUsd } from "./format.ts";

function perRequest(s: SettingResult, total: number | undefined): number | undefined {
  const requests = s.client?.requests ?? 0;
  return total === undefined || requests === 0 ? undefined : total / requests;
}

/** "identical at every setting (x)" or "from a to b" for one per-request figure. */
function spread(values: number[], digits: number, unit: string): string {
  if (values.length === 0) return "not measured";
  const shown = values.map((v) => formatNumber(v, digits));
  const low = Math.min(...values);
  const high = Math.max(...values);
  return new Set(shown).size === 1
    ? `identical at every setting (${shown[0]}${unit})`
    : `from ${formatNumber(low, digits)} to ${formatNumber(high, digits)}${unit}`;
}

function checkLine(
  settings: SettingResult[],
  name: keyof NonNullable<SettingResult["checks"]>,
  what: string,
): string {
  const checked = settings.filter((s) => s.checks);
  if (checked.length === 0) return `- ${what}: not checked (no request ids recorded)`;
  const failing = checked.filter((s) => s.checks?.[name] === false).map((s) => s.id);
  return failing.length === 0
    ? `- ${what}: holds at every setting (${checked.length} checked)`
    : `- ${what}: **does not hold** at ${failing.join(", ")}`;
}

/**
 * The settings where CloudWatch's Invocations did not agree with the measured REPORT lines (exact
 * attribution, `lambda.cloudwatch.agrees` false), each with both counts, e.g. "x86_64-512 (CloudWatch
 * Invocations 310, REPORT lines 300)"; undefined when every checked setting agrees.
 */
export function cloudwatchDisagreement(results: Results): string | undefined {
  const disagreeing = results.settings.filter((s) => s.lambda?.cloudwatch?.agrees === false);
  if (disagreeing.length === 0) return undefined;
  return disagreeing
    .map(
      (s) =>
        `${s.id} (CloudWatch Invocations ${s.lambda?.cloudwatch?.invocations}, REPORT lines ${s.lambda?.invocations})`,
    )
    .join("; ");
}

/** The "## Measurement" section. */
export function measurementLines(results: Results): string[] {
  const ok = results.settings.filter((s) => s.status === "ok");
  const sequence = results.run.sequence;
  const lines = ["## Measurement", ""];
  if (sequence) {
    lines.push(
      `- Common random numbers: every setting replayed the same ${sequence.requests}-request sequence (seed ${sequence.seed}, ` +
        `${sequence.preseedItems} preseeded items, the table put back after each setting).`,
    );
  }
  const rounds = results.run.rounds ?? 1;
  if (rounds > 1) {
    lines.push(
      `- Rounds: each setting was measured in ${rounds} rounds in rotating order (round r starts at setting r), ` +
        "every round the same sequence from the same table state; the figures pool the rounds.",
    );
    const spreads = ok
      .map((s) => s.rounds?.map((r) => r.costPerMillionUsd).filter((c): c is number => c !== undefined) ?? [])
      .filter((costs) => costs.length > 1)
      .map((costs) => Math.max(...costs) - Math.min(...costs));
    if (spreads.length > 0) {
      lines.push(
        `- Cost per 1M requests between a setting's rounds: up to ${formatUsd(Math.max(...spreads))} apart (drift the rotation spreads over every setting).`,
      );
    }
  }
  const rru = ok
    .map((s) => perRequest(s, s.dynamodb?.readRequestUnits))
    .filter((v): v is number => v !== undefined);
  const wru = ok
    .map((s) => perRequest(s, s.dynamodb?.writeRequestUnits))
    .filter((v): v is number => v !== undefined);
  const bytes = ok.map((s) => s.logs?.bytesPerRequest).filter((v): v is number => v !== undefined);
  lines.push(
    `- DynamoDB units per request: read ${spread(rru, 4, " RRU")}, write ${spread(wru, 4, " WRU")}.`,
    `- Log bytes per request: ${spread(bytes, 0, " bytes")} (timing digits of the REPORT and request lines differ by setting).`,
    checkLine(results.settings, "invocationsEqualRequests", "Priced invocations = measured requests"),
    checkLine(results.settings, "lambdaP99WithinClientP99", "Lambda-side p99 ≤ client-side p99"),
  );
  // Body sizes (both engines): what an HTTP API meters in 512 KiB blocks; shown for either API type. A user's
  // k6 script that records none gets an upper bound from k6's bytes per iteration: said so on the line.
  const payloads = ok.map((s) => s.client?.payload).filter((p) => p !== undefined && p.requests > 0);
  if (payloads.length > 0) {
    const bound = payloads.some((p) => p?.source === "k6-iteration-bytes")
      ? " (upper bound: k6's bytes on the wire per iteration, headers included)"
      : "";
    const mean = (f: (p: NonNullable<(typeof payloads)[number]>) => number) =>
      spread(
        payloads.map((p) => (p ? f(p) / p.requests : 0)),
        0,
        " bytes",
      );
    const calls = payloads
      .map((p) => (p ? meteredCallsPerRequest(p.exchangesBy512KiB) : undefined))
      .filter((v): v is number => v !== undefined);
    lines.push(
      `- Bodies per request${bound}: request ${mean((p) => p.requestBytes)}, response ${mean((p) => p.responseBytes)}; ` +
        `largest exchange ${formatNumber(Math.max(...payloads.map((p) => p?.maxExchangeBytes ?? 0)), 0)} bytes; ` +
        `HTTP API metered calls per request (512 KiB blocks) ${spread(calls, 4, "")}` +
        `${results.run.stage.apiType === "HTTP" ? " (priced)" : " (not priced: a REST API counts calls)"}.`,
    );
  }
  const disagreement = cloudwatchDisagreement(results);
  if (disagreement) {
    lines.push(`- CloudWatch Invocations = measured REPORT lines: **does not hold** at ${disagreement}`);
  }
  lines.push("");
  return lines;
}

/** The "## Cost by component" table: every component of the bill, per 1M requests. */
export function costComponentLines(results: Results): string[] {
  const rows = results.settings.filter((s) => s.cost);
  if (rows.length === 0) return [];
  const header =
    "| setting | Lambda compute | Lambda requests | API Gateway | DynamoDB | failed writes | CloudWatch Logs | INIT | total |";
  return [
    "## Cost by component (per 1M requests)",
    "",
    header,
    "| --- | --: | --: | --: | --: | --: | --: | --: | --: |",
    ...rows.map((s) => {
      const c = s.cost as NonNullable<SettingResult["cost"]>;
      return `| ${s.id} | ${[c.lambdaComputePerMillionUsd, c.lambdaRequestsPerMillionUsd, c.apiGatewayPerMillionUsd, c.dynamodbPerMillionUsd, c.dynamodbFailedWritesPerMillionUsd, c.cloudwatchLogsPerMillionUsd, c.initPerMillionUsd, c.totalPerMillionUsd].map((usd) => formatUsd(usd)).join(" | ")} |`;
    }),
    "",
  ];
}

/**
 * How INIT was priced, in words (summary.md and the report): the rate given, the documented default, or each
 * setting's measured rate; with the rates the settings measured beside it, which a short sweep inflates.
 */
export function coldStartPricing(results: Results): string {
  const source = results.run.coldStartRate;
  const measured = results.settings
    .map((s) => s.lambda?.init?.measuredRate)
    .filter((r): r is number => r !== undefined);
  const range =
    measured.length === 0
      ? ""
      : ` (measured in this run: ${formatNumber(Math.min(...measured) * 100, 2)}–${formatPercent(Math.max(...measured), 2)} of the invocations before and in each window, a freshly published version's cold starts under a short load)`;
  if (source?.source === "config" && source.rate !== undefined)
    return `INIT is priced at ${formatPercent(source.rate, 3)} cold starts (--cold-start-rate)${range}`;
  if (source?.source === "default" && source.rate !== undefined)
    return `INIT is priced at ${formatPercent(source.rate, 3)} cold starts, the default (AWS: cold starts are typically under 1 % of production invocations; give your own with --cold-start-rate)${range}`;
  return "INIT is priced at the cold-start rate measured at each setting (--cold-start-rate measured; no warm-up exclusion)";
}

/** The "## Cold-start sensitivity" table: the cost pick at 0 %, 0.1 %, 1 % and 5 % cold starts. */
export function coldStartSensitivityLines(results: Results): string[] {
  const rows = results.run.coldStartSensitivity;
  if (!rows || rows.length === 0) return [];
  return [
    "## Cold-start sensitivity",
    "",
    `${coldStartPricing(results)}; the cost pick at other rates:`,
    "",
    "| cold starts | cost pick | not distinguishable from |",
    "| --: | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${formatPercent(r.rate, 3)} | ${r.costPick ?? "none"} | ${r.notDistinguishableFrom.join(", ") || "-"} |`,
    ),
    "",
  ];
}
