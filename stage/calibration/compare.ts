/**
 * Holds the emulator's samples against the published figures: per reference and memory size the emulator's
 * median, its median net of the host's CPU wait, the published mean, and either both ratios to 1,769 MB
 * (on the net figures) with their deviation or the absolute factor; then the goals, each met or not
 * with the figures that decide it. Pure.
 */
import type { Measurements } from "./plan.ts";
import {
  type Architecture,
  type PublishedReference,
  RATIO_BASE_MB,
  type Reference,
  type ReferenceId,
} from "./reference.ts";

export interface CalibrationRow {
  memoryMb: number;
  /** Median of the emulator's samples (ms); the host is shared, so a mean would follow other processes. */
  emulatorMs: number;
  /** Least sample (ms): the nearest to undisturbed where other processes share the host. */
  emulatorMinMs: number;
  /**
   * Median of the samples less each one's wait for the host's CPU beyond its quota (the stage's HostCpuWait):
   * the Duration an environment with its own CPU would have had. Ratios are taken on it.
   */
  emulatorNetMs: number;
  /** Least net sample (ms). */
  emulatorNetMinMs: number;
  samples: number;
  publishedMs?: number;
  /** emulatorNetMs / the emulator's 1,769 MB net figure ("ratio to 1769 MB" references). */
  emulatorRatio?: number;
  publishedRatio?: number;
  /** emulatorRatio / publishedRatio − 1, or emulatorMs / publishedMs − 1 for absolute references. */
  deviation?: number;
}

export interface CalibrationTable {
  id: ReferenceId;
  workload: string;
  figure: string;
  compare: Reference["compare"];
  /** "owner/name path@commit (measured on)" */
  source: string;
  rows: CalibrationRow[];
}

export interface CalibrationGoal {
  goal: string;
  /** undefined when the run measured too little to decide (a quick run). */
  met: boolean | undefined;
  detail: string;
}

/**
 * This host's speed against AWS's for the same single-thread work: the SHA-256 loop's time per iteration at
 * 1,769 MB (one vCPU; one core here; the emulator's least net sample), published over emulator. Absolute
 * figures (INIT) differ by about it.
 */
export interface HostSpeed {
  emulatorUsPerIteration: number;
  publishedUsPerIteration: number;
  /** published / emulator: how many times faster this host's core runs the loop than a Lambda vCPU. */
  factor: number;
}

export interface Comparison {
  architecture: Architecture;
  hostSpeed?: HostSpeed;
  tables: CalibrationTable[];
  goals: CalibrationGoal[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? Number.NaN) + (sorted[mid] ?? Number.NaN)) / 2;
}

function compareOne(
  reference: Reference,
  bySize: Record<number, number[]>,
  waitsBySize: Record<number, number[]>,
  architecture: Architecture,
  sourceLabel: string,
): CalibrationTable {
  const published = reference.ms[architecture] ?? reference.ms.x86_64 ?? {};
  const net = (size: number) =>
    (bySize[size] ?? []).map((ms, i) => Math.max(0, ms - (waitsBySize[size]?.[i] ?? 0)));
  const emulatorBase = bySize[RATIO_BASE_MB] ? median(net(RATIO_BASE_MB)) : undefined;
  const publishedBase = published[String(RATIO_BASE_MB)];
  const rows = Object.entries(bySize)
    .map(([size, values]): CalibrationRow => {
      const memoryMb = Number(size);
      const emulatorMs = median(values);
      const emulatorNetMs = median(net(memoryMb));
      const publishedMs = published[size];
      const row: CalibrationRow = {
        memoryMb,
        emulatorMs,
        emulatorMinMs: Math.min(...values),
        emulatorNetMs,
        emulatorNetMinMs: Math.min(...net(memoryMb)),
        samples: values.length,
      };
      if (publishedMs !== undefined) row.publishedMs = publishedMs;
      if (reference.compare === "absolute") {
        if (publishedMs !== undefined) row.deviation = emulatorMs / publishedMs - 1;
      } else if (emulatorBase !== undefined) {
        row.emulatorRatio = emulatorNetMs / emulatorBase;
        if (publishedMs !== undefined && publishedBase !== undefined) {
          row.publishedRatio = publishedMs / publishedBase;
          row.deviation = row.emulatorRatio / row.publishedRatio - 1;
        }
      }
      return row;
    })
    .sort((a, b) => a.memoryMb - b.memoryMb);
  return {
    id: reference.id,
    workload: reference.workload,
    figure: reference.figure,
    compare: reference.compare,
    source: sourceLabel,
    rows,
  };
}

const pct = (fraction: number) => `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(0)} %`;

