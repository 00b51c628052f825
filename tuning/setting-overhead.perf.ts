/**
 * Per-setting overhead of the sweep, before and after issue 15's overhead work, side by side on one local stage
 * (npm run perf -- setting-overhead). Two parts:
 *
 * 1. The Newman gate over a growing table: the gate alone at 0, 1,000 and 3,000 extra items, the collection as it
 *    was (the list walk's seen ids left in a collection variable, each script its own sandbox execution) and as
 *    it is (the ids dropped when the walk ends, each request's scripts merged), alternating. Why the gate grew run over run on one stage: a sweep without the table reset (the "before"
 *    variant of tuning/repeatability.perf.ts) leaves its items behind.
 * 2. Sweeps, the variants rotating which goes first: "before" (the warm-up at the profile's own in-flight
 *    cap, the table reset 8 requests at a time, the gate as it was, in this process), "one child" (the bounded
 *    warm-up of tuning/sweep/warmup.ts, the reset one below its cap, the gate as it is in ONE child process on
 *    every CPU: the bench's gate before the pool), "api reset" (the same, the gate as `npm run bench` runs it:
 *    postman/newman-gate.ts `newmanGate` with `gateCpusOf` the stage's pinning, a process per folder; the table
 *    put back through the API beside the gate) and "after" (the same with the table put back as the bench now
 *    does on the local stage: by snapshot, straight to dynalite, once the gate is done). Each
 *    setting's phases, the warm-up's cold starts, the INITs after the window (from the stage's log store), the
 *    gate's time setting by setting, the overhead beyond the configured warm-up load.
 *
 * Usage: npm run perf -- setting-overhead   (OVERHEAD_RUNS=2, OVERHEAD_QUICK=1 for the --quick preset,
 * OVERHEAD_TABLE_SIZES=0,1000,3000, OVERHEAD_VARIANTS=before,api reset,after; "one child" on request)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BatchWriteItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { gateCpusOf, newmanGate } from "../postman/newman-gate.ts";
import { readCollection, runCollection, runNewman } from "../postman/run-collection.ts";
import { resolveBenchConfig } from "./config/bench-config.ts";
import { boundedWarmup } from "./sweep/warmup.ts";
import { runSweep } from "./sweep.ts";
import { builtinApiLoad, SWEEP_PHASES, startPerfStage, sweepOptionsOf } from "./test-support/perf-sweep.ts";

const RUNS = Number(process.env["OVERHEAD_RUNS"] ?? 2);
const QUICK = process.env["OVERHEAD_QUICK"] === "1";
const TABLE_SIZES = (process.env["OVERHEAD_TABLE_SIZES"] ?? "0,1000,3000").split(",").map(Number);
const ALL_VARIANTS = ["before", "one child", "api reset", "after"] as const;
type Variant = (typeof ALL_VARIANTS)[number];
/** "one child" only when asked for: the quiet run of 7 December (10:16Z) had it level with the pool. */
const DEFAULT_VARIANTS: Variant[] = ["before", "api reset", "after"];
const VARIANTS = (process.env["OVERHEAD_VARIANTS"]?.split(",").map((v) => v.trim()) ??
  DEFAULT_VARIANTS) as Variant[];
for (const v of VARIANTS)
  if (!ALL_VARIANTS.includes(v))
    throw new Error(`unknown OVERHEAD_VARIANTS entry "${v}": expected some of ${ALL_VARIANTS.join(", ")}`);
/** The gate alone (part 1) runs in this process: the collection as it was, and as it is. */
const GATE_ALONE_VARIANTS = ["before", "after"] as const;
const config = resolveBenchConfig({}, { quick: QUICK, engine: "builtin" });

/** The collection as it was before the fix: the walk's seen ids stay in a collection variable to the end. */
function collectionOf(variant: Variant) {
  const collection = readCollection();
  if (variant !== "before") return collection;
  const text = JSON.stringify(collection)
    .replace(/"[^"]*pm\.collectionVariables\.unset\(\\"listSeenIds\\"\);",?/, "")
    // Each schema assertion checked the schema against the meta-schema too (postman/gate.perf.ts).
    .replaceAll(", { validateSchema: false })", ")");
  if (text.includes('unset(\\"listSeenIds')) throw new Error("the legacy collection still drops listSeenIds");
  return JSON.parse(text) as typeof collection;
}

