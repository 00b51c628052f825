/**
 * Repeatability of the pick (npm run perf): the default bench (every default setting, profile, duration and
 * warm-up, the built-in engine, the Newman gate, deliberate cold starts) run several times on one local
 * stage, with common random numbers ("after") and, side by side in the same process, without them ("before":
 * a seed per setting, the table not put back). Reports each run's cost pick, whether the pick could be told
 * apart, the run's wall time and each setting's time outside its load window (configure, cold starts beside
 * the warm-up, warm-up, gate, table reset, collect). Goal: the same cost pick in every "after" run, or every
 * run saying the picks are not distinguishable; per-setting overhead ≤ 2 s; the default bench ≤ 2 minutes.
 *
 * Usage: npx tsx tuning/repeatability.perf.ts   (or npm run perf -- repeatability)
 * Reduced form: REPEATABILITY_RUNS=2 REPEATABILITY_QUICK=1 npx tsx tuning/repeatability.perf.ts
 *   (the --quick preset: 128, 512, 1769 MB, smoke profile, 4 s at 20/s)
 */
import { createBuiltinEngine } from "../loadtests/engine/builtin-engine.ts";
import { runCollection } from "../postman/run-collection.ts";
import { startStage } from "../stage/stage.ts";
import { createAwsClients } from "./aws-clients.ts";
import { BENCH_DEFAULTS, QUICK_PRESET, resolveBenchConfig } from "./bench-config.ts";
import { buildResults } from "./build-results.ts";
import { apiLoad } from "./load-ports.ts";
import { planSettings } from "./plan.ts";
import { runSweep } from "./sweep.ts";

const RUNS = Number(process.env["REPEATABILITY_RUNS"] ?? 5);
const QUICK = process.env["REPEATABILITY_QUICK"] === "1";
const config = resolveBenchConfig({}, { quick: QUICK, engine: "builtin" });

interface RunFigures {
  variant: "before" | "after";
  run: number;
  costPick: string | null;
  notDistinguishableFrom: string[];
  wallS: number;
  meanOverheadS: number;
  maxOverheadS: number;
  /** Write units per request, lowest and highest setting: the workload's own variation. */
  wruPerRequest: [number, number];
  /** Mean time per phase over the run's settings, s (the phases after the window run at once). */
  phaseS: Record<string, number>;
}

const PHASES = ["configure", "warmup", "load", "gate", "coldStarts", "reset", "collect"] as const;

const local = await startStage();
const clients = createAwsClients(local.stage);
const figures: RunFigures[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    // Alternate which variant goes first, so drift of the machine falls on both alike.
    const order: Array<"before" | "after"> = run % 2 === 1 ? ["after", "before"] : ["before", "after"];
    for (const variant of order) {
      const load = apiLoad(createBuiltinEngine({ handleSigint: false }), {
        apiUrl: local.stage.apiUrl,
        profile: config.profile,
        seed: config.seed,
        warmupS: config.warmupS,
        ...(config.ratePerSec !== undefined ? { ratePerSec: config.ratePerSec } : {}),
        ...(config.durationS !== undefined ? { durationS: config.durationS } : {}),
        commonRandomNumbers: variant === "after",
      });
      const startedAt = new Date();
      const outcome = await runSweep(
        {
          stage: local.stage,
          settings: planSettings(config.memoryMb, config.architectures),
          maxErrorRate: config.maxErrorRate,
          discardTopBottom: config.discardTopBottom,
          apiType: local.stage.apiType,
          warmup: config.warmupS > 0,
          coldStarts: config.coldStarts,
        },
        {
          clients,
          load: load.port,
          tableState: load.tableState,
          gate: () =>
            runCollection({ baseUrl: local.stage.apiUrl, envVars: { tableName: local.stage.tableName } }),
        },
      );
      const endedAt = new Date();
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
        .map((s) => (s.dynamodb?.writeCapacityUnits ?? 0) / (s.client?.requests ?? 1));
      figures.push({
        variant,
        run,
        costPick: cost?.settingId ?? null,
        notDistinguishableFrom: cost?.indistinguishableFrom ?? [],
        wallS: (endedAt.getTime() - startedAt.getTime()) / 1000,
        meanOverheadS: overheads.reduce((a, b) => a + b, 0) / Math.max(1, overheads.length),
        maxOverheadS: Math.max(0, ...overheads),
        wruPerRequest: [Math.min(...wru), Math.max(...wru)],
        phaseS: Object.fromEntries(
          PHASES.map((phase) => [
            phase,
            outcome.settings.reduce((sum, s) => sum + (s.phaseMs?.[phase] ?? 0), 0) /
              1000 /
              Math.max(1, outcome.settings.length),
          ]),
        ),
      });
      console.error(`repeatability: ${variant} run ${run}: cost pick ${cost?.settingId} (${cost?.reason})`);
    }
  }
} finally {
  clients.destroy();
  await local.stop();
}

