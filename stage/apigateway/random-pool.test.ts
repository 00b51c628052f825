import { describe, expect, it } from "vitest";
import { pooledRandomBytes } from "./random-pool.ts";

describe("pooledRandomBytes", () => {
  it("hands out bytes of the asked length, never the same bytes twice, across refills of the pool", () => {
    // Prepare: 2,000 draws of 9 and 12 bytes span several 4 KB refills.
    const seen = new Set<string>();
    // Act
    for (let i = 0; i < 2000; i++) {
      const length = i % 2 === 0 ? 9 : 12;
      const bytes = pooledRandomBytes(length);
      // Assess
      expect(bytes.length).toBe(length);
      seen.add(bytes.toString("hex"));
    }
    expect(seen.size).toBe(2000);
  });

  it("returns a copy that later refills do not overwrite", () => {
    const first = pooledRandomBytes(12);
    const before = first.toString("hex");
    for (let i = 0; i < 1000; i++) pooledRandomBytes(12);
    expect(first.toString("hex")).toBe(before);
  });

  it("refuses more than the pool holds, saying the limit", () => {
    expect(() => pooledRandomBytes(4097)).toThrow(/at most 4096 bytes, got 4097/);
  });
});
