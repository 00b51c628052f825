/**
 * The seeded fuzz run of `npm test`: 400 generated hostile requests through the real local stage (API Gateway
 * front → Lambda environment → dynalite), one at a time. `npm run fuzz` runs 10,000+ with the same code.
 * A failure lists the first violating requests; replay with `npm run fuzz -- --runs 500 --seed 20261127`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../../stage/stage.ts";
import { type FuzzFigures, runFuzz } from "./fuzz-run.ts";

const SEED = 20261127;
const RUNS = 500;

describe("fuzzing the API through the local stage", () => {
  let local: LocalStage;
  let figures: FuzzFigures;

  beforeAll(async () => {
    local = await startStage({ cpuScaling: "off" });
    figures = await runFuzz(local, { runs: RUNS, seed: SEED });
  }, 120_000);

  afterAll(async () => {
    await local?.stop();
  });

  it("sends every generated request and gets an HTTP answer to each", () => {
    expect(figures.requests).toBe(RUNS);
    expect(figures.noAnswer).toBe(0);
  });

  it("answers no request with a 5xx and every error body is well-formed", () => {
    const report = figures.firstViolations.map(
      (v) => `#${v.index} ${v.status}: ${v.problems.join("; ")}\n  ${v.request}`,
    );
    expect(report, `${figures.violations} violations; first ones:\n${report.join("\n")}`).toEqual([]);
    expect(figures.serverErrors).toBe(0);
  });

  it("keeps every process alive: no environment died, the stage still answers", () => {
    expect(figures.crashLines).toEqual([]);
    expect(figures.crashes).toBe(0);
    expect(figures.stageAlive).toBe(true);
  });

  it("leaves the table holding exactly what the accepted writes wrote", () => {
    // The generator must produce accepted writes of every kind, or this check would prove nothing.
    expect(figures.writes.created).toBeGreaterThan(5);
    expect(figures.writes.patched + figures.writes.replaced).toBeGreaterThan(0);
    expect(figures.writes.deleted).toBeGreaterThan(0);
    expect(figures.table.missing).toEqual([]);
    expect(figures.table.extra).toEqual([]);
    expect(figures.table.different).toEqual([]);
    expect(figures.table.tableItems).toBe(figures.table.modelItems);
  });
});
