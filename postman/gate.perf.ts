/**
 * The Newman gate's wall time and CPU, side by side on one local stage started as `npm run bench` starts it
 * (`--capacity auto`: this process pinned to the reserved core, the environments on the rest), warm runs
 * alternating the variants (npm run perf -- gate):
 *
 * - before: in this process, the folders one after the other, every schema assertion compiling the draft-07
 *   meta-schema (`jsonSchema(schema)` without options, as the collection was);
 * - checks: in this process, one after the other, the schema assertions with `{ validateSchema: false }`;
 * - folders: in this process, the folders at once (postman/concurrent-folders.ts), the schema assertions as before;
 * - after: in this process, both;
 * - one child: both, in ONE long-lived child process on every CPU (postman/gate-process.ts), the folders sharing
 *   its event loop: the bench's gate before the pool;
 * - child per folder: both, each folder in a long-lived child process of its own on every CPU
 *   (postman/gate-pool.ts, through newmanGate as `npm run bench` builds it): the bench's gate now.
 *
 * CPU: this process's (the API front and dynalite that answer the gate, and Newman when it runs here), and the
 * gate's children's (/proc/<pid>/stat), so the total is what a gate costs the host. Usage: npm run perf -- gate
 * (GATE_RUNS=5, GATE_VARIANTS=one child,child per folder to run only some)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { startStage } from "../stage/stage.ts";
import type { GateOutcome } from "../tuning/results/results-types.ts";
import { gateCpusOf, type NewmanGate, newmanGate } from "./newman-gate.ts";
import { readCollection, runCollection } from "./run-collection.ts";

const RUNS = Number(process.env["GATE_RUNS"] ?? 5);
const ALL = ["before", "checks", "folders", "after", "one child", "child per folder"] as const;
type Variant = (typeof ALL)[number];
const VARIANTS = (
  process.env["GATE_VARIANTS"] ? process.env["GATE_VARIANTS"].split(",").map((v) => v.trim()) : ALL
) as Variant[];
for (const v of VARIANTS)
  if (!ALL.includes(v))
    throw new Error(`unknown GATE_VARIANTS entry "${v}": expected some of ${ALL.join(", ")}`);

/** The collection as it was: every schema assertion checks the schema against the meta-schema first. */
function collectionOf(variant: Variant) {
  const collection = readCollection();
  if (variant !== "before" && variant !== "folders") return collection;
  const text = JSON.stringify(collection).replaceAll(", { validateSchema: false })", ")");
  if (text.includes("validateSchema")) throw new Error("the legacy collection still skips the meta-schema");
  return JSON.parse(text) as typeof collection;
}

/** CPU ms a process has used (user + system, its threads included), from /proc; 0 once it is gone. */
const CLOCK_TICKS_PER_S = 100;
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return 0;
  }
}

interface Figure {
  variant: Variant;
  wallMs: number;
  cpuMs: number;
  childCpuMs: number;
  assertions: number;
  passed: boolean;
  load: number;
}
const figures: Figure[] = [];
const local = await startStage({ capacity: "host" });
const pinning = local.cpuPinning;
const reportDir = mkdtempSync(path.join(os.tmpdir(), "powerbench-gate-perf-"));
const cpus = gateCpusOf(pinning);
// The two gates in children, built as `npm run bench` builds its gate (newmanGate on every CPU): the old one-child
// design, and the bench's. Where the stage could not be pinned (the bench would run the gate in its process),
// every CPU all the same.
const gateOf = (processPerFolder: boolean): NewmanGate =>
  newmanGate({
    apiUrl: local.stage.apiUrl,
    tableName: local.stage.tableName,
    reportDir,
    onWarning: (message) => console.error(`gate: ${message}`),
    cpus: cpus ?? `0-${os.availableParallelism() - 1}`,
    processPerFolder,
  });
