/**
 * The cost model (pure): what one API request costs at a setting, from what was measured, priced with the
 * price table. Formulas and sources in docs/cost-model.md.
 *
 *   Lambda compute  = billed duration (ms) / 1000 × memory (MB) / 1024 × USD per GB-second
 *   Lambda requests = invocations per request × USD per request
 *   API Gateway     = USD per API call (REST or HTTP; none in direct-invoke mode)
 *   DynamoDB        = RRU per request × USD per RRU + WRU per request × USD per WRU (on-demand)
 *   failed writes   = failed conditional writes per request × 1 WRU × USD per WRU
 *   CloudWatch Logs = log bytes per request / bytes per GB × USD per GB ingested
 *   INIT            = cold-start rate × mean billed INIT (ms) / 1000 × memory (MB) / 1024 × USD per GB-second
 */
import {
  DEFAULT_PRICE_TABLE,
  type PriceTable,
  PriceTableError,
  regionPrices,
  unitPriceUsd,
} from "./price-table.ts";
import type { Architecture, CostBreakdown } from "./results-types.ts";

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
  readCapacityUnitsPerRequest?: number;
  /** DynamoDB write request units consumed per API request. @default 0 */
  writeCapacityUnitsPerRequest?: number;
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
}

export interface CostOptions {
  region: string;
  /** @default DEFAULT_PRICE_TABLE */
  table?: PriceTable;
  /**
   * Monthly API requests, to price at the tier that volume falls in (Lambda GB-seconds and API calls).
   * @default undefined: first tier
   */
  monthlyRequests?: number;
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
 * // → lambdaComputeUsd 2.40001 (per 1M requests), lambdaRequestsUsd 0.2, totalPerMillionUsd 2.60001, ...
 */
export function computeCost(input: CostInput, options: CostOptions): CostBreakdown {
  const table = options.table ?? DEFAULT_PRICE_TABLE;
  const prices = regionPrices(options.region, table);
  const invocations = nonNegative("invocationsPerRequest", input.invocationsPerRequest ?? 1);
  const billedMs = nonNegative("billedDurationMeanMs", input.billedDurationMeanMs);
  const memoryMb = nonNegative("memoryMb", input.memoryMb);
  const rru = nonNegative("readCapacityUnitsPerRequest", input.readCapacityUnitsPerRequest ?? 0);
  const wru = nonNegative("writeCapacityUnitsPerRequest", input.writeCapacityUnitsPerRequest ?? 0);
  const failedWrites = nonNegative(
    "failedConditionalWritesPerRequest",
    input.failedConditionalWritesPerRequest ?? 0,
  );
  const logBytes = nonNegative("logBytesPerRequest", input.logBytesPerRequest ?? 0);
  const coldStartRate = nonNegative("coldStartRate", input.coldStartRate ?? 0);
  const initMs = nonNegative("initBilledMs", input.initBilledMs ?? 0);
  const monthly = options.monthlyRequests;

  const gbSecondsPerRequest = (billedMs / 1000) * (memoryMb / MB_PER_GB) * invocations;
  const gbSecondPrice = unitPriceUsd(
    prices.lambda.gbSecond[input.architecture],
    monthly === undefined ? undefined : monthly * gbSecondsPerRequest,
  );
  const lambdaComputeUsd = gbSecondsPerRequest * gbSecondPrice * MILLION;
  const lambdaRequestsUsd =
    invocations *
    unitPriceUsd(prices.lambda.requests, monthly === undefined ? undefined : monthly * invocations) *
    MILLION;

  let apiGatewayUsd = 0;
  if (input.apiType !== null) {
    const apiPrice = prices.apiGateway?.[input.apiType];
    if (!apiPrice) {
      throw new PriceTableError(
        `no API Gateway ${input.apiType} API price for ${options.region} in price table ${table.version}: ` +
          "it could not be confirmed, so it is not in the table. Use a region whose API Gateway prices are listed " +
          "(docs/cost-model.md) or pass a price table with them.",
      );
    }
    apiGatewayUsd = unitPriceUsd(apiPrice, monthly) * MILLION;
  }

  let dynamodbUsd = 0;
  let failedWritesUsd = 0;
  if (rru > 0 || wru > 0 || failedWrites > 0) {
    const ddb = prices.dynamodb;
    if (!ddb) {
      throw new PriceTableError(
        `no DynamoDB on-demand prices for ${options.region} in price table ${table.version}: they could not be ` +
          "confirmed, so they are not in the table. Use a region whose DynamoDB prices are listed " +
          "(docs/cost-model.md) or pass a price table with them.",
      );
    }
    dynamodbUsd =
      (rru * unitPriceUsd(ddb.readRequestUnits) + wru * unitPriceUsd(ddb.writeRequestUnits)) * MILLION;
    failedWritesUsd = failedWrites * unitPriceUsd(ddb.writeRequestUnits) * MILLION;
  }

  let cloudwatchLogsUsd = 0;
  if (logBytes > 0) {
    const logs = prices.cloudwatchLogs;
    if (!logs) {
      throw new PriceTableError(
        `no CloudWatch Logs ingestion price for ${options.region} in price table ${table.version}: it could not be ` +
          "confirmed, so it is not in the table. Use a region whose CloudWatch Logs price is listed " +
          "(docs/cost-model.md) or pass a price table with it.",
      );
    }
    const gbPerRequest = logBytes / table.bytesPerGb;
    cloudwatchLogsUsd =
      gbPerRequest *
      unitPriceUsd(logs.ingestion, monthly === undefined ? undefined : monthly * gbPerRequest) *
      MILLION;
  }

  // INIT at the cold-start rate, at the same GB-second price as the warm duration.
  const initGbSecondsPerRequest = coldStartRate * (initMs / 1000) * (memoryMb / MB_PER_GB);
  const initUsd = initGbSecondsPerRequest * gbSecondPrice * MILLION;

  const totalPerMillionUsd =
    lambdaComputeUsd +
    lambdaRequestsUsd +
    apiGatewayUsd +
    dynamodbUsd +
    failedWritesUsd +
    cloudwatchLogsUsd +
    initUsd;
  return {
    lambdaComputeUsd,
    lambdaRequestsUsd,
    apiGatewayUsd,
    dynamodbUsd,
    dynamodbFailedWritesUsd: failedWritesUsd,
    cloudwatchLogsUsd,
    initUsd,
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
  /** @default ESTIMATE_ASSUMPTIONS.readCapacityUnitsPerRequest */
  readCapacityUnitsPerRequest?: number;
  /** @default ESTIMATE_ASSUMPTIONS.writeCapacityUnitsPerRequest */
  writeCapacityUnitsPerRequest?: number;
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
  readCapacityUnitsPerRequest: 0.5,
  /** @default 0.5: half the requests write one item (≤ 1 KB). */
  writeCapacityUnitsPerRequest: 0.5,
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
  const rru = plan.readCapacityUnitsPerRequest ?? ESTIMATE_ASSUMPTIONS.readCapacityUnitsPerRequest;
  const wru = plan.writeCapacityUnitsPerRequest ?? ESTIMATE_ASSUMPTIONS.writeCapacityUnitsPerRequest;
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
        readCapacityUnitsPerRequest: rru,
        writeCapacityUnitsPerRequest: wru,
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
