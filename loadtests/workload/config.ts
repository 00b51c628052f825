/**
 * The workload's configuration: operation mix, item sizes, key popularity, and its validation.
 * Pure: the built-in engine and the k6 scenarios share it.
 */
import { ConfigError } from "../errors.ts";
import { OPERATIONS, type OperationName } from "../run-result.ts";

export type KeyPopularity = "uniform" | "zipfian";
export type SizeDistribution = "fixed" | "uniform" | "lognormal";

export interface ItemSizeConfig {
  /** @default "lognormal" */
  distribution: SizeDistribution;
  /** Body size (bytes) of "fixed" and the median of "lognormal". @default 512 */
  medianBytes: number;
  /** Lower bound of every distribution. @default 64 */
  minBytes: number;
  /** Upper bound of every distribution (API Gateway allows 10 MB; DynamoDB items 400 KB). @default 8192 */
  maxBytes: number;
  /** Spread of "lognormal" (σ of the underlying normal). @default 0.75 */
  sigma: number;
}

export interface WorkloadConfig {
  /** Relative weights per operation; they need not sum to 100. @default create 20, read 50, update 15, list 10, delete 5 */
  mix: Record<OperationName, number>;
  itemSize: ItemSizeConfig;
  /** How reads, updates and deletes pick among the ids created so far. @default "zipfian" */
  keyPopularity: KeyPopularity;
  /** Exponent s of the zipfian law P(rank k) ∝ 1/k^s. @default 1.0 */
  zipfExponent: number;
  /** `limit` of list requests. @default 25 */
  listLimit: number;
  /** Share of updates sent as PATCH (the rest as PUT). @default 0.5 */
  patchShare: number;
}

export const WORKLOAD_DEFAULTS: WorkloadConfig = {
  mix: { create: 20, read: 50, update: 15, list: 10, delete: 5 },
  itemSize: { distribution: "lognormal", medianBytes: 512, minBytes: 64, maxBytes: 8192, sigma: 0.75 },
  keyPopularity: "zipfian",
  zipfExponent: 1.0,
  listLimit: 25,
  patchShare: 0.5,
};

/** Partial input, e.g. from a profile or a config file. */
export interface WorkloadInput {
  mix?: Partial<Record<string, number>>;
  itemSize?: Partial<ItemSizeConfig>;
  keyPopularity?: string;
  zipfExponent?: number;
  listLimit?: number;
  patchShare?: number;
}

function finiteAtLeast(field: string, value: number, min: number, hint: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min) {
    throw new ConfigError(field, `expected a number ≥ ${min}, got ${JSON.stringify(value)}; ${hint}`);
  }
  return value;
}

/**
 * Merges `input` over WORKLOAD_DEFAULTS and checks it. Throws ConfigError naming the field.
 *
 * @example resolveWorkload({ mix: { read: 100 } }) // read only: the other weights become 0
 */
export function resolveWorkload(input: WorkloadInput = {}): WorkloadConfig {
  let mix = { ...WORKLOAD_DEFAULTS.mix };
  if (input.mix) {
    // A given mix replaces the default one: unnamed operations get weight 0.
    mix = { create: 0, read: 0, update: 0, list: 0, delete: 0 };
    for (const [name, weight] of Object.entries(input.mix)) {
      if (!(OPERATIONS as readonly string[]).includes(name)) {
        throw new ConfigError(
          `mix.${name}`,
          `unknown operation "${name}": expected one of ${OPERATIONS.join(", ")}`,
        );
      }
      mix[name as OperationName] = finiteAtLeast(
        `mix.${name}`,
        weight as number,
        0,
        "weights are relative shares, e.g. 20",
      );
    }
  }
  const total = OPERATIONS.reduce((sum, op) => sum + mix[op], 0);
  if (total <= 0) {
    throw new ConfigError("mix", "the weights sum to 0: give at least one operation a positive weight");
  }
  if (mix.create <= 0 && (mix.read > 0 || mix.update > 0 || mix.delete > 0)) {
    throw new ConfigError(
      "mix.create",
      "is 0 but read/update/delete need ids to target: give create a positive weight",
    );
  }

  const itemSize = { ...WORKLOAD_DEFAULTS.itemSize, ...input.itemSize };
  if (!["fixed", "uniform", "lognormal"].includes(itemSize.distribution)) {
    throw new ConfigError(
      "itemSize.distribution",
      `expected "fixed", "uniform" or "lognormal", got ${JSON.stringify(itemSize.distribution)}`,
    );
  }
  finiteAtLeast("itemSize.minBytes", itemSize.minBytes, 2, "an item body is at least {}");
  finiteAtLeast("itemSize.maxBytes", itemSize.maxBytes, itemSize.minBytes, "it must be ≥ minBytes");
  finiteAtLeast("itemSize.medianBytes", itemSize.medianBytes, itemSize.minBytes, "it must be ≥ minBytes");
  if (itemSize.medianBytes > itemSize.maxBytes) {
    throw new ConfigError(
      "itemSize.medianBytes",
      `expected ≤ maxBytes (${itemSize.maxBytes}), got ${itemSize.medianBytes}`,
    );
  }
  finiteAtLeast("itemSize.sigma", itemSize.sigma, 0, "use e.g. 0.75");

  const keyPopularity = input.keyPopularity ?? WORKLOAD_DEFAULTS.keyPopularity;
  if (keyPopularity !== "uniform" && keyPopularity !== "zipfian") {
    throw new ConfigError(
      "keyPopularity",
      `expected "uniform" or "zipfian", got ${JSON.stringify(keyPopularity)}`,
    );
  }
  const zipfExponent = finiteAtLeast(
    "zipfExponent",
    input.zipfExponent ?? WORKLOAD_DEFAULTS.zipfExponent,
    0,
    "1.0 is the classic Zipf law",
  );
  const listLimit = finiteAtLeast("listLimit", input.listLimit ?? WORKLOAD_DEFAULTS.listLimit, 1, "e.g. 25");
  const patchShare = finiteAtLeast("patchShare", input.patchShare ?? WORKLOAD_DEFAULTS.patchShare, 0, "0..1");
  if (patchShare > 1) throw new ConfigError("patchShare", `expected a share from 0 to 1, got ${patchShare}`);

  return { mix, itemSize, keyPopularity, zipfExponent, listLimit: Math.floor(listLimit), patchShare };
}
