/**
 * The short soak of `npm test`: 12 s at 20 req/s against the stage in its own process, with the write ledger
 * and the final verification. The RSS trend needs minutes (`npm run soak`, 5 min by default); here the samples
 * must exist for the stage process and its execution environments.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSoak, type SoakFigures } from "./soak-run.ts";
import { type StageChild, startStageChild } from "./stage-child.ts";

describe("short soak through the local stage", () => {
  let stage: StageChild;
  let figures: SoakFigures;
  beforeAll(async () => {
    stage = await startStageChild();
    figures = await runSoak(stage, { durationS: 12, ratePerS: 20, seed: 11 });
  }, 90_000);
  afterAll(async () => {
    await stage?.stop();
  });

  it("sends the fixed rate with no error", () => {
    expect(figures.requests + figures.skipped).toBe(240);
    expect(figures.errors).toBe(0);
    expect(figures.byStatus["network error"]).toBeUndefined();
    expect(figures.verifyErrors).toBe(0);
  });

  it("loses nothing: every acknowledged write reads back as acknowledged, every delete is gone", () => {
    // Enough writes of each kind for the check to mean something.
    expect(figures.byOp.create).toBeGreaterThan(20);
    expect(figures.byOp.delete).toBeGreaterThan(10);
    expect(figures.byOp.patch + figures.byOp.replace).toBeGreaterThan(20);
    expect(figures.unacknowledgedWrites).toBe(0);
    expect(figures.overlappingWrites).toBe(0);
    expect(figures.staleReads).toBe(0);
    expect(figures.verify).toMatchObject({ lost: [], stale: [], resurrected: [], phantom: [], uncertain: 0 });
    expect(figures.verify.checked).toBe(figures.byOp.create);
  });

  it("samples the RSS of the stage process and of its Lambda environments", () => {
    const labels = figures.rss.map((t) => t.label);
    expect(labels).toContain("stage");
    expect(labels.some((l) => l.startsWith("lambda-env "))).toBe(true);
    expect(figures.rss.find((t) => t.label === "stage")?.samples).toBeGreaterThan(10);
  });
});
