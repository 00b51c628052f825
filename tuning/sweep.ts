/**
 * The sweep: for each round (rotating order, tuning/core/rounds.ts), for each setting: configure → prime → warm up
 * → load → reset beside collect, gate and cold starts (tuning/sweep/round.ts); then each
 * setting's rounds pooled and assessed, and the function restored whatever happened (success, error, abort).
 * A failing setting is recorded and the sweep goes on.
 * I/O goes through ports (the AWS clients, a load runner, a gate), so the same loop runs on the local
 * stage, on AWS, with the built-in engine, k6 or direct invocations.
 */
import { FunctionConfigurator, type OriginalConfiguration } from "./adapters/configure.ts";
import { roundOrder } from "./core/rounds.ts";
import { describeError } from "./errors.ts";
import type { SettingResult } from "./results/results-types.ts";
import { finishSetting, measureRound, type SettingState, type SweepContext } from "./sweep/round.ts";
import type { SweepOptions, SweepPorts } from "./sweep/sweep-types.ts";

export type {
  GatePort,
  LoadPort,
  LoadRequest,
  SweepOptions,
  SweepPhase,
  SweepPorts,
  SweepProgress,
  TableStatePort,
} from "./sweep/sweep-types.ts";

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
