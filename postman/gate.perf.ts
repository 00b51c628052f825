/**
 * The Newman gate's wall time and CPU, side by side on one local stage started as `npm run bench` starts it
 * (`--capacity auto`: this process pinned to the reserved core, the environments on the rest), warm runs
 * alternating the variants (npm run perf -- gate):
 *
 * - before: the folders one after the other, every schema assertion compiling the draft-07 meta-schema
 *   (`jsonSchema(schema)` without options, as the collection was);
 * - checks: one after the other, the schema assertions with `{ validateSchema: false }`;
 * - folders: the folders at once (postman/concurrent-folders.ts), the schema assertions as before;
 * - after: both, what the gate runs now.
 *
 * CPU is this process's (Newman, and the API front and dynalite that answer the gate), so it is the share of the
 * reserved core a gate takes. Usage: npm run perf -- gate   (GATE_RUNS=5)
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { startStage } from "../stage/stage.ts";
import { readCollection, runCollection } from "./run-collection.ts";

const RUNS = Number(process.env["GATE_RUNS"] ?? 5);
const VARIANTS = ["before", "checks", "folders", "after"] as const;
type Variant = (typeof VARIANTS)[number];

/** The collection as it was: every schema assertion checks the schema against the meta-schema first. */
function collectionOf(variant: Variant) {
  const collection = readCollection();
  if (variant === "checks" || variant === "after") return collection;
  const text = JSON.stringify(collection).replaceAll(", { validateSchema: false })", ")");
  if (text.includes("validateSchema")) throw new Error("the legacy collection still skips the meta-schema");
  return JSON.parse(text) as typeof collection;
}

interface Figure {
  variant: Variant;
  wallMs: number;
  cpuMs: number;
  assertions: number;
  passed: boolean;
  load: number;
}
const figures: Figure[] = [];
const local = await startStage({ capacity: "host" });
const pinning = local.cpuPinning;
try {
  const once = async (variant: Variant, record: boolean) => {
    const load = os.loadavg()[0] ?? 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const gate = await runCollection({
      baseUrl: local.stage.apiUrl,
      envVars: { tableName: local.stage.tableName },
      collection: collectionOf(variant),
      concurrentFolders: variant === "folders" || variant === "after",
    });
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    if (record)
      figures.push({
        variant,
        wallMs,
        cpuMs: (used.user + used.system) / 1000,
        assertions: gate.assertions,
        passed: gate.passed,
        load,
      });
    console.error(
      `gate: ${variant}${record ? "" : " (warm-up)"} ${Math.round(wallMs)} ms, passed ${gate.passed}`,
    );
  };
  for (const variant of VARIANTS) await once(variant, false);
  for (let run = 0; run < RUNS; run++)
    for (const variant of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) await once(variant, true);
} finally {
  await local.stop();
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const of = (v: Variant) => figures.filter((f) => f.variant === v);
const s2 = (ms: number) => (ms / 1000).toFixed(2);
const before = of("before");
console.log(
  [
    "## postman: the Newman gate's wall time and CPU (postman/gate.perf.ts)",
    "",
    `Command: \`${RUNS !== 5 ? `GATE_RUNS=${RUNS} ` : ""}npm run perf -- gate\`. One local stage started as \`npm run bench\` starts it ` +
      `(--capacity auto: ${pinning?.pinned ? `this process on CPU ${pinning.reservedCpus}, the environments on CPU ${pinning.environmentCpus}` : `not pinned: ${pinning && !pinning.pinned ? pinning.reason : "no pinning"}`}), ` +
      `the function at its template's memory; our collection, ${RUNS} warm runs per variant, alternating. ` +
      "before: the folders one after the other, each schema assertion checking the schema against the meta-schema; " +
      "checks: the schema assertions with `{ validateSchema: false }`; folders: the three folders at once; after: both (the gate now). " +
      "CPU: this process's (Newman, the API front and dynalite), i.e. the reserved core's time the gate takes.",
    "",
    "| variant | wall s (median) | wall s (runs) | CPU s (median) | wall vs before | CPU vs before | assertions | passed | load avg |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ...VARIANTS.map((v) => {
      const fs = of(v);
      const wall = median(fs.map((f) => f.wallMs));
      const cpu = median(fs.map((f) => f.cpuMs));
      return `| ${v} | ${s2(wall)} | ${fs.map((f) => s2(f.wallMs)).join(", ")} | ${s2(cpu)} | ${(wall / median(before.map((f) => f.wallMs))).toFixed(2)} | ${(cpu / median(before.map((f) => f.cpuMs))).toFixed(2)} | ${[...new Set(fs.map((f) => f.assertions))].join("/")} | ${fs.every((f) => f.passed) ? "yes" : "**no**"} | ${median(fs.map((f) => f.load)).toFixed(1)} |`;
    }),
  ].join("\n"),
);
