/**
 * The cost model (pure): what one API request costs at a setting, from what was measured, priced with the
 * price table. Formulas and sources in docs/cost-model.md.
 *
 *   Lambda compute  = billed duration (ms) / 1000 × memory (MB) / 1024 × USD per GB-second
 *   Lambda requests = invocations per request × USD per request
 *   API Gateway     = metered calls per request × USD per API call (REST or HTTP; none in direct-invoke mode;
 *                     an HTTP API meters a request in 512 KB increments of its payload)
 *   DynamoDB        = RRU per request × USD per RRU + WRU per request × USD per WRU (on-demand)
 *   failed writes   = failed conditional writes per request × 1 WRU × USD per WRU
 *   CloudWatch Logs = log bytes per request / bytes per GB × USD per GB ingested
 *   INIT            = cold-start rate × mean billed INIT (ms) / 1000 × memory (MB) / 1024 × USD per GB-second
 */

import type { Architecture, CostBreakdown } from "../results/results-types.ts";
import {
  DEFAULT_PRICE_TABLE,
  type PriceTable,
  PriceTableError,
  regionPrices,
  requirePrice,
  type TieredPrice,
  unitPriceUsd,
} from "./price-table.ts";

const MILLION = 1_000_000;
const MB_PER_GB = 1024;

/** Measurements of one setting, per API request. */
export interface CostInput {
  architecture: Architecture;
  memoryMb: number;
  /**
   * Mean Billed Duration per invocation in ms, as the REPORT lines state it: INIT is included where Lambda
   * bills it (on-demand ZIP functions with managed runtimes since 1 Aug 2025), so cold starts weigh in.
   */
  billedDurationMeanMs: number;
  /** Lambda invocations per API request. @default 1 */
  invocationsPerRequest?: number;
  /** API Gateway flavour; null when requests do not go through API Gateway (direct-invoke mode). */
  apiType: "REST" | "HTTP" | null;
  /** DynamoDB read request units consumed per API request. @default 0 */
  readRequestUnitsPerRequest?: number;
  /** DynamoDB write request units consumed per API request. @default 0 */
  writeRequestUnitsPerRequest?: number;
  /** Conditional writes whose condition failed, per API request (1 WRU each, a lower bound). @default 0 */
  failedConditionalWritesPerRequest?: number;
  /** Bytes of log events (UTF-8 messages) per API request, ingested into CloudWatch Logs. @default 0 */
  logBytesPerRequest?: number;
  /**
   * Cold starts per API request (0.01 = 1 %) priced at `initBilledMs`: the INIT share of the bill. The billed
   * duration above is then the warm one (INIT not in it). @default 0
   */
  coldStartRate?: number;
  /** Mean billed INIT duration of one cold start, ms (from deliberate cold starts). @default 0 */
  initBilledMs?: number;
  /**
   * Mean HTTP API payload per request in bytes (request + response): an HTTP API meters each request in
   * 512 KB increments (`HTTP_API_METERING_BYTES`), so a 600 KB exchange is 2 metered calls. Ignored for REST.
   * @default 0 (one metered call)
   */
  httpApiPayloadBytesPerRequest?: number;
  /**
   * Measured HTTP API metered calls per request: the mean over the requests of each exchange's 512 KB blocks
   * (at least 1 each; `meteredCallsPerRequest` of the client's payload summary). Wins over
   * `httpApiPayloadBytesPerRequest`, which can only meter the mean exchange. Ignored for REST.
   */
  httpApiMeteredCallsPerRequest?: number;
}

/**
 * HTTP API metered calls per request from measured body sizes: Σ blocks × requests ÷ requests (an exchange of
 * up to 512 KiB is 1 call, of 600 KiB 2). Undefined without a measured request.
 * @example meteredCallsPerRequest({ "1": 90, "2": 10 }) // 1.1
 */
export function meteredCallsPerRequest(
  exchangesBy512KiB: Readonly<Record<string, number>>,
): number | undefined {
  let requests = 0;
  let calls = 0;
  for (const [blocks, n] of Object.entries(exchangesBy512KiB)) {
    requests += n;
    calls += Number(blocks) * n;
  }
  return requests > 0 ? calls / requests : undefined;
}

/** HTTP APIs are metered in 512 KB increments (API Gateway pricing; docs/cost-model.md). */
export const HTTP_API_METERING_BYTES = 512 * 1024;