const perfStage = await startPerfStage();
const { local, clients, dynamodb } = perfStage;
const tableName = local.stage.tableName;
async function countItems(): Promise<number> {
  let count = 0;
  let key: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({ TableName: tableName, Select: "COUNT", ExclusiveStartKey: key }),
    );
    count += page.Count ?? 0;
    key = page.LastEvaluatedKey as typeof key;
  } while (key);
  return count;
}
let fillers = 0;
async function fillTo(extra: number): Promise<void> {
  for (; fillers < extra; fillers += 25) {
    const requests = Array.from({ length: 25 }, (_, i) => ({
      PutRequest: {
        Item: {
          id: { S: `overhead-filler-${fillers + i}` },
          name: { S: "a filler item of the overhead benchmark" },
          payload: { S: "x".repeat(512) },
        },
      },
    }));
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
  }
}
async function removeFillers(): Promise<void> {
  for (let i = 0; i < fillers; i += 25) {
    const requests = Array.from({ length: Math.min(25, fillers - i) }, (_, j) => ({
      DeleteRequest: { Key: { id: { S: `overhead-filler-${i + j}` } } },
    }));
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } }));
  }
  fillers = 0;
}

/**
 * Environments started after a setting's window (its deliberate cold starts included): REPORT lines with an Init
 * Duration in the local stage's log store, from the window's end to the end of the longest job after it. More
 * concurrent requests after the window (the gate's, the reset's) can make the stage start environments, whose INIT
 * at low memory takes seconds.
 */
function initsAfterWindow(setting: {
  window: { endMs: number };
  phaseMs?: Partial<Record<string, number>>;
}): number {
  const longestMs = Math.max(
    ...["gate", "reset", "coldStarts", "collect"].map((p) => setting.phaseMs?.[p] ?? 0),
  );
  const found = local.logs.filterLogEvents({
    logGroupName: local.stage.logGroupName ?? `/aws/lambda/${local.stage.functionName}`,
    startTime: setting.window.endMs,
    endTime: setting.window.endMs + longestMs + 250,
    limit: 10_000,
  });
  return found.events.filter((e) => /^REPORT .*Init Duration/.test(e.message ?? "")).length;
}

interface GateFigure {
  variant: Variant;
  extraItems: number;
  ms: number;
  requests: number;
  passed: boolean;
  load: number;
}
const gateFigures: GateFigure[] = [];

interface SweepFigure {
  variant: Variant;
  run: number;
  load: number;
  itemsBefore: number;
  wallS: number;
  /** Per setting, in sweep order. */
  settings: Array<{
    id: string;
    phaseS: Record<string, number>;
    overheadS: number;
    warmupColdStarts: number;
    /** INITs (REPORT lines with an Init Duration) after the window, while the gate, reset and cold starts ran. */
    afterWindowInits: number;
  }>;
  gatePassed: boolean;
}
const sweepFigures: SweepFigure[] = [];
const PHASES = SWEEP_PHASES;

