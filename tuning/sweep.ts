/**
 * The sweep: for each round (rotating order, tuning/core/rounds.ts), for each setting: configure → prime → warm up
 * → load → reset beside collect, gate and cold starts (tuning/sweep/round.ts); then each
 * setting's rounds pooled and assessed, and the function restored whatever happened (success, error, abort).
 * A failing setting is recorded and the sweep goes on.
 * I/O goes through ports (the AWS clients, a load runner, a gate), so the same loop runs on the local
 * stage, on AWS, with the built-in engine, k6 or direct invocations.
 */
import type { RunResult } from "../loadtests/run-result.ts";
import type { AwsClients } from "./adapters/aws-clients.ts";
import {
  FunctionConfigurator,
  type JournalOptions,
  type OriginalConfiguration,
} from "./adapters/configure.ts";
import type { Setting } from "./config/plan.ts";
import type { PricingOptions } from "./core/cost-model.ts";
import { roundOrder } from "./core/rounds.ts";
import { describeError } from "./errors.ts";
import type { GateOutcome, SettingResult } from "./results/results-types.ts";
import type { Stage } from "./stage.ts";
import { finishSetting, measureRound, type SettingState, type SweepContext } from "./sweep/round.ts";

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

export interface SweepOutcome {
  settings: SettingResult[];
  original?: OriginalConfiguration;
  aborted: boolean;
  /** Set when the function could not be restored: the user must act on it. */
  restoreError?: string;
  /** The setting the alias was left on (auto-apply), if any. */
  applied?: { settingId: string; version: string };
  /** Set when the items the run created could not all be deleted at the end. */
  cleanupError?: string;
}

export { durationsFromReports, missingRequestIdHeader, SWEEP_DEFAULTS } from "./sweep/collect-window.ts";

/**
 * Runs the sweep. Never throws for a setting's failure; throws only when the function cannot even be read
 * (snapshot). The function is restored in every exit path, and the versions the run published are deleted.
 */
export async function runSweep(options: SweepOptions, ports: SweepPorts): Promise<SweepOutcome> {
  const configurator = new FunctionConfigurator(
    ports.clients.lambda,
    options.stage.functionName,
    options.stage.alias,
    // The local stage finishes a configuration update in ~100 ms: poll it faster than AWS.
    {
      ...(options.stage.name === "local" ? { poll: { minDelayS: 0.1, maxDelayS: 1 } } : {}),
      ...(options.journal ? { journal: options.journal } : {}),
    },
  );
  const original = await configurator.snapshot();
  const settings: SettingResult[] = [];
  const ctx: SweepContext = {
    configurator,
    options,
    ports,
    rounds: Math.max(1, options.rounds ?? 1),
    assessOptions: {
      region: options.stage.region,
      apiType: options.apiType,
      maxErrorRate: options.maxErrorRate,
      discardTopBottom: options.discardTopBottom,
      stageName: options.stage.name,
      ...(options.pricing ? { pricing: options.pricing } : {}),
      ...(options.coldStartRate !== undefined ? { coldStartRate: options.coldStartRate } : {}),
    },
  };
  const states: SettingState[] = options.settings.map((setting, index) => ({
    setting,
    index,
    versionsUsed: [],
    failures: [],
    rounds: [],
  }));
  const visited = new Set<SettingState>();
  let restoreError: string | undefined;
  let applied: SweepOutcome["applied"];
  let cleanupError: string | undefined;
  try {
    // Every setting starts from the measured sequence's table state: its preseed items, nothing it creates.
    await ports.tableState?.prepare();
    try {
      rounds: for (const [round, order] of roundOrder(states.length, ctx.rounds).entries()) {
        for (const [position, i] of order.entries()) {
          // A lost network ends the run: every further call would wait for its timeout too.
          if (options.signal?.aborted || ports.clients.reachability.lost) break rounds;
          const state = states[i] as SettingState;
          if (state.result) continue;
          visited.add(state);
          await measureRound(state, round, position, ctx);
        }
      }
    } finally {
      // In plan order: every setting that ran at least part of a round, its rounds pooled.
      for (const state of states) if (visited.has(state)) settings.push(finishSetting(state, ctx));
    }
  } finally {
    if (ports.tableState) {
      try {
        await ports.tableState.cleanup();
      } catch (error) {
        cleanupError = describeError(error);
      }
    }
    const winner = options.signal?.aborted ? undefined : options.applyAtEnd?.(settings);
    options.onProgress?.({
      settingId: "-",
      index: settings.length,
      total: options.settings.length,
      phase: "restore",
    });
    try {
      await configurator.restore();
    } catch (error) {
      restoreError = describeError(error);
    }
    if (winner && !restoreError) {
      try {
        const version = await configurator.apply(winner);
        // The winner's version stays: it is what the alias now serves.
        configurator.createdVersions.length = 0;
        applied = { settingId: winner.id, version };
      } catch (error) {
        restoreError = `auto-apply of ${winner.id} failed, the function was left as it was: ${describeError(error)}`;
      }
    }
  }
  return {
    settings,
    original,
    aborted: options.signal?.aborted ?? false,
    ...(restoreError ? { restoreError } : {}),
    ...(applied ? { applied } : {}),
    ...(cleanupError ? { cleanupError } : {}),
  };
}
