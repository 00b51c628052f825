/**
 * Load ports of the sweep in API mode: the load engine (built-in or k6) driving the workload through the
 * stage's API URL. Common random numbers: one measured request sequence, built once from the configured seed,
 * is replayed at every setting against the same table state (tuning/table-state.ts); the warm-up replays its
 * own, disjoint sequence of reads and lists, which leaves the table as it found it.
 */
import { ArrivalSchedule } from "../loadtests/engine/schedule.ts";
import { type LoadEngine, type LoadRunOptions, overridesOf } from "../loadtests/load-engine.ts";
import { type ProfileName, peakRatePerSec, resolveProfile } from "../loadtests/profiles.ts";
import { buildRequestSequence, type RequestSequence, reuseGapFor } from "../loadtests/request-sequence.ts";
import type { LoadPort, TableStatePort } from "./sweep.ts";
import { TableState } from "./table-state.ts";

export interface ApiLoadOptions {
  apiUrl: string;
  profile: string;
  seed: number;
  warmupS: number;
  ratePerSec?: number;
  durationS?: number;
  /** Items created before the first setting for reads, updates and deletes to target. @default 64 */
  preseedItems?: number;
  /**
   * [a-z0-9] characters that keep this run's ids apart from another run's on the same table. @default ""
   * (ids depend on the seed alone, so two runs with one seed scan the same items: list units repeat too;
   * two runs with one seed at once on one table would share ids)
   */
  runTag?: string;
  /**
   * false: the behaviour before common random numbers, kept for the repeatability benchmark's side-by-side
   * (tuning/repeatability.perf.ts): each run draws its own sequence from a seed derived per run, and the
   * table is not put back. @default true
   */
  commonRandomNumbers?: boolean;
}

export const API_LOAD_DEFAULTS = { preseedItems: 64 } as const;

export interface ApiLoad {
  port: LoadPort;
  /** The sequence every setting's measured window replays. */
  measured: RequestSequence;
  warmup: RequestSequence;
  /** Puts the table in the sequence's starting state (before the first setting, after each one). */
  tableState: TableStatePort;
}

function sequenceFor(
  kind: "measure" | "warmup",
  runOptions: LoadRunOptions,
  options: ApiLoadOptions,
  idPrefix: string,
): RequestSequence {
  const profile = resolveProfile(runOptions.profile, overridesOf(runOptions));
  return buildRequestSequence({
    seed: options.seed,
    kind,
    count: new ArrivalSchedule(profile).totalIterations,
    workload: profile.workload ?? {},
    preseedCount: options.preseedItems ?? API_LOAD_DEFAULTS.preseedItems,
    reuseGapRequests: reuseGapFor(peakRatePerSec(profile)),
    idPrefix,
  });
}

/**
 * The API-mode load of a sweep.
 *
 * @example const load = apiLoad(engine, { apiUrl, profile: "baseline", seed: 1, warmupS: 1 }); await runSweep(options, { clients, load: load.port, tableState: load.tableState })
 */
export function apiLoad(engine: LoadEngine, options: ApiLoadOptions): ApiLoad {
  const base = (kind: "warmup" | "measure"): LoadRunOptions => ({
    target: options.apiUrl,
    profile: options.profile as ProfileName,
    seed: options.seed,
    ...(options.ratePerSec !== undefined ? { ratePerSec: options.ratePerSec } : {}),
    ...(kind === "warmup"
      ? { durationMs: Math.max(500, options.warmupS * 1000) }
      : options.durationS !== undefined
        ? { durationMs: options.durationS * 1000 }
        : {}),
  });
  const idPrefix = `pb${options.seed.toString(36)}${options.runTag ?? ""}`;
  const measured = sequenceFor("measure", base("measure"), options, idPrefix);
  const warmup = sequenceFor("warmup", base("warmup"), options, idPrefix);
  let runs = 0;
  const crn = options.commonRandomNumbers ?? true;
  const port: LoadPort = async ({ kind, signal, onProgress }) => {
    runs += 1;
    return engine.run({
      ...base(kind),
      // The same sequence (and seed) at every setting: common random numbers. Without: a seed per run.
      ...(crn
        ? { sequence: kind === "warmup" ? warmup : measured }
        : { seed: (options.seed * 1_000_003 + runs) >>> 0 }),
      signal,
      ...(onProgress ? { onProgress } : {}),
    });
  };
  const tableState = crn
    ? new TableState(measured, { apiUrl: options.apiUrl })
    : { prepare: async () => {}, reset: async () => {}, cleanup: async () => {} };
  return { port, measured, warmup, tableState };
}
