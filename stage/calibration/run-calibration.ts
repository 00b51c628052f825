/**
 * `npm run calibrate`, the logic: starts the local stage (or uses one given), deploys and measures the
 * reference functions through its Lambda API (measure.ts), and compares them with the published figures
 * (compare.ts). The result is serialisable (`--json`); render.ts prints it.
 */
import os from "node:os";
import { type LocalStage, startStage } from "../stage.ts";
import { type Comparison, compareCalibration } from "./compare.ts";
import { measureCalibration } from "./measure.ts";
import { calibrationPlan, type Measurements, type PlanOptions } from "./plan.ts";
import { type Architecture, loadReference } from "./reference.ts";

export interface CalibrationResult {
  generatedAt: string;
  host: {
    cores: number;
    /** os.loadavg() at the end of the run: 1, 5, 15 minutes. */
    loadAverage: number[];
    nodeVersion: string;
    arch: string;
    cpuScaling: string;
    /** How the stage ran: its CPU pinning and idle fill (`--capacity`, `--idle-fill`), in words. */
    stageCpus: string;
  };
  /** Cold starts and warm invocations per size, in words. */
  planSummary: string;
  /** Every figure measured, and each one's wait for the host's CPU (same indices). */
  measured: Measurements;
  comparison: Comparison;
}

export interface CalibrationOptions extends PlanOptions {
  /** A running local stage; one is started (and stopped) when absent. */
  stage?: LocalStage;
  /**
   * The stage calibrate starts: "auto" as `npm run bench` runs it (the host's capacity, this process and the
   * environments on separate CPUs), "off" unpinned. @default "auto"
   */
  capacity?: "auto" | "off";
  /** With capacity "auto": keep the environments' CPUs busy at idle priority (lambda/core-filler.ts). @default "on" */
  idleFill?: "on" | "off";
  onProgress?: (line: string) => void;
}

/** The stage's CPU layout in words, for the header of the printed table. */
export function describeStageCpus(local: Pick<LocalStage, "cpuPinning" | "coreFiller">): string {
  const pinning = local.cpuPinning;
  if (!pinning) return "unpinned (--capacity off)";
  if (!pinning.pinned) return `unpinned (${pinning.reason})`;
  const filler = local.coreFiller;
  const fill = !filler
    ? "left idle (--idle-fill off)"
    : filler.filling
      ? filler.how === "pm-qos"
        ? "kept out of idle states (a CPU latency request of 0 µs on every CPU)"
        : `kept busy at idle priority (CPUs ${filler.cpus})`
      : `left idle (${filler.reason})`;
  return `stage on CPUs ${pinning.reservedCpus}, environments on CPUs ${pinning.environmentCpus}, ${fill}`;
}

export async function runCalibration(options: CalibrationOptions = {}): Promise<CalibrationResult> {
  const reference = loadReference();
  const plan = calibrationPlan(options);
  // Before the stage pins this process to its reserved CPU, which would leave one.
  const cores = os.availableParallelism();
  const local =
    options.stage ??
    (await startStage(
      options.capacity === "off"
        ? {}
        : { capacity: "host", ...(options.idleFill === "off" ? { fillIdleCpus: false } : {}) },
    ));
  try {
    const measured = await measureCalibration(local.stage, plan, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const architecture: Architecture = process.arch === "arm64" ? "arm64" : "x86_64";
    const first = plan.functions[0];
    const warm = plan.functions.find((fn) => fn.warmInvocations > 0);
    return {
      generatedAt: new Date().toISOString(),
      host: {
        cores,
        loadAverage: os.loadavg(),
        nodeVersion: process.versions.node,
        arch: process.arch,
        cpuScaling: local.lambda.cpuScaling.mode,
        stageCpus: describeStageCpus(local),
      },
      planSummary: `${first?.coldStarts ?? 0} cold start(s) and ${warm?.warmInvocations ?? 0} warm invocation(s) per size`,
      measured,
      comparison: compareCalibration(
        reference,
        measured,
        architecture,
        plan.functions.find((fn) => fn.name === "calibration-sha256")?.event["iterations"] as number,
      ),
    };
  } finally {
    if (!options.stage) await local.stop();
  }
}
