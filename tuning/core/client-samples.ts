/**
 * Client latency samples for the bootstrap, from the load engine's HDR histogram (compressed base64,
 * microseconds). Recorded values are expanded bucket by bucket in ascending order (value = the bucket's
 * value as HDR iterates it), keeping every k-th so at most `maxSamples` remain: thinning a sorted sequence
 * evenly keeps its distribution, and keeps the bootstrap of p95 cheap.
 */
import * as hdr from "hdr-histogram-js";
import type JsHistogram from "hdr-histogram-js/dist/JsHistogram";

/** Samples kept for the bootstrap of p95. @default 5000 */
export const MAX_BOOTSTRAP_SAMPLES = 5000;

export function latencySamplesMs(encodedHistogram: string, maxSamples = MAX_BOOTSTRAP_SAMPLES): number[] {
  const histogram = hdr.decodeFromCompressedBase64(encodedHistogram) as unknown as JsHistogram;
  try {
    const total = histogram.totalCount;
    const stride = Math.max(1, Math.ceil(total / maxSamples));
    const samples: number[] = [];
    let index = 0;
    const iterator = histogram.recordedValuesIterator;
    iterator.reset();
    while (iterator.hasNext()) {
      const step = iterator.next();
      for (let i = 0; i < step.countAtValueIteratedTo; i++, index++) {
        if (index % stride === 0) samples.push(step.valueIteratedTo / 1000);
      }
    }
    return samples;
  } finally {
    histogram.destroy();
  }
}
