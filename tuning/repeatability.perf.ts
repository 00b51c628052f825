/**
 * Repeatability of the pick (npm run perf): the default bench (every default setting, profile, duration,
 * warm-up, rounds and cold-start pricing, the built-in engine, the Newman gate, deliberate cold starts) run
 * several times on one local stage, side by side in the same process with a reference variant, the variants
 * alternating which goes first so drift of the machine falls on both alike. Reports each run's cost pick,
 * whether it could be told apart, every setting's cost, the run's wall time and each setting's time outside
 * its load window by phase. Goals: the same cost pick in every run of the default, or every run saying the
 * picks are not distinguishable; per-setting overhead ≤ 2 s; the default bench ≤ 2 minutes.
 *
 * Variants (REPEATABILITY_VARIANTS, comma-separated; default "default,before"):
 *   default   the bench as `npm run bench` runs it (BENCH_DEFAULTS)
 *   before    as before issue 15: a seed per setting, no table reset, INIT at each setting's measured rate,
 *             one round
 *   prime     the default with the new version primed by one invocation before its warm-up
 *   gate-beside-warmup  the default with the gate and cold starts beside the warm-up instead of after the window
 *   rounds-N  the default with N rounds in rotating order (the duration split between them)
 *
 * Usage: npm run perf -- repeatability   (or npx tsx tuning/repeatability.perf.ts)
 * Reduced: REPEATABILITY_RUNS=2 REPEATABILITY_QUICK=1 npx tsx tuning/repeatability.perf.ts (the --quick preset)
 * Rounds evidence: REPEATABILITY_VARIANTS=rounds-1,rounds-3 REPEATABILITY_QUICK=1 npx tsx tuning/repeatability.perf.ts
 */

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type AttributeValue, BatchWriteItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { gateCpusOf, newmanGate } from "../postman/newman-gate.ts";
import { runCollection } from "../postman/run-collection.ts";
import { type BenchConfig, resolveBenchConfig } from "./config/bench-config.ts";
import { buildResults } from "./results/build-results.ts";
import { runSweep } from "./sweep.ts";
import { builtinApiLoad, SWEEP_PHASES, startPerfStage, sweepOptionsOf } from "./test-support/perf-sweep.ts";

const RUNS = Number(process.env["REPEATABILITY_RUNS"] ?? 5);
const QUICK = process.env["REPEATABILITY_QUICK"] === "1";
const VARIANTS = (process.env["REPEATABILITY_VARIANTS"] ?? "default,before").split(",").map((v) => v.trim());
for (const v of VARIANTS) {
  if (!/^(default|before|prime|gate-beside-warmup|rounds-\d+)$/.test(v))
    throw new Error(
      `REPEATABILITY_VARIANTS: unknown variant "${v}": expected default, before, prime, gate-beside-warmup or rounds-<n>`,
    );
}
const base = resolveBenchConfig({}, { quick: QUICK, engine: "builtin" });

interface RunFigures {
  variant: string;
  run: number;
  costPick: string | null;
  notDistinguishableFrom: string[];
  costBySetting: Record<string, number>;
  wallS: number;
  meanOverheadS: number;
  maxOverheadS: number;
  /** Overhead per setting less the configured warm-up load (warmupS per round): configure, drain, gate, cold starts, reset, collect. */
  meanOverheadBeyondWarmupS: number;
  /** Write units per request, lowest and highest setting: the workload's own variation. */
  wruPerRequest: [number, number];
  /** Mean time per setting by phase, s (gate, cold starts, reset and collect run at once after the window). */
  phaseS: Record<string, number>;
  /** Cold starts the warm-ups absorbed per setting, mean; and the measured cold-start rate's range. */
  warmupColdStarts: number;
  measuredRate: [number, number];
  loadAverage: number;
}

const PHASES = SWEEP_PHASES;

function configOf(variant: string): BenchConfig {
  if (variant === "before") return { ...base, coldStartRate: "measured", rounds: 1 };
  const rounds = /^rounds-(\d+)$/.exec(variant)?.[1];
  return rounds ? { ...base, rounds: Number(rounds) } : base;
}

