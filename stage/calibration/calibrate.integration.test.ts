/**
 * `npm run calibrate` end to end in its quick form: the real stage, the reference functions deployed and
 * invoked through the Lambda API with the SDK client, the comparison and its rendering. No timing asserted:
 * the figures are benchmark output (docs/fidelity.md).
 */
import os from "node:os";
import { describe, expect, it } from "vitest";
import { renderCalibration } from "./render.ts";
import { runCalibration } from "./run-calibration.ts";

describe("npm run calibrate", () => {
  it("measures every reference on the stage and prints it beside the published figures", async () => {
    const cores = os.availableParallelism();
    const result = await runCalibration({ quick: true });
    // The host's cores, not the one CPU the pinned stage left this process while it ran.
    expect(result.host.cores).toBe(cores);
    const ids = result.comparison.tables.map((t) => t.id).sort();
    expect(ids).toEqual([
      "cpu-sha256",
      "dynamodb-first-invoke",
      "dynamodb-init",
      "dynamodb-warm",
      "hello-first-invoke",
      "hello-init",
      "single-thread-sort",
    ]);
    for (const table of result.comparison.tables) {
      for (const row of table.rows) expect(row.emulatorMs).toBeGreaterThan(0);
    }
    const sha = result.comparison.tables.find((t) => t.id === "cpu-sha256");
    expect(sha?.rows.map((r) => r.memoryMb)).toEqual([128, 1769]);
    expect(sha?.rows[1]?.emulatorRatio).toBe(1);
    expect(sha?.rows[0]?.publishedRatio).toBeCloseTo(21390.04 / 1584.12, 6);
    const text = renderCalibration(result);
    expect(text).toContain("cebert/aws-lambda-performance-benchmarks");
    expect(text).toContain("maxday/lambda-perf");
    expect(text).toMatch(/Goals \(docs\/fidelity\.md\):/);
    // How the stage ran (as `npm run bench` runs it by default): pinned or not, its idle fill.
    expect(text).toMatch(/^stage: (unpinned|stage on CPUs)/m);
    // --json is the same result, serialisable.
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  }, 120_000);
});