/**
 * The always-free monthly allowances applied by `freeTier` (AWS Lambda: 1M requests and 400,000 GB-seconds
 * a month, shared by both architectures; CloudWatch Logs: 5 GB of ingestion a month). API Gateway's free
 * tier lasts only the first 12 months of a new account and is not applied; DynamoDB on-demand has none.
 */
export const FREE_TIER = {
  lambdaRequests: 1_000_000,
  lambdaGbSeconds: 400_000,
  logsGb: 5,
  source:
    "https://aws.amazon.com/lambda/pricing/ (Free Tier); https://aws.amazon.com/cloudwatch/pricing/ (Free Tier: 5 GB of logs)",
} as const;

/** How a run prices: the table, and the monthly volume and free tier options (`--price-table`, ...). */
export interface PricingOptions {
  /** @default DEFAULT_PRICE_TABLE (the committed snapshot) */
  table?: PriceTable;
  /**
   * Monthly API requests, to price at the tier that volume falls in (Lambda GB-seconds and requests, API
   * calls, log GB): the marginal price of the month's last unit.
   * @default undefined: first tier
   */
  monthlyRequests?: number;
  /**
   * Count the always-free allowances (`FREE_TIER`) as a $0 tier below the first: a quantity within its
   * allowance costs 0, above it the tier that (quantity − allowance) falls in. Needs `monthlyRequests`.
   * @default false
   */
  freeTier?: boolean;
}

export interface CostOptions extends PricingOptions {
  region: string;
}

/**
 * USD per unit at a monthly quantity, with an optional free allowance below the first tier (the marginal price).
 * @example tierPriceUsd(httpPrice, 400e6) // 0.9e-6: 400M calls a month reach the second tier
 */
export function tierPriceUsd(price: TieredPrice, monthlyQuantity?: number, freeAllowance = 0): number {
  if (monthlyQuantity === undefined) return unitPriceUsd(price);
  if (monthlyQuantity <= freeAllowance) return 0;
  return unitPriceUsd(price, monthlyQuantity - freeAllowance);
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`cost model: ${name} must be a finite number ≥ 0, got ${value}`);
  }
  return value;
}

/**
 * Cost per 1M requests and per request for one setting, broken down.
 *
 * @example
 * computeCost({ architecture: "arm64", memoryMb: 1536, billedDurationMeanMs: 120, apiType: null }, { region: "us-east-1" })
 * // → lambdaComputePerMillionUsd 2.40001 (per 1M requests), lambdaRequestsPerMillionUsd 0.2, totalPerMillionUsd 2.60001, ...
 */