const perfStage = await startPerfStage();
const { local, clients, dynamodb } = perfStage;
/** The ids in the table now. */
async function tableIds(): Promise<Set<string>> {
  const ids = new Set<string>();
  let key: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: local.stage.tableName,
        ProjectionExpression: "id",
        ExclusiveStartKey: key,
      }),
    );
    for (const item of page.Items ?? []) if (item["id"]?.S !== undefined) ids.add(item["id"].S);
    key = page.LastEvaluatedKey;
  } while (key);
  return ids;
}
/**
 * Deletes what a run left in the table beyond `before`: a run without the table reset (the "before" variant)
 * leaves its items, and on one shared stage the next runs' gates then page through them (the gate grew
 * 2.7 → 5.0 s run over run in this benchmark before this cleanup; tuning/setting-overhead.perf.ts).
 */
async function removeLeftovers(before: Set<string>): Promise<number> {
  const left = [...(await tableIds())].filter((id) => !before.has(id));
  for (let i = 0; i < left.length; i += 25) {
    const batch = left.slice(i, i + 25).map((id) => ({ DeleteRequest: { Key: { id: { S: id } } } }));
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [local.stage.tableName]: batch } }));
  }
  return left.length;
}
const figures: RunFigures[] = [];
const reportDir = mkdtempSync(path.join(os.tmpdir(), "powerbench-repeatability-newman-"));
const benchGate = newmanGate({
  apiUrl: local.stage.apiUrl,
  tableName: local.stage.tableName,
  reportDir,
  onWarning: (message) => console.error(`repeatability: ${message}`),
  cpus: gateCpusOf(local.cpuPinning),
});
try {
  for (let run = 1; run <= RUNS; run++) {
    // Rotate which variant goes first, so drift of the machine falls on every variant alike.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + run - 1) % VARIANTS.length] as string);
    for (const variant of order) {
      const config = configOf(variant);
      const before = variant === "before";
      const api = builtinApiLoad(local.stage, config, {
        commonRandomNumbers: !before,
        // As tuning/run-bench.ts: the bounded warm-up unless the cold-start rate is measured.
        boundedWarmup: config.coldStartRate !== "measured",
        // As tuning/run-bench.ts on the local stage: the table put back by snapshot, after the gate.
        snapshotReset: !before,
      });
      const idsBefore = await tableIds();
      const loadAverage = os.loadavg()[0] ?? 0;
      const startedAt = new Date();
      const outcome = await runSweep(
        {
          ...sweepOptionsOf(local.stage, config),
          ...(variant === "prime" ? { primeVersion: true } : {}),
          ...(variant === "gate-beside-warmup" ? { gateBesideWarmup: true } : {}),
        },
        {
          clients,
          load: api.port,
          tableState: api.tableState,
          // The default variants run the gate as `npm run bench` does (newmanGate on the stage's pinning: a
          // process per folder); "before" in this process, as before issue 15.
          gate: before
            ? () =>
                runCollection({ baseUrl: local.stage.apiUrl, envVars: { tableName: local.stage.tableName } })
            : benchGate,
        },
      );
      const endedAt = new Date();
      const leftovers = await removeLeftovers(idsBefore);
      if (leftovers > 0)
        console.error(`repeatability: ${variant} run ${run} left ${leftovers} items: deleted`);
      const results = buildResults(
        {
          runId: `${variant}-${run}`,
          startedAt,
          endedAt,
          engine: { name: "builtin", version: "-" },
          toolVersions: {},
        },
        local.stage,
        config,
        outcome.settings,
      );
      const cost = results.recommendations.find((r) => r.strategy === "cost");
      const overheads = outcome.settings.map((s) => (s.overheadMs ?? 0) / 1000);
      const wru = outcome.settings
        .filter((s) => s.dynamodb && s.client?.requests)
        .map((s) => (s.dynamodb?.writeRequestUnits ?? 0) / (s.client?.requests ?? 1));
      const rates = outcome.settings
        .map((s) => s.lambda?.init?.measuredRate)
        .filter((r): r is number => r !== undefined);
      const count = Math.max(1, outcome.settings.length);
      figures.push({
        variant,
        run,
        costPick: cost?.settingId ?? null,
        notDistinguishableFrom: cost?.indistinguishableFrom ?? [],
        costBySetting: Object.fromEntries(
          outcome.settings.map((s) => [s.id, s.cost?.totalPerMillionUsd ?? Number.NaN]),
        ),
        wallS: (endedAt.getTime() - startedAt.getTime()) / 1000,
        meanOverheadS: overheads.reduce((a, b) => a + b, 0) / count,
        maxOverheadS: Math.max(0, ...overheads),
        meanOverheadBeyondWarmupS:
          overheads.reduce((a, b) => a + b, 0) / count -
          (config.warmupS > 0 ? config.warmupS * config.rounds : 0),
        wruPerRequest: [Math.min(...wru), Math.max(...wru)],
        phaseS: Object.fromEntries(
          PHASES.map((phase) => [
            phase,
            outcome.settings.reduce((sum, s) => sum + (s.phaseMs?.[phase] ?? 0), 0) / 1000 / count,
          ]),
        ),
        warmupColdStarts:
          outcome.settings.reduce((sum, s) => sum + (s.lambda?.warmup?.coldStarts ?? 0), 0) / count,
        measuredRate: [Math.min(...rates), Math.max(...rates)],
        loadAverage,
      });
      console.error(
        `repeatability: ${variant} run ${run}: cost pick ${cost?.settingId} (${cost?.reason}); ${(
          (endedAt.getTime() - startedAt.getTime()) / 1000
        ).toFixed(1)} s`,
      );
    }
  }
} finally {
  await benchGate.close();
  rmSync(reportDir, { recursive: true, force: true });
  await perfStage.stop();
}

