/**
 * Load ports of the sweep in API mode: the load engine (built-in or k6) driving the workload through the
 * stage's API URL. Common random numbers: one measured request sequence, built once from the configured seed,
 * is replayed at every setting against the same table state (tuning/adapters/table-state.ts); the warm-up replays its
 * own, disjoint sequence of reads and lists, which leaves the table as it found it.
 */

import { runK6Script } from "../../loadtests/engines/k6/user-script.ts";
import { type LoadEngine, type LoadRunOptions, overridesOf } from "../../loadtests/engines/port.ts";
import { type ProfileName, peakRatePerSec, resolveProfile } from "../../loadtests/profiles.ts";
import { type RequestSequence, reuseGapFor } from "../../loadtests/request-sequence.ts";
import { ArrivalSchedule } from "../../loadtests/schedule.ts";
import { CRUD_WORKLOAD_PATH, loadWorkloadFile } from "../../loadtests/workload/file.ts";
import { buildWorkloadSequence, type CompiledWorkload } from "../../loadtests/workload/plan.ts";
import type { LoadPort, TableStatePort } from "../sweep.ts";
import { ApiTableState, type SnapshotTableOptions, SnapshotTableState } from "./table-state.ts";

/** The table a workload file or a k6 script changes, put back by snapshot (tuning/adapters/table-state.ts). */
export type SnapshotTarget = Omit<SnapshotTableOptions, "apiUrl">;

export interface ApiLoadOptions {
  apiUrl: string;
  profile: string;
  seed: number;
  warmupS: number;
  ratePerSec?: number;
  durationS?: number;
  /**
   * Items seeded before the first setting for reads, updates and deletes to target, with the bundled CRUD
   * workload (a workload file says its own). @default the CRUD workload file's: 64
   */
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
  /**
   * A workload file (loadtests/workload/file.ts), replayed at every setting; the table is put back through the
   * API (reset: api) or by snapshot (`snapshot` says where the table is). @default loadtests/workload/crud.yaml
   */
  workload?: CompiledWorkload;
  /** The table to snapshot; needed with `workload`. */
  snapshot?: SnapshotTarget;
  /**
   * Put the table back by snapshot even for a workload that can be reset through the API (reset: api), when
   * `snapshot` is given: the local stage's, whose DynamoDB is the stage's own dynalite, where a direct write
   * costs a fraction of a request through the API and the setting's environments (docs/workload.md). @default false
   */
  preferSnapshotReset?: boolean;
  /**
   * Requests in flight at most during the warm-up (tuning/sweep/warmup.ts `warmupConcurrency`): a bounded warm-up
   * starts about this many environments instead of one per request that arrives during the first INITs. The
   * API table reset then runs with one fewer, leaving an environment for the gate. @default the profile's
   * maxInFlight (the profile's own warm-up, as `--cold-start-rate measured` needs)
   */
  warmupMaxInFlight?: number;
}

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
  workload: CompiledWorkload,
  idPrefix: string,
  seed: number,
): RequestSequence {
  const profile = resolveProfile(runOptions.profile, overridesOf(runOptions));
  return buildWorkloadSequence(workload, {
    seed,
    kind,
    count: new ArrivalSchedule(profile).totalIterations,
    reuseGapRequests: reuseGapFor(peakRatePerSec(profile)),
    idPrefix,
  });
}

/** The bundled CRUD workload file, with `preseedItems` seeded items when given. */
function defaultWorkload(preseedItems: number | undefined): CompiledWorkload {
  const crud = loadWorkloadFile(CRUD_WORKLOAD_PATH);
  return preseedItems === undefined
    ? crud
    : { ...crud, seed: crud.seed.map((s) => ({ ...s, count: preseedItems })) };
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
      ? {
          durationMs: Math.max(500, options.warmupS * 1000),
          ...(options.warmupMaxInFlight !== undefined ? { maxInFlight: options.warmupMaxInFlight } : {}),
        }
      : options.durationS !== undefined
        ? { durationMs: options.durationS * 1000 }
        : {}),
  });
  const idPrefix = `pb${options.seed.toString(36)}${options.runTag ?? ""}`;
  const workload = options.workload ?? defaultWorkload(options.preseedItems);
  const measured = sequenceFor("measure", base("measure"), workload, idPrefix, options.seed);
  const warmup = sequenceFor("warmup", base("warmup"), workload, idPrefix, options.seed);
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
  const tableState: TableStatePort = !crn
    ? { prepare: async () => {}, reset: async () => {}, cleanup: async () => {} }
    : workload.reset === "api" && !(options.preferSnapshotReset === true && options.snapshot)
      ? new ApiTableState(measured, {
          apiUrl: options.apiUrl,
          ...(options.warmupMaxInFlight !== undefined
            ? { concurrency: Math.max(1, options.warmupMaxInFlight - 1) }
            : {}),
        })
      : new SnapshotTableState(
          { ...snapshotTarget(options.snapshot), apiUrl: options.apiUrl },
          measured.seedRequests ?? [],
        );
  return { port, measured, warmup, tableState };
}

function snapshotTarget(target: SnapshotTarget | undefined): SnapshotTarget {
  if (!target) throw new RangeError("apiLoad: a workload file needs `snapshot` (the table to put back)");
  return target;
}

export interface K6ScriptLoadOptions {
  apiUrl: string;
  /** The k6 binary and the user's script. */
  binary: string;
  script: string;
  seed: number;
  /** The table the script changes, put back by snapshot after every setting. */
  snapshot: SnapshotTarget;
  /** More -e variables for the script. */
  vars?: Record<string, string>;
  onWarning?: (message: string) => void;
}

/** "x86_64-1024" → its architecture and memory. */
function settingOf(id: string): { id: string; memoryMb: number; architecture: string } {
  const match = /^(.*)-(\d+)$/.exec(id);
  return { id, architecture: match?.[1] ?? "x86_64", memoryMb: Number(match?.[2] ?? 0) };
}

/**
 * The load of a sweep with the user's own k6 script (`--k6-script`): the script runs once per setting with the
 * setting as -e variables (loadtests/engines/k6/user-script.ts); the table is put back by snapshot between settings. No
 * warm-up: the sweep runs with `warmup: false`, the script's own ramp is its warm-up.
 */
export function k6ScriptLoad(options: K6ScriptLoadOptions): { port: LoadPort; tableState: TableStatePort } {
  const port: LoadPort = async ({ settingId, signal }) =>
    runK6Script({
      binary: options.binary,
      script: options.script,
      target: options.apiUrl,
      setting: settingOf(settingId),
      seed: options.seed,
      signal,
      ...(options.vars ? { vars: options.vars } : {}),
      ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    });
  return { port, tableState: new SnapshotTableState({ ...options.snapshot, apiUrl: options.apiUrl }) };
}