export function computeCost(input: CostInput, options: CostOptions): CostBreakdown {
  const table = options.table ?? DEFAULT_PRICE_TABLE;
  const prices = regionPrices(options.region, table);
  const invocations = nonNegative("invocationsPerRequest", input.invocationsPerRequest ?? 1);
  const billedMs = nonNegative("billedDurationMeanMs", input.billedDurationMeanMs);
  const memoryMb = nonNegative("memoryMb", input.memoryMb);
  const rru = nonNegative("readRequestUnitsPerRequest", input.readRequestUnitsPerRequest ?? 0);
  const wru = nonNegative("writeRequestUnitsPerRequest", input.writeRequestUnitsPerRequest ?? 0);
  const failedWrites = nonNegative(
    "failedConditionalWritesPerRequest",
    input.failedConditionalWritesPerRequest ?? 0,
  );
  const logBytes = nonNegative("logBytesPerRequest", input.logBytesPerRequest ?? 0);
  const coldStartRate = nonNegative("coldStartRate", input.coldStartRate ?? 0);
  const initMs = nonNegative("initBilledMs", input.initBilledMs ?? 0);
  const monthly = options.monthlyRequests;

  const httpPayloadBytes = nonNegative(
    "httpApiPayloadBytesPerRequest",
    input.httpApiPayloadBytesPerRequest ?? 0,
  );
  if (options.freeTier && monthly === undefined) {
    throw new PriceTableError(
      "the free tier needs a monthly volume: pass --monthly-requests N with --free-tier (config: monthlyRequests, freeTier)",
    );
  }
  const free = options.freeTier === true;
  const at = (perRequest: number) => (monthly === undefined ? undefined : monthly * perRequest);

  const gbSecondsPerRequest = (billedMs / 1000) * (memoryMb / MB_PER_GB) * invocations;
  const gbSecondPrice = tierPriceUsd(
    requirePrice(prices, `lambda.${input.architecture}`, prices.lambda.gbSecond[input.architecture], table),
    at(gbSecondsPerRequest),
    free ? FREE_TIER.lambdaGbSeconds : 0,
  );
  const lambdaComputePerMillionUsd = gbSecondsPerRequest * gbSecondPrice * MILLION;
  const lambdaRequestsPerMillionUsd =
    invocations *
    tierPriceUsd(
      requirePrice(prices, "lambda.requests", prices.lambda.requests, table),
      at(invocations),
      free ? FREE_TIER.lambdaRequests : 0,
    ) *
    MILLION;

  let apiGatewayPerMillionUsd = 0;
  if (input.apiType !== null) {
    const apiPrice = requirePrice(
      prices,
      `apiGateway.${input.apiType}`,
      prices.apiGateway?.[input.apiType],
      table,
    );
    // An HTTP API meters each request in 512 KB increments of its payload; a REST API counts calls.
    const meteredPerRequest =
      input.apiType !== "HTTP"
        ? 1
        : input.httpApiMeteredCallsPerRequest !== undefined
          ? Math.max(1, nonNegative("httpApiMeteredCallsPerRequest", input.httpApiMeteredCallsPerRequest))
          : Math.max(1, Math.ceil(httpPayloadBytes / HTTP_API_METERING_BYTES));
    apiGatewayPerMillionUsd = meteredPerRequest * tierPriceUsd(apiPrice, at(meteredPerRequest)) * MILLION;
  }

  let dynamodbPerMillionUsd = 0;
  let failedWritesUsd = 0;
  if (rru > 0 || wru > 0 || failedWrites > 0) {
    const ddb = {
      readRequestUnits: requirePrice(
        prices,
        "dynamodb.readRequestUnits",
        prices.dynamodb?.readRequestUnits,
        table,
      ),
      writeRequestUnits: requirePrice(
        prices,
        "dynamodb.writeRequestUnits",
        prices.dynamodb?.writeRequestUnits,
        table,
      ),
    };
    dynamodbPerMillionUsd =
      (rru * unitPriceUsd(ddb.readRequestUnits) + wru * unitPriceUsd(ddb.writeRequestUnits)) * MILLION;
    failedWritesUsd = failedWrites * unitPriceUsd(ddb.writeRequestUnits) * MILLION;
  }

  let cloudwatchLogsPerMillionUsd = 0;
  if (logBytes > 0) {
    const ingestion = requirePrice(
      prices,
      "cloudwatchLogs.ingestion",
      prices.cloudwatchLogs?.ingestion,
      table,
    );
    const gbPerRequest = logBytes / table.bytesPerGb;
    cloudwatchLogsPerMillionUsd =
      gbPerRequest * tierPriceUsd(ingestion, at(gbPerRequest), free ? FREE_TIER.logsGb : 0) * MILLION;
  }

  // INIT at the cold-start rate, at the same GB-second price as the warm duration.
  const initGbSecondsPerRequest = coldStartRate * (initMs / 1000) * (memoryMb / MB_PER_GB);
  const initPerMillionUsd = initGbSecondsPerRequest * gbSecondPrice * MILLION;

  const totalPerMillionUsd =
    lambdaComputePerMillionUsd +
    lambdaRequestsPerMillionUsd +
    apiGatewayPerMillionUsd +
    dynamodbPerMillionUsd +
    failedWritesUsd +
    cloudwatchLogsPerMillionUsd +
    initPerMillionUsd;
  return {
    lambdaComputePerMillionUsd,
    lambdaRequestsPerMillionUsd,
    apiGatewayPerMillionUsd,
    dynamodbPerMillionUsd,
    dynamodbFailedWritesPerMillionUsd: failedWritesUsd,
    cloudwatchLogsPerMillionUsd,
    initPerMillionUsd,
    totalPerMillionUsd,
    perRequestUsd: totalPerMillionUsd / MILLION,
  };
}

/** DynamoDB capacity rules (on-demand request units), for estimates where consumed capacity is not measured. */
export const CAPACITY_RULES = {
  /** One write request unit per 1 KB written (rounded up); transactional writes cost twice. */
  writeUnitBytes: 1024,
  /** One read request unit per 4 KB read strongly consistently (rounded up); eventual reads half; transactional twice. */
  readUnitBytes: 4096,
} as const;

/** Write request units of one write of an item of `itemBytes`. */
export function writeRequestUnits(
  itemBytes: number,
  kind: "standard" | "transactional" = "standard",
): number {
  const units = Math.max(1, Math.ceil(nonNegative("itemBytes", itemBytes) / CAPACITY_RULES.writeUnitBytes));
  return kind === "transactional" ? units * 2 : units;
}

