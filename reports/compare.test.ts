import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { workloadInputsOf } from "../tuning/adapters/workload-inputs.ts";
import { BENCH_DEFAULTS, type BenchConfig, QUICK_PRESET } from "../tuning/config/bench-config.ts";
import { runLoadOf } from "../tuning/results/build-results.ts";
import { parseResults, serializeResults } from "../tuning/results/results.ts";
import type { Results } from "../tuning/results/results-types.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { compareResults, DEFAULT_THRESHOLDS, incomparableReason } from "./compare.ts";
import { renderComparison } from "./html-sections.ts";
import { renderMarkdown } from "./render-markdown.ts";

/** The sample results as a run of `config` would record them: its profile, load and sequence seed. */
function ranWith(over: Partial<BenchConfig>): Results {
  const config: BenchConfig = { ...BENCH_DEFAULTS, ...over };
  const results = sampleResults();
  const load = runLoadOf(config);
  results.run.mode = config.mode;
  results.run.profile = config.mode === "direct" ? "direct-invoke" : config.profile;
  results.run.load = load;
  const inputs = workloadInputsOf(config);
  if (inputs) results.run.inputs = inputs;
  if (load.mode === "api")
    results.run.sequence = {
      seed: config.seed,
      requests: load.requests,
      preseedItems: 64,
      reuseGapRequests: 100,
      idPrefix: `pb${config.seed.toString(36)}`,
    };
  else results.run.engine = { name: "direct", version: "0.1.0" };
  return results;
}

const QUICK: Partial<BenchConfig> = { ...QUICK_PRESET, quick: true };
const FIX = /: run the baseline with the same stage and flags \(--mode, --quick, --profile, --rate/;

describe("compareResults", () => {
  it("finds no regression between a run and itself, and lists every setting", () => {
    const results = sampleResults();
    const comparison = compareResults(results, sampleResults());
    expect(comparison.regressions).toEqual([]);
    expect(comparison.thresholds).toEqual(DEFAULT_THRESHOLDS);
    expect(comparison.settings.map((s) => s.id).sort()).toEqual(results.settings.map((s) => s.id).sort());
    const compared = comparison.settings.find((s) => s.id === "x86_64-512");
    expect(compared?.status).toBe("compared");
    expect(compared?.deltas.map((d) => d.change)).toEqual([0, 0, 0, 0]);
  });

  it("flags a metric that rose beyond its threshold, and only that one", () => {
    // Prepare: p95 of x86_64-512 up 12 %, cost up 9 % (under 10 %), error rate up 1.5 pp
    const baseline = sampleResults();
    const current = sampleResults();
    const setting = current.settings.find((s) => s.id === "x86_64-512");
    const before = baseline.settings.find((s) => s.id === "x86_64-512");
    if (!setting?.client || !setting.cost || !before?.client || !before.cost)
      throw new Error("fixture changed");
    setting.client.latency.p95Ms = before.client.latency.p95Ms * 1.12;
    // narrow bootstrap intervals that do not overlap: a real change, not noise
    if (!before.stats || !setting.stats) throw new Error("fixture changed");
    before.stats.p95Ms = { low: 63, high: 65, level: 0.95 };
    setting.stats.p95Ms = { low: 70.5, high: 73, level: 0.95 };
    setting.cost.totalPerMillionUsd = before.cost.totalPerMillionUsd * 1.09;
    setting.client.errorRate = before.client.errorRate + 0.015;

    // Act
    const comparison = compareResults(current, baseline);

    // Assess
    expect(comparison.regressions.map((r) => [r.settingId, r.metric])).toEqual([
      ["x86_64-512", "p95Ms"],
      ["x86_64-512", "errorRate"],
    ]);
    expect(comparison.regressions[0]?.message).toMatch(
      /client p95 rose by 12\.0 % \(64\.0 ms → 71\.7 ms\), over the \+10 % threshold; 95 % intervals do not overlap/,
    );
    expect(comparison.regressions[1]?.message).toMatch(
      /error rate rose by 1\.50 pp.*; z = \d+\.\d+ ≥ 1\.645/,
    );
    const cost = comparison.settings.find((s) => s.id === "x86_64-512")?.deltas[0];
    expect(cost?.change).toBeCloseTo(0.09, 6);
    expect(cost?.regression).toBe(false);
    // A looser threshold clears the p95 regression
    expect(compareResults(current, baseline, { p95Pct: 15, errorRatePp: 2 }).regressions).toEqual([]);
  });

  it("counts a setting that completed before and fails now; lists new and missing settings", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    const arm = current.settings.find((s) => s.id === "arm64-512");
    if (!arm) throw new Error("fixture changed");
    arm.status = "failed";
    arm.failures = [{ kind: "oom", message: "Runtime exited with error: signal: killed" }];
    current.settings = current.settings.filter((s) => s.id !== "x86_64-256");
    baseline.settings = baseline.settings.filter((s) => s.id !== "x86_64-1769");

    const comparison = compareResults(current, baseline);

    expect(comparison.regressions).toEqual([
      { settingId: "arm64-512", metric: "status", message: expect.stringContaining("oom: Runtime exited") },
    ]);
    const status = Object.fromEntries(comparison.settings.map((s) => [s.id, s.status]));
    expect(status["x86_64-1769"]).toBe("new");
    expect(status["x86_64-256"]).toBe("missing");
    expect(status["x86_64-128"]).toBe("failed-both"); // not a regression
  });

  it("a rise beyond the threshold inside overlapping intervals is noise, not a regression", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    const setting = current.settings.find((s) => s.id === "x86_64-512");
    const before = baseline.settings.find((s) => s.id === "x86_64-512");
    if (!setting?.client || !before?.client || !before.stats?.p95Ms) throw new Error("fixture changed");
    setting.client.latency.p95Ms = before.client.latency.p95Ms * 1.12; // the interval stays where it was
    const d = compareResults(current, baseline).settings.find((s) => s.id === "x86_64-512")?.deltas[1];
    expect(d).toMatchObject({ metric: "p95Ms", regression: false, significant: false });
    expect(d?.basis).toBe("95 % intervals overlap: not significant");
  });

  it("p99 +70 % from 80 requests is not a regression: too few requests beyond p99 (issue 19)", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    for (const results of [baseline, current])
      for (const s of results.settings) if (s.client) s.client.requests = 80;
    const setting = current.settings.find((s) => s.id === "x86_64-512");
    if (!setting?.client) throw new Error("fixture changed");
    setting.client.latency.p99Ms *= 1.7;
    const comparison = compareResults(current, baseline);
    expect(comparison.regressions).toEqual([]);
    const d = comparison.settings.find((s) => s.id === "x86_64-512")?.deltas[2];
    expect(d?.change).toBeCloseTo(0.7, 6);
    expect(d?.basis).toBe("too few requests to judge p99: 80 give 0.8 beyond it (need 10)");
    // with 2,000 requests in each run the same rise is a regression
    for (const results of [baseline, current])
      for (const s of results.settings) if (s.client) s.client.requests = 2000;
    expect(compareResults(current, baseline).regressions.map((r) => r.metric)).toEqual(["p99Ms"]);
  });

  it("refuses a baseline of another profile, mode or stage, with the reason", () => {
    const baseline = sampleResults();
    baseline.run.profile = "baseline";
    expect(() => compareResults(sampleResults(), baseline)).toThrow(
      /is not comparable with run .*: baseline ran profile baseline, this run smoke \(--profile\): run the baseline with the same stage and flags/,
    );
    const aws = sampleResults();
    aws.run.stage.name = "aws";
    expect(incomparableReason(sampleResults().run, aws.run)).toBe(
      "baseline ran on the aws stage, this run on local",
    );
  });
});