function goals(tables: CalibrationTable[], speed: HostSpeed | undefined): CalibrationGoal[] {
  const table = (id: ReferenceId) => tables.find((t) => t.id === id);
  const out: CalibrationGoal[] = [];
  const cpu = table("cpu-sha256");
  const cpuRows = cpu?.rows.filter((r) => r.deviation !== undefined && r.memoryMb !== RATIO_BASE_MB) ?? [];
  out.push({
    goal: "CPU-bound (SHA-256) ratios to 1,769 MB within ±15 % of the published ones at every published size",
    met: cpuRows.length >= 2 ? cpuRows.every((r) => Math.abs(r.deviation ?? 0) <= 0.15) : undefined,
    detail: cpuRows.map((r) => `${r.memoryMb} MB ${pct(r.deviation ?? 0)}`).join(", ") || "not measured",
  });
  for (const [id, name] of [
    ["hello-init", "hello world"],
    ["dynamodb-init", "DynamoDB function"],
  ] as const) {
    const rows = table(id)?.rows.filter((r) => r.publishedMs !== undefined) ?? [];
    out.push({
      goal: `Init Duration of the ${name} within 2× of the published figure (½× to 2×) at every published size`,
      met:
        rows.length > 0
          ? rows.every(
              (r) => r.emulatorMs <= 2 * (r.publishedMs ?? 0) && 2 * r.emulatorMs >= (r.publishedMs ?? 0),
            )
          : undefined,
      detail:
        (rows
          .map((r) => `${r.memoryMb} MB ${r.emulatorMs.toFixed(0)} vs ${(r.publishedMs ?? 0).toFixed(0)} ms`)
          .join(", ") || "not measured") +
        (speed && rows.length > 0
          ? `; × host speed ${speed.factor.toFixed(2)}: ${rows.map((r) => (r.emulatorMs * speed.factor).toFixed(0)).join(", ")} ms`
          : ""),
    });
  }
  for (const [id, name] of [
    ["hello-init", "hello world"],
    ["dynamodb-init", "DynamoDB function"],
  ] as const) {
    const rows = table(id)?.rows.filter((r) => r.publishedMs !== undefined) ?? [];
    const scaled = (r: CalibrationRow) => r.emulatorMs * (speed?.factor ?? Number.NaN);
    out.push({
      goal: `(proposed) Init Duration of the ${name} × host speed within 2× of the published figure at every published size`,
      met:
        speed && rows.length > 0
          ? rows.every((r) => scaled(r) <= 2 * (r.publishedMs ?? 0) && 2 * scaled(r) >= (r.publishedMs ?? 0))
          : undefined,
      detail: speed
        ? rows
            .map((r) => `${r.memoryMb} MB ${scaled(r).toFixed(0)} vs ${(r.publishedMs ?? 0).toFixed(0)} ms`)
            .join(", ")
        : "host speed not measured (needs cpu-sha256 at 1,769 MB)",
    });
  }
  const hello = table("hello-init")?.rows.filter((r) => r.memoryMb >= 128 && r.memoryMb <= 2048) ?? [];
  const values = hello.map((r) => r.emulatorMs);
  const spread = values.length > 0 ? Math.max(...values) / Math.min(...values) : Number.NaN;
  out.push({
    goal: "Init Duration of the hello world flat from 128 to 2,048 MB (largest / smallest ≤ 1.5)",
    met: values.length >= 2 ? spread <= 1.5 : undefined,
    detail: values.length >= 2 ? `largest / smallest ${spread.toFixed(2)}` : "not measured",
  });
  return out;
}

/** Iterations behind the published cpu-sha256 figures (the benchmark's payload). */
export const PUBLISHED_SHA256_ITERATIONS = 500_000;

function hostSpeed(tables: CalibrationTable[], sha256Iterations: number | undefined): HostSpeed | undefined {
  const row = tables.find((t) => t.id === "cpu-sha256")?.rows.find((r) => r.memoryMb === RATIO_BASE_MB);
  if (!row?.publishedMs || !sha256Iterations) return undefined;
  const emulatorUsPerIteration = (row.emulatorNetMinMs * 1000) / sha256Iterations;
  const publishedUsPerIteration = (row.publishedMs * 1000) / PUBLISHED_SHA256_ITERATIONS;
  return {
    emulatorUsPerIteration,
    publishedUsPerIteration,
    factor: publishedUsPerIteration / emulatorUsPerIteration,
  };
}

/** Compares the samples of every measured reference with the published figures of `architecture`. */
export function compareCalibration(
  reference: PublishedReference,
  measured: Measurements,
  architecture: Architecture,
  sha256Iterations?: number,
): Comparison {
  const tables: CalibrationTable[] = [];
  for (const ref of reference.references) {
    const bySize = measured.ms[ref.id];
    if (!bySize) continue;
    const source = reference.sources[ref.source];
    const label = source
      ? `${source.repository}@${source.commit.slice(0, 7)} ${ref.path}, measured ${source.measuredOn}`
      : ref.source;
    tables.push(compareOne(ref, bySize, measured.hostWaitMs[ref.id] ?? {}, architecture, label));
  }
  const speed = hostSpeed(tables, sha256Iterations);
  return { architecture, ...(speed ? { hostSpeed: speed } : {}), tables, goals: goals(tables, speed) };
}