/** Read request units of one read of an item of `itemBytes`. */
export function readRequestUnits(
  itemBytes: number,
  consistency: "strong" | "eventual" | "transactional" = "strong",
): number {
  const units = Math.max(1, Math.ceil(nonNegative("itemBytes", itemBytes) / CAPACITY_RULES.readUnitBytes));
  if (consistency === "eventual") return units / 2;
  if (consistency === "transactional") return units * 2;
  return units;
}

/** What the sweep sends, for `--dry-run`'s estimate of what the run itself costs on AWS. */
export interface RunPlanForEstimate {
  settings: ReadonlyArray<{ architecture: Architecture; memoryMb: number }>;
  /** API requests per setting, warm-up and Newman gate included. */
  requestsPerSetting: number;
  region: string;
  apiType: "REST" | "HTTP" | null;
  /** Assumed billed duration per invocation at 1,769 MB (one vCPU). @default ESTIMATE_ASSUMPTIONS.billedDurationMsAt1Vcpu */
  billedDurationMsAt1Vcpu?: number;
  /** @default ESTIMATE_ASSUMPTIONS.readRequestUnitsPerRequest */
  readRequestUnitsPerRequest?: number;
  /** @default ESTIMATE_ASSUMPTIONS.writeRequestUnitsPerRequest */
  writeRequestUnitsPerRequest?: number;
  table?: PriceTable;
}

/**
 * Assumptions of the dry-run estimate. Duration scales with CPU share below one vCPU (1,769 MB) and stays
 * flat above it (a single-threaded handler gains nothing from a second vCPU); a CRUD mix is assumed to
 * read and write about one small item per request.
 */
export const ESTIMATE_ASSUMPTIONS = {
  /** @default 20 ms: a small CRUD handler calling DynamoDB once. */
  billedDurationMsAt1Vcpu: 20,
  oneVcpuMemoryMb: 1769,
  /** @default 0.5: half the requests read one item (≤ 4 KB, strongly consistent). */
  readRequestUnitsPerRequest: 0.5,
  /** @default 0.5: half the requests write one item (≤ 1 KB). */
  writeRequestUnitsPerRequest: 0.5,
} as const;

export interface RunCostEstimate {
  totalUsd: number;
  perSetting: Array<{
    architecture: Architecture;
    memoryMb: number;
    requests: number;
    assumedBilledDurationMs: number;
    costUsd: number;
  }>;
  assumptions: string;
}

/** Estimate what a sweep costs on AWS (first tier prices, no free tier). */
export function estimateRunCostUsd(plan: RunPlanForEstimate): RunCostEstimate {
  const atOneVcpuMs = plan.billedDurationMsAt1Vcpu ?? ESTIMATE_ASSUMPTIONS.billedDurationMsAt1Vcpu;
  const rru = plan.readRequestUnitsPerRequest ?? ESTIMATE_ASSUMPTIONS.readRequestUnitsPerRequest;
  const wru = plan.writeRequestUnitsPerRequest ?? ESTIMATE_ASSUMPTIONS.writeRequestUnitsPerRequest;
  const requests = nonNegative("requestsPerSetting", plan.requestsPerSetting);
  const perSetting = plan.settings.map(({ architecture, memoryMb }) => {
    const cpuShare = Math.min(1, memoryMb / ESTIMATE_ASSUMPTIONS.oneVcpuMemoryMb);
    const assumedBilledDurationMs = Math.ceil(atOneVcpuMs / cpuShare);
    const cost = computeCost(
      {
        architecture,
        memoryMb,
        billedDurationMeanMs: assumedBilledDurationMs,
        apiType: plan.apiType,
        readRequestUnitsPerRequest: rru,
        writeRequestUnitsPerRequest: wru,
      },
      { region: plan.region, ...(plan.table ? { table: plan.table } : {}) },
    );
    return {
      architecture,
      memoryMb,
      requests,
      assumedBilledDurationMs,
      costUsd: cost.perRequestUsd * requests,
    };
  });
  return {
    totalUsd: perSetting.reduce((sum, s) => sum + s.costUsd, 0),
    perSetting,
    assumptions:
      `billed duration ${atOneVcpuMs} ms at ${ESTIMATE_ASSUMPTIONS.oneVcpuMemoryMb} MB, scaled by CPU share below it; ` +
      `${rru} RRU and ${wru} WRU per request; first-tier prices in ${plan.region}, no free tier`,
  };
}