describe("comparability of the load (issue 19)", () => {
  it("records the load a configuration plans: the profile resolved with --rate and --duration", () => {
    expect(runLoadOf(BENCH_DEFAULTS)).toEqual({
      mode: "api",
      ratePerSec: 50,
      durationS: 6,
      warmupS: 1,
      requests: 300,
    });
    expect(runLoadOf({ ...BENCH_DEFAULTS, ...QUICK })).toEqual({
      mode: "api",
      ratePerSec: 20,
      durationS: 4,
      warmupS: 1,
      requests: 80,
      quick: true,
    });
    const direct = runLoadOf({ ...BENCH_DEFAULTS, mode: "direct" });
    expect(direct).toEqual({
      mode: "direct",
      invocations: 50,
      parallelism: 1,
      onlyColdStarts: false,
      payloadsDigest: expect.stringMatching(/^fnv1a32:[0-9a-f]{8}$/),
    });
    // the digest ignores key order and sees any change of a payload or its weight
    const payloads = (payload: unknown, weight = 1) =>
      runLoadOf({
        ...BENCH_DEFAULTS,
        mode: "direct",
        direct: { ...BENCH_DEFAULTS.direct, payloads: [{ payload, weight }] },
      });
    expect(payloads({ operation: "ping", id: "a" })).toEqual(payloads({ id: "a", operation: "ping" }));
    expect(payloads({ operation: "ping", id: "a" })).not.toEqual(payloads({ operation: "ping", id: "b" }));
    expect(payloads({ operation: "ping" }, 2)).not.toEqual(payloads({ operation: "ping" }, 1));
  });

  it("results.json carries the load through its schema, and a version-2 file without it still reads", () => {
    for (const results of [ranWith({}), ranWith({ mode: "direct" })])
      expect(parseResults(serializeResults(results)).run.load).toEqual(results.run.load);
    expect(parseResults(serializeResults(sampleResults())).run.load).toBeUndefined();
    const bad = ranWith({ mode: "direct" });
    if (bad.run.load?.mode !== "direct") throw new Error("fixture changed");
    bad.run.load.payloadsDigest = "sha256:x";
    expect(() => parseResults(JSON.stringify(bad))).toThrow(/payloadsDigest|load/);
  });

  it("compares runs of the same flags", () => {
    expect(compareResults(ranWith(QUICK), ranWith(QUICK)).loadNotCompared).toBeUndefined();
    expect(compareResults(ranWith({}), ranWith({})).regressions).toEqual([]);
    expect(compareResults(ranWith({ mode: "direct" }), ranWith({ mode: "direct" })).regressions).toEqual([]);
  });

  it("refuses a full-run baseline for a --quick run, naming both loads and the fix", () => {
    expect(() => compareResults(ranWith(QUICK), ranWith({}))).toThrow(
      "baseline ran profile baseline, this run smoke (--quick); baseline ran 50 req/s for 6 s after a 1 s warm-up, this run 20 req/s for 4 s after a 1 s warm-up (--quick): run the baseline with the same stage and flags",
    );
  });

  it("refuses another rate, duration or warm-up of the same profile", () => {
    expect(incomparableReason(ranWith({ ratePerSec: 20 }).run, ranWith({}).run)).toBe(
      "baseline ran 50 req/s for 6 s after a 1 s warm-up, this run 20 req/s for 6 s after a 1 s warm-up",
    );
    expect(incomparableReason(ranWith({ durationS: 2 }).run, ranWith({}).run)).toBe(
      "baseline ran 50 req/s for 6 s after a 1 s warm-up, this run 50 req/s for 2 s after a 1 s warm-up",
    );
    expect(() => compareResults(ranWith({ warmupS: 3 }), ranWith({}))).toThrow(
      /baseline ran 50 req\/s for 6 s after a 1 s warm-up, this run 50 req\/s for 6 s after a 3 s warm-up/,
    );
  });

  it("refuses another seed, request count or engine", () => {
    expect(() => compareResults(ranWith({ seed: 7 }), ranWith({}))).toThrow(
      /baseline ran seed 1, this run seed 7 \(--seed\)/,
    );
    // the same load with another planned count: the request schedule changed (here: an older file, no load)
    const before = ranWith({});
    delete before.run.load;
    const now = ranWith({});
    if (!before.run.sequence) throw new Error("fixture changed");
    before.run.sequence.requests = 299;
    expect(incomparableReason(now.run, before.run)).toBe(
      "baseline planned 299 requests per setting, this run 300",
    );
    const k6 = ranWith({});
    k6.run.engine = { name: "k6", version: "1.4.0" };
    expect(() => compareResults(ranWith({}), k6)).toThrow(FIX);
    expect(incomparableReason(ranWith({}).run, k6.run)).toBe(
      "baseline ran the k6 engine, this run builtin (--engine)",
    );
  });

  it("refuses direct-mode runs of other payloads, invocations or cold-start mode", () => {
    const direct = (over: Partial<BenchConfig["direct"]>) =>
      ranWith({ mode: "direct", direct: { ...BENCH_DEFAULTS.direct, ...over } });
    const base = direct({});
    expect(() =>
      compareResults(direct({ payloads: [{ payload: { operation: "list" }, weight: 1 }] }), base),
    ).toThrow(
      /baseline sent other payloads \(fnv1a32:[0-9a-f]{8}\) than this run \(fnv1a32:[0-9a-f]{8}\) \(--payload\)/,
    );
    expect(incomparableReason(direct({ invocations: 10, parallelism: 5 }).run, base.run)).toBe(
      "baseline ran 50 invocations 1 at a time, this run 10 5 at a time (--invocations, --parallel)",
    );
    expect(incomparableReason(direct({ onlyColdStarts: true }).run, base.run)).toBe(
      "baseline ran with onlyColdStarts false, this run true (--only-cold-starts)",
    );
  });

  it("compares a baseline without a recorded load on what it has, and the report says so", () => {
    const old = ranWith({});
    delete old.run.load;
    const current = ranWith({});
    const comparison = compareResults(current, old);
    expect(comparison.loadNotCompared).toBe(
      "the load (rate, duration, warm-up) could not be compared: the baseline does not record it (results.json written before run.load); profile, mode, stage, engine, seed and request count were compared",
    );
    expect(renderMarkdown(current, { comparison })).toContain(
      "Not compared: the load (rate, duration, warm-up) could not be compared",
    );
    expect(renderComparison(comparison)).toContain(
      '<p class="hint load-not-compared">Not compared: the load (rate, duration, warm-up) could not be compared',
    );
    expect(renderComparison(compareResults(current, ranWith({})))).not.toContain("Not compared");
    // what it has still counts: its seed
    expect(() => compareResults(ranWith({ seed: 2 }), old)).toThrow(/baseline ran seed 1, this run seed 2/);
  });
});

