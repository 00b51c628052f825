/**
 * Results fixtures of any size (the report tests): any number of settings on both architectures, with failed
 * or distorted settings on demand. Figures follow the shape of real sweeps (duration falls with memory until
 * one vCPU, cost falls then rises); costs come from the real cost model and price table, recommendations
 * from the real `recommend()`, as in the fixed realistic sample beside it (`sampleResults()`).
 */
import type { LatencySummary, TimelinePoint } from "../../../loadtests/run-result.ts";
import { recommend } from "../../core/strategies.ts";
import {
  type Architecture,
  RESULTS_SCHEMA_VERSION,
  type Results,
  type SettingResult,
} from "../results-types.ts";
import { latencyAround, localRun, okSetting, priceOf, roundTo, timelineOf } from "./setting-builder.ts";

export const MEMORY_SIZES_MB = [128, 256, 384, 512, 768, 1024, 1536, 1769, 2048, 3008, 4096, 10240] as const;
const START_MS = Date.UTC(2026, 10, 27, 2, 10, 0);
const LOAD_SECONDS = 20;
const RATE_PER_SEC = 40;

export interface FixtureOptions {
  /** Architectures × memory sizes to include, in this order. @default both architectures, 4 sizes */
  settings?: Array<{ architecture: Architecture; memoryMb: number }>;
  /** Setting ids to mark as failed (no measurements, failures with messages). */
  failed?: string[];
  /** Setting ids to mark as distorted. */
  distorted?: string[];
}

const round = (value: number, digits = 3): number => roundTo(value, digits);

/** Latencies around the median (ms). */
function latency(count: number, p50Ms: number): LatencySummary {
  const ratios = { minMs: 0.5, meanMs: 1.1, p90Ms: 1.6, p95Ms: 1.9, p99Ms: 2.8, p999Ms: 4, maxMs: 6 };
  return latencyAround(count, "p50Ms", p50Ms, ratios, 3);
}

function timeline(requests: number, errors: number, p95Ms: number): TimelinePoint[] {
  return timelineOf(LOAD_SECONDS, (second) => ({
    requests: Math.round(requests / LOAD_SECONDS + (second % 3) - 1),
    errors: second === 5 ? errors : 0,
    p95Ms: round(p95Ms * (second === 0 ? 2 : 1)),
  }));
}

function measuredSetting(architecture: Architecture, memoryMb: number, index: number): SettingResult {
  const cpuShare = Math.min(1, memoryMb / 1769);
  const billedMeanMs = round((architecture === "arm64" ? 9 : 8) / cpuShare + 3, 2);
  const p50Ms = round(billedMeanMs + 6, 2);
  const requests = LOAD_SECONDS * RATE_PER_SEC;
  const errorCount = memoryMb <= 256 ? 2 : 0;
  // 0.5 RRU and 0.66 WRU per request priced (the measured write units say 0.5).
  const cost = priceOf({
    architecture,
    memoryMb,
    billedDurationMeanMs: billedMeanMs,
    readRequestUnitsPerRequest: 0.5,
    writeRequestUnitsPerRequest: 0.66,
  });
  return okSetting({
    architecture,
    memoryMb,
    index,
    startMs: START_MS + index * 45_000,
    loadSeconds: LOAD_SECONDS,
    ratePerSec: RATE_PER_SEC,
    errorCount,
    latency: latency(requests, p50Ms),
    operations: { read: { requests, errorRate: errorCount / requests, latency: latency(requests, p50Ms) } },
    timeline: timeline(requests, errorCount, p50Ms * 1.9),
    billedMeanMs,
    lambda: {
      maxConcurrentExecutions: 2,
      durationRatios: { avg: 0.9, p50: 0.8, p90: 1.5, p99: 3, max: 10 },
      coldStarts: 2,
      initDurationMs: { mean: round(150 + 40 / cpuShare, 1), max: round(180 + 50 / cpuShare, 1) },
      maxMemoryUsedMb: 80,
    },
    apiGateway: {
      latencyMs: { avg: p50Ms, p50: p50Ms, p99: round(p50Ms * 2.8) },
      integrationLatencyMs: { avg: round(p50Ms * 0.9) },
    },
    readRequestUnits: requests * 0.5,
    writeRequestUnits: requests * 0.5,
    cost,
    stats: {
      billedDurationMeanMs: {
        low: round(billedMeanMs * 0.95),
        high: round(billedMeanMs * 1.05),
        level: 0.95,
      },
      p95Ms: { low: round(p50Ms * 1.8), high: round(p50Ms * 2.05), level: 0.95 },
      costPerMillionUsd: {
        low: round(cost.totalPerMillionUsd * 0.99, 5),
        high: round(cost.totalPerMillionUsd * 1.01, 5),
        level: 0.95,
      },
    },
    gate: { assertions: 30, meanResponseMs: p50Ms },
    digits: 3,
  });
}

function failedSetting(setting: SettingResult): SettingResult {
  return {
    id: setting.id,
    memoryMb: setting.memoryMb,
    architecture: setting.architecture,
    status: "failed",
    failures: [{ kind: "oom", message: `Runtime exited: out of memory at ${setting.memoryMb} MB` }],
    window: setting.window,
  };
}

/** Results with the given settings (default: 4 on each architecture). A fresh object each call. */
export function makeResults(options: FixtureOptions = {}): Results {
  const wanted = options.settings ?? [
    ...[256, 512, 1024, 2048].map((memoryMb) => ({ architecture: "x86_64" as const, memoryMb })),
    ...[256, 512, 1024, 2048].map((memoryMb) => ({ architecture: "arm64" as const, memoryMb })),
  ];
  const settings = wanted.map(({ architecture, memoryMb }, index) => {
    const setting = measuredSetting(architecture, memoryMb, index);
    const withStatus = options.failed?.includes(setting.id) ? failedSetting(setting) : setting;
    return options.distorted?.includes(setting.id)
      ? { ...withStatus, distorted: { reason: "host CPU above 90 % during the load window" } }
      : withStatus;
  });
  const endMs = settings.at(-1)?.window.endMs ?? START_MS;
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: localRun({
      id: "2026-11-27T02-10-00Z-fx01",
      startedAt: new Date(START_MS - 2000).toISOString(),
      endedAt: new Date(endMs + 2000).toISOString(),
      apiUrl: "http://127.0.0.1:40000/prod",
      toolVersions: { node: "v20.20.2", powerbench: "0.1.0" },
    }),
    settings,
    recommendations: recommend(settings, { balancedWeight: 0.5 }),
  };
}

/** Every memory size on both architectures: 24 settings. */
export function manySettings(): Array<{ architecture: Architecture; memoryMb: number }> {
  return (["x86_64", "arm64"] as const).flatMap((architecture) =>
    MEMORY_SIZES_MB.map((memoryMb) => ({ architecture, memoryMb })),
  );
}
