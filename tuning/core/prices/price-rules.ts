/** The cost model's billing rules that are not prices; pure data, shared by every price table. */
import type { PriceTable } from "./price-types.ts";

/**
 * The model's rules that are not prices: how INIT is billed, bytes per GB, the failed conditional write rule.
 * They come with every table, the snapshot's or the user's (`--price-table`).
 */
export const PRICE_RULES: Pick<PriceTable, "initBilling" | "bytesPerGb" | "failedConditionalWrites"> = {
  initBilling: {
    effectiveFrom: "2025-08-01",
    appliesTo: "on-demand functions packaged as ZIP archives with managed runtimes",
    rule:
      "the INIT phase is billed like invocation duration: Billed Duration of a cold start = ceil(Duration + Init Duration). " +
      "Before 1 Aug 2025 INIT of these functions was not billed. The cost model prices Billed Duration as the REPORT line states it.",
    source: "https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/",
  },
  // AWS's pricing pages say "GB" without defining it; binary GB is assumed (docs/cost-model.md).
  bytesPerGb: 1024 ** 3,
  failedConditionalWrites: {
    rule:
      "a conditional write whose condition is false still consumes write units: the larger of the existing and the new item's size, at least 1 WRU. " +
      "The service cannot read the units of a failed write (the exception carries none), so the tuner adds 1 WRU per failed conditional write (a lower bound).",
    source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html",
  },
};
