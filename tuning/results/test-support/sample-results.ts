/**
 * A realistic results.json for tests and report development: seven settings on two architectures, one
 * failed (128 MB timed out under load), an SLO, bootstrap intervals, costs from the cost model and the
 * recommendations the strategies make. Every call returns a fresh object, so tests may mutate it.
 */
import type { LatencySummary, TimelinePoint } from "../../../loadtests/run-result.ts";
import { coldStartSensitivity } from "../../core/cold-start-sensitivity.ts";
import { mapInterval } from "../../core/statistics.ts";
import { recommend } from "../../core/strategies.ts";
import {
  type Architecture,
  RESULTS_SCHEMA_VERSION,
  type Results,
  type SettingResult,
} from "../results-types.ts";
import { latencyAround, localRun, okSetting, priceOf, roundTo, timelineOf } from "./setting-builder.ts";

const START_MS = Date.UTC(2026, 10, 27, 2, 10, 0);
const LOAD_SECONDS = 30;
const RATE_PER_SEC = 50;
const SLOT_MS = 60_000;

interface Shape {
  architecture: Architecture;
  memoryMb: number;
  /** Mean billed duration per invocation (ms), INIT included. */
  billedMeanMs: number;
  /** Client-side p95 (ms). */
  p95Ms: number;
  coldStarts: number;
  errorRate: number;
}

const SHAPES: Shape[] = [
  { architecture: "x86_64", memoryMb: 256, billedMeanMs: 61.4, p95Ms: 118, coldStarts: 2, errorRate: 0 },
  { architecture: "x86_64", memoryMb: 512, billedMeanMs: 29.8, p95Ms: 64, coldStarts: 2, errorRate: 0 },
  { architecture: "x86_64", memoryMb: 1024, billedMeanMs: 15.2, p95Ms: 38, coldStarts: 1, errorRate: 0 },
  { architecture: "x86_64", memoryMb: 1769, billedMeanMs: 9.9, p95Ms: 29, coldStarts: 1, errorRate: 0 },
  { architecture: "x86_64", memoryMb: 2048, billedMeanMs: 9.6, p95Ms: 28, coldStarts: 1, errorRate: 0.0007 },
  { architecture: "arm64", memoryMb: 512, billedMeanMs: 32.1, p95Ms: 69, coldStarts: 2, errorRate: 0 },
];

/** Latencies around the client-side p95 (ms). */
function latency(count: number, p95Ms: number): LatencySummary {
  const ratios = { minMs: 0.3, meanMs: 0.55, p50Ms: 0.5, p90Ms: 0.85, p99Ms: 1.6, p999Ms: 2.4, maxMs: 3.1 };
  return latencyAround(count, "p95Ms", p95Ms, ratios, 2);
}

const round = (value: number, digits = 2): number => roundTo(value, digits);

function timeline(requests: number, errors: number, p95Ms: number): TimelinePoint[] {
  return timelineOf(LOAD_SECONDS, (second) => ({
    requests: requests / LOAD_SECONDS,
    errors: second === 7 ? errors : 0,
    p95Ms: round(p95Ms * (second < 2 ? 1.8 : 1)),
  }));
}

