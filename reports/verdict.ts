/**
 * The report's one-glance answer, written from the numbers (pure): how much memory moves the bill and what
 * dominates it, one sentence per strategy, and the bigger lever when memory is not it (the API type: the
 * same requests on an HTTP API instead of a REST API, priced from the price table with its source).
 * Every figure is read from results.json or the price table; the formulas are in docs/report.md.
 */
import { DEFAULT_PRICE_TABLE, type PriceTable, unitPriceUsd } from "../tuning/core/price-table.ts";
import type { Recommendation, Results, SettingResult } from "../tuning/results/results-types.ts";
import { formatMs, formatNumber, formatSignedPct, formatUsd } from "./format.ts";
import { architectureCount, okSettings, settingLabel } from "./settings.ts";

export interface Verdict {
  /** What memory does to the bill, and what dominates it. */
  headline: string;
  /** One sentence per strategy, in the order of results.recommendations. */
  strategies: Array<{ strategy: Recommendation["strategy"]; text: string }>;
  /** The bigger lever when memory is not it, with the price source; absent otherwise. */
  lever?: { text: string; source: string };
}

type Priced = SettingResult & {
  cost: NonNullable<SettingResult["cost"]>;
  client: NonNullable<SettingResult["client"]>;
};

function priced(results: Results): Priced[] {
  return okSettings(results).filter((s): s is Priced => s.cost !== undefined && s.client !== undefined);
}

const label = settingLabel;

/**
 * Whether the host's load may have distorted a setting's figures (local stage): its CPUs were saturated during
 * the load window, or the environments could not get their CPU share (results' distorted, hostContention).
 */
export function distortedByHost(setting: SettingResult): boolean {
  return setting.distorted !== undefined || setting.hostContention?.oversubscribed === true;
}

const pct = (fraction: number) => `${formatNumber(fraction * 100, fraction < 0.1 ? 1 : 0)} %`;

function strategySentence(
  rec: Recommendation,
  byId: Map<string, Priced>,
  cheapest: Priced,
  archs: number,
  results: Results,
): string {
  const pick = rec.settingId === null ? undefined : byId.get(rec.settingId);
  const slo = results.run.slo;
  if (rec.strategy === "slo") {
    const target = [
      slo?.p99Ms !== undefined ? `p99 ≤ ${formatMs(slo.p99Ms)}` : "",
      slo?.errorRate !== undefined ? `errors ≤ ${pct(slo.errorRate)}` : "",
    ]
      .filter(Boolean)
      .join(", ");
    if (!target) return "SLO: none set (--slo-p99, --slo-error-rate).";
    if (!pick) return `SLO (${target}): no setting meets it.`;
    return `SLO (${target}): ${label(pick, archs)} is the cheapest that meets it, p99 ${formatMs(pick.client.latency.p99Ms)} at ${formatUsd(pick.cost.totalPerMillionUsd)} per 1M.`;
  }
  if (!pick) return `${rec.strategy}: no setting qualifies.`;
  const extra =
    (pick.cost.totalPerMillionUsd - cheapest.cost.totalPerMillionUsd) / cheapest.cost.totalPerMillionUsd;
  const ties =
    rec.indistinguishableFrom.length > 0
      ? ` (not distinguishable from ${rec.indistinguishableFrom
          .map((id) => byId.get(id))
          .filter((s): s is Priced => s !== undefined)
          .map((s) => label(s, archs))
          .join(", ")})`
      : "";
  const costPart = pick.id === cheapest.id ? "the lowest cost" : `${formatSignedPct(extra)} cost`;
  if (rec.strategy === "cost")
    return `For cost, ${label(pick, archs)}: ${formatUsd(pick.cost.totalPerMillionUsd)} per 1M requests, p95 ${formatMs(pick.client.latency.p95Ms)}${ties}.`;
  if (rec.strategy === "speed")
    return `For latency, ${label(pick, archs)} gives p95 ${formatMs(pick.client.latency.p95Ms)} at ${costPart}${ties}.`;
  return `Balanced, ${label(pick, archs)}: p95 ${formatMs(pick.client.latency.p95Ms)} at ${costPart}${ties}.`;
}

/**
 * The run's REST and HTTP API prices per 1M calls and the HTTP price's source, from the table the run used:
 * the prices results.json recorded, else (a file written before they were recorded) `table` when it is the
 * run's table by version. Undefined when neither is known: never the snapshot's prices for another table.
 */