try {
  // Part 1: the gate alone over a growing table.
  for (const extra of TABLE_SIZES) {
    await fillTo(extra);
    for (const variant of extra % 2 === 0 ? GATE_ALONE_VARIANTS : [...GATE_ALONE_VARIANTS].reverse()) {
      const started = performance.now();
      const summary = await runNewman({
        baseUrl: local.stage.apiUrl,
        envVars: { tableName },
        collection: collectionOf(variant),
        mergeScripts: variant === "after",
      });
      gateFigures.push({
        variant,
        extraItems: extra,
        ms: performance.now() - started,
        requests: summary.run.executions.length,
        passed: summary.run.failures.length === 0,
        load: os.loadavg()[0] ?? 0,
      });
      console.error(
        `setting-overhead: gate ${variant} at +${extra} items: ${Math.round(performance.now() - started)} ms`,
      );
    }
  }
  await removeFillers();

  // Part 2: sweeps, the variants rotating which goes first. "after" runs the gate as `npm run bench` composes it
  // (scripts/bench.ts): newmanGate with the pinned stage's CPUs, a process per folder (postman/gate-pool.ts); in
  // this process where the stage could not be pinned, as the bench then does. "one child": one process on the same
  // CPUs, the folders sharing its event loop.
  const gateCpus = gateCpusOf(local.cpuPinning);
  const reportDir = mkdtempSync(path.join(os.tmpdir(), "powerbench-overhead-newman-"));
  const gateOf = (processPerFolder: boolean) =>
    newmanGate({
      apiUrl: local.stage.apiUrl,
      tableName,
      reportDir,
      onWarning: (message) => console.error(`setting-overhead: ${message}`),
      cpus: gateCpus,
      processPerFolder,
    });
  const oneChild = VARIANTS.includes("one child") && gateCpus !== undefined ? gateOf(false) : undefined;
  const benchGate = VARIANTS.includes("after") || VARIANTS.includes("api reset") ? gateOf(true) : undefined;
  for (let run = 1; run <= RUNS; run++) {
    const shift = (run - 1) % VARIANTS.length;
    const order = [...VARIANTS.slice(shift), ...VARIANTS.slice(0, shift)];
    for (const variant of order) {
      const api = builtinApiLoad(local.stage, config, {
        boundedWarmup: variant !== "before",
        snapshotReset: variant === "after",
      });
      const collection = collectionOf(variant);
      const itemsBefore = await countItems();
      const loadAverage = os.loadavg()[0] ?? 0;
      const started = performance.now();
      const outcome = await runSweep(sweepOptionsOf(local.stage, config), {
        clients,
        load: api.port,
        tableState: api.tableState,
        gate:
          (variant === "after" || variant === "api reset") && benchGate
            ? benchGate
            : variant === "one child" && oneChild
              ? oneChild
              : () =>
                  runCollection({
                    baseUrl: local.stage.apiUrl,
                    envVars: { tableName },
                    collection,
                    mergeScripts: variant !== "before",
                    concurrentFolders: variant !== "before",
                  }),
      });
      sweepFigures.push({
        variant,
        run,
        load: loadAverage,
        itemsBefore,
        wallS: (performance.now() - started) / 1000,
        settings: outcome.settings.map((s) => ({
          id: s.id,
          phaseS: Object.fromEntries(PHASES.map((p) => [p, (s.phaseMs?.[p] ?? 0) / 1000])),
          overheadS: (s.overheadMs ?? 0) / 1000,
          warmupColdStarts: s.lambda?.warmup?.coldStarts ?? 0,
          afterWindowInits: initsAfterWindow(s),
        })),
        gatePassed: outcome.settings.every((s) => s.gate?.passed !== false),
      });
      console.error(
        `setting-overhead: sweep ${variant} run ${run}: ${((performance.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }
  await oneChild?.close();
  await benchGate?.close();
  rmSync(reportDir, { recursive: true, force: true });
} finally {
  await perfStage.stop();
}

const s1 = (x: number) => x.toFixed(1);
const s2 = (x: number) => x.toFixed(2);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const warmupLoadS = config.warmupS > 0 ? config.warmupS * config.rounds : 0;
const settingsOf = (variant: Variant) =>
  sweepFigures.filter((f) => f.variant === variant).flatMap((f) => f.settings);
const phaseMean = (variant: Variant, phase: string) =>
  mean(settingsOf(variant).map((s) => s.phaseS[phase] ?? 0));
/** A setting's overhead had the gate not run: configure + warm-up + the longest other job after the window. */
const withoutGate = (s: SweepFigure["settings"][number]) =>
  (s.phaseS["configure"] ?? 0) +
  (s.phaseS["warmup"] ?? 0) +
  Math.max(s.phaseS["coldStarts"] ?? 0, s.phaseS["reset"] ?? 0, s.phaseS["collect"] ?? 0) -
  warmupLoadS;
const beyond = (variant: Variant) => mean(settingsOf(variant).map((s) => s.overheadS)) - warmupLoadS;
const settingIds = sweepFigures[0]?.settings.map((s) => s.id) ?? [];
const env = [
  RUNS !== 2 ? `OVERHEAD_RUNS=${RUNS}` : "",
  QUICK ? "OVERHEAD_QUICK=1" : "",
  process.env["OVERHEAD_TABLE_SIZES"] ? `OVERHEAD_TABLE_SIZES=${TABLE_SIZES.join(",")}` : "",
  process.env["OVERHEAD_VARIANTS"] ? `OVERHEAD_VARIANTS="${VARIANTS.join(",")}"` : "",
]
  .filter(Boolean)
  .join(" ");

console.log(
  [
    "## tuning: per-setting overhead before and after (tuning/setting-overhead.perf.ts)",
    "",
    `Command: \`${env ? `${env} ` : ""}npm run perf -- setting-overhead\`. One local stage. ` +
      `${QUICK ? "The --quick preset" : "The default bench"} (${settingIds.length} settings: ${config.memoryMb.join(", ")} MB; ` +
      `profile ${config.profile}, ${config.durationS ?? "the profile's"} s at ${config.ratePerSec ?? "the profile's"} req/s, ` +
      `${config.warmupS} s warm-up, ${config.coldStarts} deliberate cold starts, Newman gate, built-in engine, seed ${config.seed}). ` +
      "before: the warm-up at the profile's own in-flight cap, the table reset 8 requests at a time, the list walk's seen ids " +
      "kept to the end of the gate, each script its own sandbox execution, the folders one after the other, each schema assertion " +
      "checking the schema against the meta-schema, in this process; one child: the bounded warm-up (at most " +
      `${boundedWarmup(config.profile, config.ratePerSec)} in flight), the reset one below it, the walk's ids dropped when it ends, ` +
      "each request's scripts merged into one execution (postman/merge-scripts.ts), the folders at once " +
      "(postman/concurrent-folders.ts), the schema assertions with `{ validateSchema: false }`, and in the sweeps Newman in ONE " +
      "process of its own on every CPU, the folders sharing its event loop (the bench's gate before the pool); api reset: the same, the " +
      "gate as `npm run bench` runs it (newmanGate on the stage's pinning: each folder in a process of its own on every CPU, " +
      "postman/gate-pool.ts), the table put back through the API beside the gate; after: the same, the table put back as the " +
      "bench now does on the local stage (by snapshot, straight to dynalite, once the gate is done: tuning/adapters/table-state.ts). " +
      "The gate alone below runs in this process. Variants in rotating order.",
    "",
    "### The gate over a growing table (the gate alone, between sweeps' worth of items)",
    "",
    "| extra items | before s | after s | requests | both passed | load avg |",
    "| ---: | ---: | ---: | ---: | --- | ---: |",
    ...TABLE_SIZES.map((extra) => {
      const b = gateFigures.find((g) => g.variant === "before" && g.extraItems === extra);
      const a = gateFigures.find((g) => g.variant === "after" && g.extraItems === extra);
      return `| ${extra} | ${s2((b?.ms ?? 0) / 1000)} | ${s2((a?.ms ?? 0) / 1000)} | ${a?.requests ?? "-"} | ${b?.passed && a?.passed ? "yes" : "**no**"} | ${s1(a?.load ?? 0)} |`;
    }),
    "",
    "### Sweeps: mean seconds per setting by phase",
    "",
    'Gate, cold starts, reset and collect run at once after the window (the snapshot reset of "after" once the gate is done): a setting\'s overhead is configure + warm-up + the longest ' +
      "of them. The last column leaves the gate out of that longest job (an upper bound of the overhead without the gate: " +
      "the gate's CPU still slowed the other jobs).",
    "",
    `| variant | run | load avg | items before | wall s | ${PHASES.join(" | ")} | warm-up cold starts | INITs after the window | overhead beyond the warm-up load s | the same without the gate s |`,
    `| --- | ---: | ---: | ---: | ---: | ${PHASES.map(() => "---:").join(" | ")} | ---: | ---: | ---: | ---: |`,
    ...sweepFigures.map(
      (f) =>
        `| ${f.variant} | ${f.run} | ${s1(f.load)} | ${f.itemsBefore} | ${s1(f.wallS)} | ${PHASES.map((p) => s1(mean(f.settings.map((s) => s.phaseS[p] ?? 0)))).join(" | ")} | ${s1(mean(f.settings.map((s) => s.warmupColdStarts)))} | ${s1(mean(f.settings.map((s) => s.afterWindowInits)))} | ${s1(mean(f.settings.map((s) => s.overheadS)) - warmupLoadS)} | ${s1(mean(f.settings.map(withoutGate)))} |`,
    ),
    "",
    "The gate's seconds setting by setting, in sweep order (does it grow within a run, and run over run?), and after each the " +
      "INITs after that setting's window (its deliberate cold starts included):",
    "",
    `| variant | run | ${settingIds.join(" | ")} | gate passed |`,
    `| --- | ---: | ${settingIds.map(() => "---:").join(" | ")} | --- |`,
    ...sweepFigures.map(
      (f) =>
        `| ${f.variant} | ${f.run} | ${f.settings.map((s) => `${s1(s.phaseS["gate"] ?? 0)} (${s.afterWindowInits})`).join(" | ")} | ${f.gatePassed ? "yes" : "**no**"} |`,
    ),
    "",
    ...VARIANTS.map(
      (v) =>
        `- **${v}**: overhead per setting beyond the ${warmupLoadS} s warm-up load ${s1(beyond(v))} s (warm-up ${s1(phaseMean(v, "warmup"))} s, ` +
        `gate ${s1(phaseMean(v, "gate"))} s, reset ${s1(phaseMean(v, "reset"))} s, cold starts ${s1(phaseMean(v, "coldStarts"))} s, ` +
        `configure ${s1(phaseMean(v, "configure"))} s; ${s1(mean(settingsOf(v).map((s) => s.warmupColdStarts)))} cold starts in the warm-up); ` +
        `without the gate (configure + warm-up + the longest of cold starts, reset, collect) ${s1(mean(settingsOf(v).map(withoutGate)))} s.`,
    ),
    "",
    "Goal (issue 15): overhead per setting outside its load windows ≤ 2 s.",
  ].join("\n"),
);
