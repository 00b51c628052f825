import { describe, expect, it } from "vitest";
import { DEFAULT_MEMORY_MB, parseMemoryList, planSettings, validateMemoryMb } from "./plan.ts";

describe("parseMemoryList", () => {
  it("reads comma lists and stepped ranges, sorted and de-duplicated", () => {
    expect(parseMemoryList("1024, 128,512,128")).toEqual([128, 512, 1024]);
    expect(parseMemoryList("128,256-1024:256,1769")).toEqual([128, 256, 512, 768, 1024, 1769]);
  });

  it('"ALL" is power-tuning\'s powerValues: 128 to 3008 MB in steps of 64', () => {
    const all = parseMemoryList("ALL");
    expect(all).toHaveLength(46);
    expect(all.slice(0, 3)).toEqual([128, 192, 256]);
    expect(all.at(-1)).toBe(3008);
    expect(parseMemoryList("all")).toEqual(all);
  });

  it("names the bad value and the valid range", () => {
    expect(() => parseMemoryList("64,128")).toThrow(
      'invalid --memory "64": expected an integer from 128 to 10240 MB',
    );
    expect(() => parseMemoryList("128,abc")).toThrow(/"abc"/);
    expect(() => parseMemoryList("1024-128")).toThrow(/from ≤ to/);
    expect(() => parseMemoryList(" , ")).toThrow(/comma-separated/);
    expect(() => validateMemoryMb(10_241)).toThrow(/10241/);
    expect(() => validateMemoryMb(512.5)).toThrow(/512.5/);
  });
});

describe("planSettings", () => {
  it("crosses architectures with sizes, grouped by architecture", () => {
    const plan = planSettings([512, 128], ["x86_64", "arm64"]);
    expect(plan.map((s) => s.id)).toEqual(["x86_64-128", "x86_64-512", "arm64-128", "arm64-512"]);
  });

  it("defaults include one full vCPU (1769 MB)", () => {
    expect(DEFAULT_MEMORY_MB).toContain(1769);
    expect(planSettings(DEFAULT_MEMORY_MB, ["x86_64"])).toHaveLength(DEFAULT_MEMORY_MB.length);
  });

  it("rejects unknown architectures and empty lists", () => {
    // @ts-expect-error deliberately wrong input
    expect(() => planSettings([128], ["x86"])).toThrow('invalid --arch "x86": expected one of x86_64, arm64');
    expect(() => planSettings([], ["x86_64"])).toThrow(/at least one memory size/);
  });
});