function leverPrices(
  results: Results,
  table: PriceTable,
): { restPerMillionUsd: number; httpPerMillionUsd: number; source: string } | undefined {
  const run = results.run.priceTable;
  const recorded = run.apiGateway;
  if (recorded) {
    if (!recorded.REST || !recorded.HTTP) return undefined;
    return {
      restPerMillionUsd: recorded.REST.perMillionUsd,
      httpPerMillionUsd: recorded.HTTP.perMillionUsd,
      source: `price table ${run.version}, ${run.region}: ${recorded.HTTP.source}`,
    };
  }
  if (table.version !== run.version) return undefined;
  // The run's region's REST and HTTP API prices, at the tier of the run's monthly volume when it gave one; a
  // region whose HTTP API price is unsourced (or a volume past its confirmed tiers) has no lever to name.
  const region = results.run.stage.region;
  const prices = table.regions[region]?.apiGateway;
  if (!prices?.REST || !prices.HTTP) return undefined;
  try {
    return {
      restPerMillionUsd: unitPriceUsd(prices.REST, run.monthlyRequests) * 1e6,
      httpPerMillionUsd: unitPriceUsd(prices.HTTP, run.monthlyRequests) * 1e6,
      source: `price table ${table.version}, ${region}: ${prices.HTTP.source}`,
    };
  } catch {
    return undefined;
  }
}

/** The API type lever: what API Gateway would cost as an HTTP API, when that saves more than memory can. */
function apiTypeLever(
  results: Results,
  cheapest: Priced,
  memorySpreadUsd: number,
  table: PriceTable,
): Verdict["lever"] {
  if (results.run.mode !== "api" || results.run.stage.apiType !== "REST") return undefined;
  const prices = leverPrices(results, table);
  if (!prices) return undefined;
  const { restPerMillionUsd, httpPerMillionUsd } = prices;
  const savingUsd =
    cheapest.cost.apiGatewayPerMillionUsd -
    cheapest.cost.apiGatewayPerMillionUsd * (httpPerMillionUsd / restPerMillionUsd);
  if (savingUsd <= memorySpreadUsd) return undefined;
  const totalAsHttpUsd = cheapest.cost.totalPerMillionUsd - savingUsd;
  return {
    text:
      `The bigger lever is the API type: the same requests through an HTTP API instead of a REST API pay ` +
      `API Gateway ${formatUsd(httpPerMillionUsd)} instead of ${formatUsd(restPerMillionUsd)} per 1M, ` +
      `${formatUsd(totalAsHttpUsd)} instead of ${formatUsd(cheapest.cost.totalPerMillionUsd)} in all ` +
      `(${formatSignedPct(-savingUsd / cheapest.cost.totalPerMillionUsd)}), where memory moves it by ` +
      `${formatUsd(memorySpreadUsd)}. HTTP APIs lack some REST API features (usage plans, API keys, request validation).`,
    source: prices.source,
  };
}

/**
 * The verdict of a run, or undefined when no completed setting has a cost and client latency. `table` is only
 * consulted for files that do not record their API Gateway prices, and only when it is the run's table.
 * @example verdictOf(results)?.headline // "Memory moves this API's bill by 2.1 % ($4.11 to $4.20 per 1M requests): API Gateway is 85 % of it."
 */
export function verdictOf(results: Results, table: PriceTable = DEFAULT_PRICE_TABLE): Verdict | undefined {
  const settings = priced(results);
  if (settings.length === 0) return undefined;
  const byCost = [...settings].sort((a, b) => a.cost.totalPerMillionUsd - b.cost.totalPerMillionUsd);
  const cheapest = byCost[0] as Priced;
  const dearest = byCost[byCost.length - 1] as Priced;
  const spreadUsd = dearest.cost.totalPerMillionUsd - cheapest.cost.totalPerMillionUsd;
  const archs = architectureCount(results);
  const shares = [
    ["API Gateway", cheapest.cost.apiGatewayPerMillionUsd],
    ["Lambda compute", cheapest.cost.lambdaComputePerMillionUsd],
    ["DynamoDB", cheapest.cost.dynamodbPerMillionUsd],
    ["Lambda requests", cheapest.cost.lambdaRequestsPerMillionUsd],
  ] as const;
  const [biggestName, biggestUsd] = [...shares].sort((a, b) => b[1] - a[1])[0] as (typeof shares)[number];
  const moves =
    settings.length === 1
      ? `One setting ran (${label(cheapest, archs)}), at ${formatUsd(cheapest.cost.totalPerMillionUsd)} per 1M requests`
      : `Memory moves this API's bill by ${pct(spreadUsd / cheapest.cost.totalPerMillionUsd)} ` +
        `(${formatUsd(cheapest.cost.totalPerMillionUsd)} to ${formatUsd(dearest.cost.totalPerMillionUsd)} per 1M requests over ${settings.length} settings)`;
  const distorted = settings.filter(distortedByHost).length;
  const caveat =
    distorted === 0
      ? ""
      : ` (${distorted} of ${settings.length} settings distorted by host load: see the run panel)`;
  const headline = `${moves}: ${biggestName} is ${pct(biggestUsd / cheapest.cost.totalPerMillionUsd)} of it${caveat}.`;
  const byId = new Map(settings.map((s) => [s.id, s]));
  const strategies = results.recommendations.map((rec) => ({
    strategy: rec.strategy,
    text: strategySentence(rec, byId, cheapest, archs, results),
  }));
  const lever = apiTypeLever(results, cheapest, spreadUsd, table);
  return { headline, strategies, ...(lever ? { lever } : {}) };
}