// issue 18: a baseline measured with another workload file, k6 script, collection or template was compared as if
// it had measured the same workload (same profile and seed, other requests)
describe("comparability of the workload's files (issue 18)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-compare-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
  };

  it("records the files a run used: the bundled ones by default, the user's by name and fingerprint", () => {
    const bundled = ranWith({}).run.inputs;
    expect(bundled?.workload).toMatchObject({ name: "crud.yaml", bundled: true });
    expect(bundled?.collection).toMatchObject({ name: "powerbench.postman_collection.json", bundled: true });
    expect(bundled?.template).toMatchObject({ name: "template.yaml", bundled: true });
    expect(bundled?.workload?.digest).toMatch(/^fnv1a32:[0-9a-f]{8}$/);
    const script = ranWith({ k6Script: file("mine.ts", "export default function () {}"), gate: false });
    expect(script.run.inputs).toEqual({
      k6Script: { name: "mine.ts", digest: expect.stringMatching(/^fnv1a32:/) },
      template: expect.objectContaining({ bundled: true }),
    });
    expect(ranWith({ stage: "aws" }).run.inputs?.template).toBeUndefined();
    expect(ranWith({ mode: "direct" }).run.inputs).toBeUndefined();
    // through the schema
    const results = ranWith({});
    expect(parseResults(serializeResults(results)).run.inputs).toEqual(results.run.inputs);
  });

  it("refuses a baseline of another workload file, k6 script, collection or template, naming the file and flag", () => {
    const base = ranWith({});
    const notes = file("notes.yaml", "name: notes\n");
    expect(() => compareResults(ranWith({ workload: notes }), base)).toThrow(
      /baseline ran the bundled workload file crud\.yaml \(fnv1a32:[0-9a-f]{8}\), this run workload file notes\.yaml \(fnv1a32:[0-9a-f]{8}\) \(--workload\): run the baseline with the same stage and flags \(.*--workload, --k6-script, --collection, --environment, --template/,
    );
    // the same name, other contents: edited between the runs
    const before = ranWith({ workload: file("w.yaml", "a: 1\n") });
    const after = ranWith({ workload: file("w.yaml", "a: 2\n") });
    expect(incomparableReason(after.run, before.run)).toMatch(
      /^baseline ran workload file w\.yaml \(fnv1a32:[0-9a-f]{8}\), this run w\.yaml with other contents \(fnv1a32:[0-9a-f]{8}\) \(--workload\)$/,
    );
    // a k6 script instead of the workload file: both named
    const script = ranWith({ k6Script: file("load.ts", "export default function () {}") });
    expect(incomparableReason(script.run, base.run)).toMatch(
      /^baseline ran the bundled workload file crud\.yaml \(fnv1a32:\w+\), this run no workload file \(--workload\); baseline ran no k6 script, this run k6 script load\.ts \(fnv1a32:\w+\) \(--k6-script\)$/,
    );
    const collection = file("c.json", "{}");
    expect(incomparableReason(ranWith({ collection }).run, base.run)).toMatch(/\(--collection\)$/);
    const template = file("t.yaml", "Resources: {}\n");
    expect(incomparableReason(ranWith({ template }).run, base.run)).toMatch(
      /^baseline ran the bundled template template\.yaml \(fnv1a32:\w+\), this run template t\.yaml \(fnv1a32:\w+\) \(--template\)$/,
    );
    // a line-ending change alone, even under another name, is the same workload
    const crlf = ranWith({ workload: file("w2.yaml", "a: 1\r\n") });
    expect(incomparableReason(crlf.run, before.run)).toBeUndefined();
    expect(crlf.run.inputs?.workload?.digest).toBe(before.run.inputs?.workload?.digest);
  });

  it("flags a baseline that does not record its files: compared on the rest, the report says so", () => {
    const old = ranWith({});
    delete old.run.inputs;
    const current = ranWith({});
    const comparison = compareResults(current, old);
    expect(comparison.loadNotCompared).toBe(
      "the workload's files (workload file or k6 script, collection, template) could not be compared: the baseline does not record them (results.json written before run.inputs); a baseline measured with other files is a different workload",
    );
    expect(renderMarkdown(current, { comparison })).toContain("Not compared: the workload's files");
  });
});
