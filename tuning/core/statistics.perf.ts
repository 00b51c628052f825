/**
 * Benchmark of the bootstrap (npm run perf): the p95 and mean intervals the sweep computes for every setting,
 * against the generic bootstrap (build each resample, sort it, read the statistic) on the same samples, seed
 * and resample count, side by side in the same process. Goal: the p95 interval ≥ 10× faster than the generic
 * one at 10,000 samples, so a long run's client latencies do not stall the sweep.
 *
 * Usage: npx tsx tuning/core/statistics.perf.ts   (or npm run perf -- statistics.perf)
 */
import {
  BOOTSTRAP_DEFAULTS,
  bootstrapInterval,
  bootstrapMeanInterval,
  bootstrapPercentileInterval,
  mean,
  percentile,
} from "./statistics.ts";

const SAMPLES = 10_000;
const ROUNDS = 3;

/** A latency-like, right-skewed sample, deterministic. */
const samples = Array.from({ length: SAMPLES }, (_, i) => {
  const u = ((i * 7919) % SAMPLES) / SAMPLES;
  return 5 + 20 * -Math.log(1 - u * 0.999);
});

function bestOfMs(run: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    run();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

const p95Fast = bestOfMs(() => bootstrapPercentileInterval(samples, 95));
const p95Generic = bestOfMs(() => bootstrapInterval(samples, (s) => percentile(s, 95)));
const meanFast = bestOfMs(() => bootstrapMeanInterval(samples));
const meanGeneric = bestOfMs(() => bootstrapInterval(samples, mean));

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
const ratio = (reference: number, measured: number) => `${(reference / measured).toFixed(1)}×`;
console.log(
  [
    "## tuning: bootstrap confidence intervals",
    "",
    "Command: `npx tsx tuning/core/statistics.perf.ts`. " +
      `${SAMPLES.toLocaleString("en-US")} samples, ${BOOTSTRAP_DEFAULTS.resamples} resamples, best of ${ROUNDS}; ` +
      "reference: the generic bootstrap (builds and sorts each resample) on the same samples in the same process.",
    "",
    "| Interval | This code | Generic reference | Speed-up (goal) |",
    "|---|---|---|---|",
    `| p95 (counts over sorted samples) | ${fmt(p95Fast)} | ${fmt(p95Generic)} | ${ratio(p95Generic, p95Fast)} (≥ 10×) |`,
    `| mean (no resample array) | ${fmt(meanFast)} | ${fmt(meanGeneric)} | ${ratio(meanGeneric, meanFast)} (≥ 1×) |`,
  ].join("\n"),
);
