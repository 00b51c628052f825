/**
 * The sweep's types: its options, ports and progress events. Kept apart from tuning/sweep.ts (which
 * re-exports them) so the round (round.ts) and the measured window (collect-window.ts), which the sweep
 * imports, depend on them without importing the sweep back. Types only.
 */
import type { RunResult } from "../../loadtests/run-result.ts";
import type { AwsClients } from "../adapters/aws-clients.ts";
import type { JournalOptions } from "../adapters/configure.ts";
import type { Setting } from "../config/plan.ts";
import type { PricingOptions } from "../core/cost-model.ts";
import type { GateOutcome, SettingResult } from "../results/results-types.ts";
import type { Stage } from "../stage.ts";

export type SweepPhase = "configure" | "warmup" | "load" | "gate" | "collect" | "done" | "failed" | "restore";

export interface SweepProgress {
  settingId: string;
  index: number;
  total: number;
  phase: SweepPhase;
  requests?: number;
  errors?: number;
  elapsedMs?: number;
  message?: string;
  /** With rounds: this round (1-based) of how many. */
  round?: number;
  rounds?: number;
}

export interface LoadRequest {
  kind: "warmup" | "measure";
  settingId: string;
  /** The published version the alias points at (direct mode invokes it). */
  version: string;
  signal: AbortSignal;
  onProgress?: (p: { elapsedMs: number; requests: number; errors: number }) => void;
  /** Publishes another version of this setting whose first invocation is cold (only-cold-starts mode). */
  freshVersion: () => Promise<string>;
}

/** Runs load against the stage for one setting: the built-in engine, k6, or direct invocations. */
export type LoadPort = (request: LoadRequest) => Promise<RunResult>;
/** Runs the functional gate (Newman) against the API at one setting. */
export type GatePort = (request: { settingId: string; signal: AbortSignal }) => Promise<GateOutcome>;

/** Puts the table in the measured sequence's starting state (common random numbers; tuning/adapters/table-state.ts). */
export interface TableStatePort {
  /** Before the first setting. */
  prepare(): Promise<void>;
  /** After each setting's load and gate. */
  reset(): Promise<void>;
  /** At the end of the run, whatever happened. */
  cleanup(): Promise<void>;
  /**
   * Whether `reset` may run while the gate sends its requests: true when it touches only what it planned (the API
   * reset), false when it puts back the whole table (a snapshot: it would delete what the gate is working on, or
   * miss what the gate creates after its scan). @default true
   */
  readonly besideGate?: boolean;
}

export interface SweepPorts {
  clients: AwsClients;
  load: LoadPort;
  gate?: GatePort;
  tableState?: TableStatePort;
  sleep?: (ms: number) => Promise<void>;
}

export interface SweepOptions {
  stage: Stage;
  settings: Setting[];
  /** A setting over this client error rate fails. */
  maxErrorRate: number;
  discardTopBottom: number;
  /** Cold starts per request INIT is priced at, or "measured" at each setting. @default DEFAULT_COLD_START_RATE */
  coldStartRate?: number | "measured";
  /** null in direct mode (no API Gateway in the path). */
  apiType: "REST" | "HTTP" | null;
  /** The price table, monthly volume and free tier the settings are priced with. @default the snapshot */
  pricing?: PricingOptions;
  /** The load invokes the setting's version directly (direct mode), not the alias the API uses. */
  invokesVersion?: boolean;
  /**
   * Rounds per setting, in rotating order (A B C, B C A, C A B): each setting's measured load runs this many
   * times (the load port's measured sequence each time, the table put back after each), and the rounds are
   * pooled. @default 1
   */
  rounds?: number;
  /** Warm-up load before each measured window. @default true */
  warmup?: boolean;
  /**
   * Invoke a setting's new version once before its first warm-up, so the warm-up traffic finds a warm
   * environment instead of starting one per request during the first INIT (tuning/sweep/warmup.ts). Opt-in: it
   * halved the warm-up's cold starts and time, but the environments it did not start were then started after
   * the window (the gate, the table reset) or in it, so the setting's overhead did not fall (docs/perf.md).
   * @default false
   */
  primeVersion?: boolean;
  /**
   * Run the Newman gate and the deliberate cold starts beside the warm-up (true) instead of after the window,
   * beside the table reset and the collect (false). Measured on the default bench (docs/perf.md): beside the
   * warm-up of a freshly published version they overlap its first requests, so the version started about
   * twice the environments and the setting took longer (254 s against 218 s a run, host load 15–26).
   * @default false
   */
  gateBesideWarmup?: boolean;
  /** Deliberate cold starts per setting (fresh versions, one invocation each) that measure INIT. @default 0 */
  coldStarts?: number;
  /** How long to keep re-querying CloudWatch until it has every invocation (AWS ingestion delay). */
  collectTimeoutMs?: number;
  /** Pause between re-queries. */
  collectRetryMs?: number;
  /** Point the alias at this setting at the end instead of its original version (auto-apply). */
  applyAtEnd?: (settings: SettingResult[]) => Setting | undefined;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /** Keep a restore journal: written before the first change, closed once the function is restored. */
  journal?: JournalOptions;
}
