/**
 * Benchmark (npm run perf -- idle-fill): the environments' CPUs kept busy at idle priority (lambda/core-filler.ts)
 * or left to idle, side by side on one pinned stage, for the calibration's CPU-bound reference (SHA-256 chained,
 * as the published benchmark's handler). Rounds in rotating order (on off off on on off …), each a fresh deploy
 * through the Lambda API with one cold start and WARM warm invocations per size, compared as calibrate compares
 * them (net Duration ratios to 1,769 MB against the published ratios; compare.ts). Prints a Markdown section.
 *
 * Env: IDLE_FILL_ROUNDS (default 6, even), IDLE_FILL_WARM (default 5).
 */
import os from "node:os";
import { startCoreFiller } from "../lambda/core-filler.ts";
import { startStage } from "../stage.ts";
import { compareCalibration, median } from "./compare.ts";
import { measureCalibration } from "./measure.ts";
import { calibrationPlan, DEFAULTS } from "./plan.ts";
import { loadReference } from "./reference.ts";

const ROUNDS = Number(process.env.IDLE_FILL_ROUNDS ?? 6);
const WARM = Number(process.env.IDLE_FILL_WARM ?? 5);
const SIZES = [128, 256, 1769];
const ORDER = ["on", "off", "off", "on"] as const;

const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(", ");

const loadBefore = load();
const local = await startStage({ capacity: "host", fillIdleCpus: false });
const pinning = local.cpuPinning;
if (!pinning?.pinned) {
  await local.stop();
  throw new Error(`idle-fill benchmark needs a pinned stage: ${pinning?.reason ?? "no capacity"}`);
}
const sha = calibrationPlan().functions.find((fn) => fn.name === "calibration-sha256");
if (!sha) throw new Error("calibration-sha256 is missing from the calibration plan");
const reference = loadReference();
const architecture = process.arch === "arm64" ? "arm64" : "x86_64";

interface Round {
  round: number;
  variant: "on" | "off";
  load: string;
  netMs: Record<number, number>;
  deviation: Record<number, number | undefined>;
  emulatorRatio: Record<number, number | undefined>;
}
const rounds: Round[] = [];
let fillHow: string | undefined;
const published: Record<number, number | undefined> = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    const variant = ORDER[round % ORDER.length] ?? "on";
    const filler = variant === "on" ? startCoreFiller(pinning.environmentCpus) : undefined;
    if (filler && !filler.filling) throw new Error(`no filler: ${filler.reason}`);
    if (filler?.filling)
      fillHow =
        filler.how === "pm-qos"
          ? "a CPU latency request of 0 µs on every CPU (/dev/cpu_dma_latency)"
          : `a SCHED_IDLE busy loop on CPU ${filler.cpus}`;
    try {
      const measured = await measureCalibration(local.stage, {
        functions: [{ ...sha, memorySizesMb: SIZES, coldStarts: 1, warmInvocations: WARM }],
      });
      const table = compareCalibration(
        reference,
        measured,
        architecture,
        DEFAULTS.sha256Iterations,
      ).tables.find((t) => t.id === "cpu-sha256");
      const row = (mb: number) => table?.rows.find((r) => r.memoryMb === mb);
      rounds.push({
        round: round + 1,
        variant,
        load: load(),
        netMs: Object.fromEntries(SIZES.map((mb) => [mb, row(mb)?.emulatorNetMs ?? Number.NaN])),
        deviation: Object.fromEntries(SIZES.map((mb) => [mb, row(mb)?.deviation])),
        emulatorRatio: Object.fromEntries(SIZES.map((mb) => [mb, row(mb)?.emulatorRatio])),
      });
      for (const mb of SIZES) published[mb] = row(mb)?.publishedRatio;
      process.stderr.write(`idle-fill: round ${round + 1} of ${ROUNDS} (${variant}) done\n`);
    } finally {
      if (filler?.filling) await filler.stop();
    }
  }
} finally {
  await local.stop();
}

const pct = (d: number | undefined) =>
  d === undefined || Number.isNaN(d) ? "—" : `${d >= 0 ? "+" : ""}${(d * 100).toFixed(0)} %`;
const small = SIZES.filter((mb) => mb !== 1769);
const lines = [
  "## Idle cores: the environments' CPUs kept busy at idle priority or left idle (stage/calibration/idle-fill.perf.ts)",
  "",
  `Command: \`npm run perf -- idle-fill\`. One stage pinned as \`npm run bench\` pins it (this process on CPU ${pinning.reservedCpus}, the environments on CPU ${pinning.environmentCpus}); **on**: what \`--idle-fill on\` starts (stage/lambda/core-filler.ts), here ${fillHow ?? "nothing"}, **off**: none. Each round deploys calibrate's SHA-256 reference (${DEFAULTS.sha256Iterations.toLocaleString("en-US")} iterations) through the Lambda API, one cold start and ${WARM} warm invocations per size (${SIZES.join(", ")} MB, alternating), net Durations (less HostCpuWait) compared as \`npm run calibrate\` compares them: ratio to 1,769 MB against the published ratio (${small.map((mb) => `${mb} MB ${published[mb]?.toFixed(2) ?? "—"}`).join(", ")}). Goal (issue 16): within ±15 %.`,
  "",
  `| round | idle fill | load avg after | ${SIZES.map((mb) => `${mb} MB net ms`).join(" | ")} | ${small.map((mb) => `${mb} MB ratio | deviation`).join(" | ")} |`,
  `| ---: | --- | ---: | ${SIZES.map(() => "---:").join(" | ")} | ${small.map(() => "---: | ---:").join(" | ")} |`,
  ...rounds.map(
    (r) =>
      `| ${r.round} | ${r.variant} | ${r.load} | ${SIZES.map((mb) => r.netMs[mb]?.toFixed(0) ?? "—").join(" | ")} | ${small
        .map((mb) => `${r.emulatorRatio[mb]?.toFixed(2) ?? "—"} | ${pct(r.deviation[mb])}`)
        .join(" | ")} |`,
  ),
  "",
  ...(["on", "off"] as const).map((variant) => {
    const mine = rounds.filter((r) => r.variant === variant);
    return `- **${variant}**: median deviation over ${mine.length} rounds ${small
      .map((mb) => {
        const d = mine.map((r) => r.deviation[mb]).filter((x): x is number => x !== undefined);
        return `${mb} MB ${pct(d.length ? median(d) : undefined)} (${pct(Math.min(...d))} to ${pct(Math.max(...d))})`;
      })
      .join(", ")}.`;
  }),
  "",
  `_Measured ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model ?? "CPU"}, Node ${process.version}; load average at its start ${loadBefore}._`,
  "",
];
process.stdout.write(`${lines.join("\n")}\n`);
