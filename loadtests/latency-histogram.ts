/**
 * The HDR histograms of request latencies both engines' results use: microseconds from 1 µs to 1 h. A run's
 * and an operation's figures keep 3 significant digits; a second of the timeline (its p95) keeps 2, within
 * 1 %, so it takes about 14 KB instead of 94 KB (hdr-histogram-js `estimatedFootprintInBytes`; a 30-minute
 * run keeps 1,800 of them).
 */
import type { Histogram } from "hdr-histogram-js";
import * as hdr from "hdr-histogram-js";

export function newLatencyHistogram(scope: "run" | "second" = "run"): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: scope === "run" ? 3 : 2,
  });
}