const oneChild = gateOf(false);
const perFolder = gateOf(true);
try {
  const once = async (variant: Variant, round: number, record: boolean) => {
    const load = os.loadavg()[0] ?? 0;
    const pids: Array<number | undefined> =
      variant === "one child" ? oneChild.pids : variant === "child per folder" ? perFolder.pids : [];
    const childBefore = pids.reduce<number>((n, pid) => n + processCpuMs(pid), 0);
    const cpu = process.cpuUsage();
    const started = performance.now();
    let gate: GateOutcome;
    if (variant === "one child") gate = await oneChild({ settingId: `one-child-${round}` });
    else if (variant === "child per folder") gate = await perFolder({ settingId: `round-${round}` });
    else
      gate = await runCollection({
        baseUrl: local.stage.apiUrl,
        envVars: { tableName: local.stage.tableName },
        collection: collectionOf(variant),
        concurrentFolders: variant === "folders" || variant === "after",
      });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const childCpuMs = pids.reduce<number>((n, pid) => n + processCpuMs(pid), 0) - childBefore;
    if (record)
      figures.push({
        variant,
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
        childCpuMs,
        assertions: gate.assertions,
        passed: gate.passed,
        load,
      });
    console.error(
      `gate: ${variant}${record ? "" : " (warm-up)"} ${Math.round(wallMs)} ms, passed ${gate.passed}`,
    );
  };
  for (const variant of VARIANTS) await once(variant, 0, false);
  for (let run = 0; run < RUNS; run++)
    for (const variant of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse())
      await once(variant, run + 1, true);
} finally {
  await oneChild.close();
  await perFolder.close();
  await local.stop();
  rmSync(reportDir, { recursive: true, force: true });
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const of = (v: Variant) => figures.filter((f) => f.variant === v);
const s2 = (ms: number) => (ms / 1000).toFixed(2);
const medianOf = (v: Variant, pick: (f: Figure) => number) => median(of(v).map(pick));
const total = (f: Figure) => f.cpuMs + f.childCpuMs;
const ratio = (v: Variant, reference: Variant, pick: (f: Figure) => number) =>
  VARIANTS.includes(reference) && of(reference).length > 0
    ? (medianOf(v, pick) / medianOf(reference, pick)).toFixed(2)
    : "–";
const reference = (v: Variant): Variant => (v === "child per folder" ? "one child" : "before");
console.log(
  [
    "## postman: the Newman gate's wall time and CPU (postman/gate.perf.ts)",
    "",
    `Command: \`${RUNS !== 5 ? `GATE_RUNS=${RUNS} ` : ""}${process.env["GATE_VARIANTS"] ? `GATE_VARIANTS="${VARIANTS.join(",")}" ` : ""}npm run perf -- gate\`. One local stage started as \`npm run bench\` starts it ` +
      `(--capacity auto: ${pinning?.pinned ? `this process on CPU ${pinning.reservedCpus}, the environments on CPU ${pinning.environmentCpus}` : `not pinned: ${pinning && !pinning.pinned ? pinning.reason : "no pinning"}`}), ` +
      `the function at its template's memory; our collection, ${RUNS} warm runs per variant, alternating. ` +
      "before: in this process, the folders one after the other, each schema assertion checking the schema against the meta-schema; " +
      "checks: the schema assertions with `{ validateSchema: false }`; folders: the three folders at once; after: both, in this process; " +
      "one child: both, in one long-lived child process on every CPU (the bench's gate before the pool); child per folder: each folder in " +
      "a long-lived child process of its own on every CPU (postman/gate-pool.ts through newmanGate, the bench's gate now). " +
      "CPU: this process's (the API front and dynalite, and Newman where it runs here) and the gate's children's; " +
      "ratios against before, and child per folder against one child.",
    "",
    "| variant | wall s (median) | wall s (runs) | CPU s this process | CPU s children | CPU s total | wall ratio | total CPU ratio | against | assertions | passed | load avg |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: |",
    ...VARIANTS.map((v) => {
      const fs = of(v);
      const ref = reference(v);
      return `| ${v} | ${s2(medianOf(v, (f) => f.wallMs))} | ${fs.map((f) => s2(f.wallMs)).join(", ")} | ${s2(medianOf(v, (f) => f.cpuMs))} | ${s2(medianOf(v, (f) => f.childCpuMs))} | ${s2(medianOf(v, total))} | ${ratio(v, ref, (f) => f.wallMs)} | ${ratio(v, ref, total)} | ${ref} | ${[...new Set(fs.map((f) => f.assertions))].join("/")} | ${fs.every((f) => f.passed) ? "yes" : "**no**"} | ${median(fs.map((f) => f.load)).toFixed(1)} |`;
    }),
  ].join("\n"),
);
