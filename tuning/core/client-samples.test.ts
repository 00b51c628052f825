import * as hdr from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { latencySamplesMs } from "./client-samples.ts";

function encoded(valuesUs: number[]): string {
  const h = hdr.build();
  for (const v of valuesUs) h.recordValue(v);
  const text = hdr.encodeIntoCompressedBase64(h);
  h.destroy();
  return text;
}

describe("latencySamplesMs", () => {
  it("expands an HDR histogram into millisecond samples, ascending", () => {
    expect(latencySamplesMs(encoded([2000, 100, 2000]))).toEqual([0.1, 2, 2]);
  });

  it("thins large histograms evenly, keeping the distribution's shape", () => {
    const values = Array.from({ length: 20_000 }, (_, i) => 1000 + (i % 1000));
    const samples = latencySamplesMs(encoded(values), 2000);
    expect(samples.length).toBe(2000);
    expect(samples[0]).toBeCloseTo(1, 2);
    expect(samples.at(-1)).toBeGreaterThan(1.99);
  });
});