function verdict(variant: "before" | "after"): string {
  const runs = figures.filter((f) => f.variant === variant);
  const picks = new Set(runs.map((f) => f.costPick));
  if (picks.size === 1) return `the same cost pick in all ${runs.length} runs (${[...picks][0]})`;
  const allTied = runs.every((f) => f.notDistinguishableFrom.length > 0);
  return allTied
    ? `picks ${[...picks].join(", ")}, and every run reported its pick as not distinguishable`
    : `**different picks** (${runs.map((f) => f.costPick).join(", ")}) and not every run said they were not distinguishable`;
}

const s1 = (x: number) => x.toFixed(1);
const s2 = (x: number) => x.toFixed(3);
const settingsCount = config.memoryMb.length * config.architectures.length;
console.log(
  [
    "## tuning: repeatability of the pick and per-setting overhead (tuning/repeatability.perf.ts)",
    "",
    `Command: \`${QUICK || RUNS !== 5 ? `REPEATABILITY_RUNS=${RUNS}${QUICK ? " REPEATABILITY_QUICK=1" : ""} ` : ""}npx tsx tuning/repeatability.perf.ts\`. ` +
      `${QUICK ? "The --quick preset" : "The default bench"} (${settingsCount} settings: ${config.memoryMb.join(", ")} MB; profile ${config.profile}, ` +
      `${config.durationS ?? "profile's"} s at ${config.ratePerSec ?? "the profile's"} req/s, ${config.warmupS} s warm-up, ` +
      `${config.coldStarts} deliberate cold starts per setting, Newman gate, built-in engine, seed ${config.seed}) ` +
      `${RUNS} times on one local stage. "after": common random numbers (one request sequence replayed at every setting, ` +
      `the table put back after each); "before": a seed per setting and no table reset, as before issue 15, in the same process, ` +
      "the variants alternating which goes first.",
    "",
    "| variant | run | cost pick | not distinguishable from | WRU per request (settings' range) | wall s | overhead per setting, mean s | max s |",
    "| --- | ---: | --- | --- | --- | ---: | ---: | ---: |",
    ...figures.map(
      (f) =>
        `| ${f.variant} | ${f.run} | ${f.costPick ?? "none"} | ${f.notDistinguishableFrom.join(", ") || "-"} | ${s2(f.wruPerRequest[0])}–${s2(f.wruPerRequest[1])} | ${s1(f.wallS)} | ${s1(f.meanOverheadS)} | ${s1(f.maxOverheadS)} |`,
    ),
    "",
    "Mean seconds per setting by phase (gate, cold starts, reset and collect run at once after the window; the overhead is configure + warm-up + the longest of them):",
    "",
    `| variant | run | ${PHASES.join(" | ")} |`,
    `| --- | ---: | ${PHASES.map(() => "---:").join(" | ")} |`,
    ...figures.map(
      (f) => `| ${f.variant} | ${f.run} | ${PHASES.map((p) => s1(f.phaseS[p] ?? 0)).join(" | ")} |`,
    ),
    "",
    `**After: ${verdict("after")}.** Before: ${verdict("before")}.`,
    `Default bench ≤ 2 minutes (goal): after, the longest run took ${s1(Math.max(...figures.filter((f) => f.variant === "after").map((f) => f.wallS)))} s of sweep ` +
      "(stage start-up not included). Overhead per setting ≤ 2 s (goal): mean over the after runs " +
      `${s1(
        figures.filter((f) => f.variant === "after").reduce((a, f) => a + f.meanOverheadS, 0) /
          Math.max(1, figures.filter((f) => f.variant === "after").length),
      )} s. BENCH_DEFAULTS.durationS is ${BENCH_DEFAULTS.durationS} s; the --quick preset's ${QUICK_PRESET.durationS} s.`,
  ].join("\n"),
);