function verdict(variant: string): string {
  const runs = figures.filter((f) => f.variant === variant);
  const picks = new Set(runs.map((f) => f.costPick));
  if (picks.size === 1) return `the same cost pick in all ${runs.length} runs (${[...picks][0]})`;
  const allTied = runs.every((f) => f.notDistinguishableFrom.length > 0);
  return allTied
    ? `picks ${[...picks].join(", ")}, and every run reported its pick as not distinguishable`
    : `**different picks** (${runs.map((f) => f.costPick).join(", ")}) and not every run said they were not distinguishable`;
}

/** Sample standard deviation of each setting's cost across a variant's runs: the between-run spread. */
function costSpread(variant: string): { setting: string; meanUsd: number; sdUsd: number }[] {
  const runs = figures.filter((f) => f.variant === variant);
  const ids = Object.keys(runs[0]?.costBySetting ?? {});
  return ids.map((setting) => {
    const values = runs.map((f) => f.costBySetting[setting] ?? Number.NaN).filter(Number.isFinite);
    const meanUsd = values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
    const sdUsd =
      values.length < 2
        ? 0
        : Math.sqrt(values.reduce((a, v) => a + (v - meanUsd) ** 2, 0) / (values.length - 1));
    return { setting, meanUsd, sdUsd };
  });
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const s1 = (x: number) => x.toFixed(1);
const s3 = (x: number) => x.toFixed(3);
const s4 = (x: number) => x.toFixed(4);
const settingIds = Object.keys(figures[0]?.costBySetting ?? {});
const env = [
  RUNS !== 5 ? `REPEATABILITY_RUNS=${RUNS}` : "",
  QUICK ? "REPEATABILITY_QUICK=1" : "",
  process.env["REPEATABILITY_VARIANTS"] ? `REPEATABILITY_VARIANTS=${VARIANTS.join(",")}` : "",
]
  .filter(Boolean)
  .join(" ");
const byVariant = (variant: string) => figures.filter((f) => f.variant === variant);
console.log(
  [
    "## tuning: repeatability of the pick and per-setting overhead (tuning/repeatability.perf.ts)",
    "",
    `Command: \`${env ? `${env} ` : ""}npm run perf -- repeatability\`. ` +
      `${QUICK ? "The --quick preset" : "The default bench"} (${settingIds.length} settings: ${base.memoryMb.join(", ")} MB; profile ${base.profile}, ` +
      `${base.durationS ?? "profile's"} s at ${base.ratePerSec ?? "the profile's"} req/s, ${base.warmupS} s warm-up, ` +
      `${base.coldStarts} deliberate cold starts per setting, Newman gate, built-in engine, seed ${base.seed}) ` +
      `${RUNS} times on one local stage, the variants rotating which goes first. Variants: ${VARIANTS.join(", ")}` +
      " (default: `npm run bench`'s defaults, the gate as the bench runs it (a process per folder on the stage's CPUs) and the " +
      "table put back by snapshot after it, as on the local stage; before: a seed per setting, no table reset, INIT at the measured rate, " +
      "the gate in this process, as before issue 15; prime: the default with the new version primed by one invocation before its warm-up; gate-beside-warmup: the gate and " +
      "cold starts beside the warm-up instead of after the window; rounds-N: the default in N rounds in rotating order).",
    "",
    `| variant | run | load avg | cost pick | not distinguishable from | ${settingIds.map((id) => `${id} $/1M`).join(" | ")} | WRU/request (range) | wall s | overhead/setting mean s | max s | beyond the warm-up load s |`,
    `| --- | ---: | ---: | --- | --- | ${settingIds.map(() => "---:").join(" | ")} | --- | ---: | ---: | ---: | ---: |`,
    ...figures.map(
      (f) =>
        `| ${f.variant} | ${f.run} | ${f.loadAverage.toFixed(1)} | ${f.costPick ?? "none"} | ${f.notDistinguishableFrom.join(", ") || "-"} | ${settingIds.map((id) => s4(f.costBySetting[id] ?? Number.NaN)).join(" | ")} | ${s3(f.wruPerRequest[0])}–${s3(f.wruPerRequest[1])} | ${s1(f.wallS)} | ${s1(f.meanOverheadS)} | ${s1(f.maxOverheadS)} | ${s1(f.meanOverheadBeyondWarmupS)} |`,
    ),
    "",
    "Mean seconds per setting by phase (summed over a setting's rounds; gate, cold starts and collect run at once " +
      "after the window, the snapshot reset after the gate, so the overhead is configure + warm-up + the longest of them), the warm-up's cold starts per " +
      "setting and the cold-start rate the settings measured (warm-up and window):",
    "",
    `| variant | run | ${PHASES.join(" | ")} | warm-up cold starts | measured rate |`,
    `| --- | ---: | ${PHASES.map(() => "---:").join(" | ")} | ---: | --- |`,
    ...figures.map(
      (f) =>
        `| ${f.variant} | ${f.run} | ${PHASES.map((p) => s1(f.phaseS[p] ?? 0)).join(" | ")} | ${s1(f.warmupColdStarts)} | ${s1(f.measuredRate[0] * 100)}–${s1(f.measuredRate[1] * 100)} % |`,
    ),
    "",
    "Between-run spread of each setting's cost per 1M requests (mean ± sample SD over the runs):",
    "",
    `| variant | ${settingIds.join(" | ")} |`,
    `| --- | ${settingIds.map(() => "---:").join(" | ")} |`,
    ...VARIANTS.map(
      (v) =>
        `| ${v} | ${costSpread(v)
          .map((c) => `${s4(c.meanUsd)} ± ${s4(c.sdUsd)}`)
          .join(" | ")} |`,
    ),
    "",
    ...VARIANTS.map(
      (v) =>
        `- **${v}: ${verdict(v)}.** Wall time per run: mean ${s1(mean(byVariant(v).map((f) => f.wallS)))} s, longest ${s1(Math.max(...byVariant(v).map((f) => f.wallS)))} s ` +
        `(sweep only; the stage's start-up is not included). Overhead per setting: mean ${s1(mean(byVariant(v).map((f) => f.meanOverheadS)))} s, ` +
        `${s1(mean(byVariant(v).map((f) => f.meanOverheadBeyondWarmupS)))} s beyond the configured warm-up load.`,
    ),
    "",
    "Goals: the default bench ≤ 2 minutes; overhead per setting outside its load windows (configure, drain, gate, " +
      "cold starts, reset, collect; the configured warm-up load itself excluded) ≤ 2 s.",
  ].join("\n"),
);
