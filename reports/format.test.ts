import { describe, expect, it } from "vitest";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import {
  formatDuration,
  formatInterval,
  formatMs,
  formatPercent,
  formatPerSecond,
  formatRate,
  formatSignedPct,
  formatSignedPp,
  formatUsd,
  MISSING,
} from "./format.ts";
import { scriptForInline } from "./html.ts";
import { coldStartRate, meetsSlo, orderedSettings, picksBySetting } from "./settings.ts";

describe("formatting", () => {
  it("prints units, sensible precision and a dash for missing values", () => {
    expect(formatUsd(4.32654)).toBe("$4.327");
    expect(formatUsd(0.24281)).toBe("$0.2428");
    expect(formatUsd(1234.5)).toBe("$1,235");
    expect(formatMs(64)).toBe("64.0 ms");
    expect(formatMs(1830.4)).toBe("1,830 ms");
    expect(formatRate(0.0123)).toBe("1.23 %");
    expect(formatRate(0.00067)).toBe("0.067 %");
    expect(formatSignedPct(0.124)).toBe("+12.4 %");
    expect(formatSignedPp(-0.004)).toBe("-0.40 pp");
    expect(formatPerSecond(7.000000000000001)).toBe("7/s"); // the dry run printed "7.000000000000001/s"
    expect(formatPerSecond(2.5)).toBe("2.5/s");
    expect(formatPercent(0.734)).toBe("73 %");
    expect(formatPercent(0.0123, 1)).toBe("1.2 %");
    expect(formatDuration(42)).toBe("42 s");
    expect(formatDuration(150)).toBe("2 min 30 s");
    expect(formatDuration(120)).toBe("2 min");
    expect(formatDuration(7260)).toBe("2 h 1 min");
    expect(formatInterval({ low: 1, high: 2, level: 0.95 }, formatMs)).toBe("[1.0 ms, 2.0 ms] (95 %)");
    for (const f of [
      formatUsd,
      formatMs,
      formatRate,
      formatSignedPct,
      formatPercent,
      formatPerSecond,
      formatDuration,
    ]) {
      expect(f(undefined)).toBe(MISSING);
      expect(f(Number.NaN)).toBe(MISSING);
    }
  });

  it("breaks script-ending sequences in inlined JavaScript without changing string values", () => {
    const source = 'var a = "</script><!--<script>"; var b = /<\\/script/;';
    const safe = scriptForInline(source);
    expect(safe).not.toMatch(/<\/script|<!--|<script/i);
    // Run our own test string to prove the meaning is kept.
    expect(new Function(`${safe}; return a;`)()).toBe("</script><!--<script>");
  });
});

describe("setting helpers", () => {
  it("orders by architecture then memory, and maps each pick to its setting", () => {
    const results = sampleResults();
    expect(orderedSettings(results).map((s) => s.id)).toEqual([
      "x86_64-128",
      "x86_64-256",
      "x86_64-512",
      "x86_64-1024",
      "x86_64-1769",
      "x86_64-2048",
      "arm64-512",
    ]);
    expect(picksBySetting(results).get("x86_64-2048")).toEqual(["speed", "balanced"]);
  });

  it("computes the cold-start rate and the SLO check from the measured figures", () => {
    const results = sampleResults();
    const [failed, s256, , s1024] = orderedSettings(results);
    if (!failed || !s256 || !s1024) throw new Error("fixture changed");
    expect(coldStartRate(s256)).toBeCloseTo(2 / 1500, 12);
    expect(coldStartRate(failed)).toBeUndefined();
    expect(meetsSlo(results, s1024)).toBe(true); // p99 60.8 ms ≤ 80 ms, no errors
    expect(meetsSlo(results, s256)).toBe(false); // p99 189 ms
    expect(meetsSlo(results, failed)).toBeUndefined(); // no client measurements
    results.run.slo = undefined;
    expect(meetsSlo(results, s1024)).toBeUndefined();
  });
});