function measuredSetting(shape: Shape, index: number): SettingResult {
  const { architecture, memoryMb, billedMeanMs, p95Ms, coldStarts, errorRate } = shape;
  const requests = LOAD_SECONDS * RATE_PER_SEC;
  const errorCount = Math.round(requests * errorRate);
  const readRequestUnits = requests * 0.3;
  const writeRequestUnits = requests * 0.6;
  const costAt = (billedDurationMeanMs: number) =>
    priceOf({
      architecture,
      memoryMb,
      billedDurationMeanMs,
      readRequestUnitsPerRequest: readRequestUnits / requests,
      writeRequestUnitsPerRequest: writeRequestUnits / requests,
    });
  // Billed-duration interval ±4 %; the cost interval is that interval mapped through the cost model, as the
  // sweep computes it.
  const billedInterval = {
    low: round(billedMeanMs * 0.96),
    high: round(billedMeanMs * 1.04),
    level: 0.95,
  };
  return okSetting({
    architecture,
    memoryMb,
    index,
    startMs: START_MS + index * SLOT_MS,
    loadSeconds: LOAD_SECONDS,
    ratePerSec: RATE_PER_SEC,
    errorCount,
    latency: latency(requests, p95Ms),
    operations: {
      create: { requests: requests * 0.3, errorRate: 0, latency: latency(requests * 0.3, p95Ms * 1.1) },
      read: { requests: requests * 0.5, errorRate: 0, latency: latency(requests * 0.5, p95Ms * 0.9) },
      update: { requests: requests * 0.2, errorRate: 0, latency: latency(requests * 0.2, p95Ms * 1.05) },
    },
    timeline: timeline(requests, errorCount, p95Ms),
    billedMeanMs,
    lambda: {
      maxConcurrentExecutions: Math.max(1, Math.ceil((RATE_PER_SEC * p95Ms) / 1000)),
      durationRatios: { avg: 0.93, p50: 0.8, p90: 1.4, p99: 3.2, max: 12 },
      coldStarts,
      initDurationMs: { mean: 212.5, max: 248.1 },
      maxMemoryUsedMb: 84,
    },
    apiGateway: {
      latencyMs: { avg: round(p95Ms * 0.6), p50: round(p95Ms * 0.5), p99: round(p95Ms * 1.6) },
      integrationLatencyMs: { avg: round(p95Ms * 0.5) },
    },
    readRequestUnits,
    writeRequestUnits,
    cost: costAt(billedMeanMs),
    stats: {
      billedDurationMeanMs: billedInterval,
      p95Ms: { low: round(p95Ms * 0.92), high: round(p95Ms * 1.08), level: 0.95 },
      costPerMillionUsd: mapInterval(billedInterval, (ms) => round(costAt(ms).totalPerMillionUsd, 6)),
    },
    gate: { assertions: 42, meanResponseMs: round(p95Ms * 0.5) },
    digits: 2,
  });
}

function failedSetting(): SettingResult {
  const startMs = START_MS - SLOT_MS;
  return {
    id: "x86_64-128",
    memoryMb: 128,
    architecture: "x86_64",
    version: "0",
    status: "failed",
    failures: [
      {
        kind: "error-rate",
        message:
          "error rate 0.184 over the threshold 0.05: 276 of 1500 requests timed out (Task timed out after 3.00 seconds)",
      },
      { kind: "timeout", message: "276 invocations hit the function timeout of 3000 ms" },
    ],
    window: { startMs, endMs: startMs + LOAD_SECONDS * 1000 },
    gate: {
      passed: false,
      assertions: 42,
      failedAssertions: 3,
      failures: ["create item: status is 201: expected 201, got 504"],
      meanResponseMs: 1830,
    },
  };
}

/** Build the sample results. The recommendations are those `recommend` makes for the settings and SLO. */
export function sampleResults(): Results {
  const settings = [failedSetting(), ...SHAPES.map((shape, index) => measuredSetting(shape, index))];
  const slo = { p99Ms: 80, errorRate: 0.001 };
  const last = settings[settings.length - 1];
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    run: {
      ...localRun({
        id: "2026-11-27T02-09-00Z-ab12",
        startedAt: new Date(START_MS - SLOT_MS - 5_000).toISOString(),
        endedAt: new Date((last?.window.endMs ?? START_MS) + 5_000).toISOString(),
        gitRevision: "d8e51fe",
        apiUrl: "http://127.0.0.1:39001/prod",
        toolVersions: { node: "v20.20.2", powerbench: "0.1.0", newman: "6.2.2" },
      }),
      slo,
      coldStartRate: { source: "measured" },
      coldStartSensitivity: coldStartSensitivity(settings, "us-east-1", { slo, balancedWeight: 0.5 }),
    },
    settings,
    recommendations: recommend(settings, { slo, balancedWeight: 0.5 }),
  };
}
