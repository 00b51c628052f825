/**
 * .github/workflows/bench.yml (issue 19, item 6): main's quick run is stored as the baseline artifact, pull
 * requests run the same preset against it, and the step's exit code is the bench's (2 on a regression).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = path.resolve(import.meta.dirname, "..");

interface Step {
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

describe("the bench workflow", () => {
  const workflow = parse(readFileSync(path.join(ROOT, ".github", "workflows", "bench.yml"), "utf8")) as {
    on: Record<string, unknown>;
    jobs: { bench: { steps: Step[] } };
  };
  const steps = workflow.jobs.bench.steps;

  it("runs on pushes to main and on pull requests, on Node 22 after npm ci", () => {
    expect(Object.keys(workflow.on).sort()).toEqual(["pull_request", "push"]);
    expect(steps.find((s) => s.uses?.startsWith("actions/setup-node"))?.with?.["node-version"]).toBe(22);
    expect(steps.some((s) => s.run === "npm ci")).toBe(true);
  });

  it("gates pull requests with the same --quick preset against main's stored baseline", () => {
    const download = steps.find((s) => s.run?.includes("gh run download"));
    expect(download?.if).toBe("github.event_name == 'pull_request'");
    expect(download?.run).toContain("--name bench-baseline");
    const bench = steps.find((s) => s.run?.includes("npm run bench"));
    // main's baseline and the pull request's run use one set of flags: the quick preset, a pinned engine
    expect(bench?.env?.BENCH_FLAGS).toBe("--quick --engine builtin --out reports/out");
    const invocations = bench?.run?.match(/npm run bench -- .*/g) ?? [];
    expect(invocations).toEqual([
      "npm run bench -- $BENCH_FLAGS --baseline baseline/results.json",
      "npm run bench -- $BENCH_FLAGS",
    ]);
    const store = steps.find((s) => s.with?.name === "bench-baseline");
    expect(store?.if).toContain("github.ref == 'refs/heads/main'");
    expect(store?.with?.path).toBe("reports/out/latest/results.json");
  });
});
