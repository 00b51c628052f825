/**
 * One setting across its rounds (the sweep's inner step): a round configures (or points the alias back),
 * warms up, runs the measured load, then puts the table back beside reading the window, the gate and
 * the deliberate cold starts; `finishSetting` pools a setting's rounds (tuning/core/rounds.ts) and assesses
 * them as one (tuning/core/assess.ts).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { UpdateAliasCommand } from "@aws-sdk/client-lambda";
import type { RunResult } from "../../loadtests/run-result.ts";
import { formatPercent } from "../../reports/format.ts";
import { collectLogs, type LogFindings, type Window } from "../adapters/collect.ts";
import type { FunctionConfigurator } from "../adapters/configure.ts";
import { collectHostContention } from "../adapters/host-contention.ts";
import { busyFraction, DISTORTION_BUSY_FRACTION, readCpuTicks } from "../adapters/host-cpu.ts";
import type { Setting } from "../config/plan.ts";
import { type AssessInput, type AssessOptions, assessSetting } from "../core/assess.ts";
import { latencySamplesMs } from "../core/client-samples.ts";
import { poolApiGateway, poolLambdaMetrics, poolLogs, poolRuns } from "../core/rounds.ts";
import { describeError } from "../errors.ts";
import type {
  GateOutcome,
  HostContention,
  SettingFailure,
  SettingResult,
  SettingRound,
} from "../results/results-types.ts";
import { forceColdStarts } from "./cold-starts.ts";
import {
  type Collected,
  collectWindow,
  durationsFromReports,
  missingRequestIdHeader,
} from "./collect-window.ts";
import type { SweepOptions, SweepPhase, SweepPorts, SweepProgress } from "./sweep-types.ts";
import { drainWarmup, primeVersion } from "./warmup.ts";

type PhaseName = "configure" | "warmup" | "load" | "gate" | "coldStarts" | "reset" | "collect";
type PhaseMs = Partial<Record<PhaseName, number>>;

/** What one round of a setting measured. */
interface RoundMeasurement {
  /** 0-based round and place of the setting in that round's order. */
  round: number;
  position: number;
  run: RunResult;
  window: Window;
  collected?: Collected;
  /** REPORT lines of the version before the window: the priming invocation and the warm-up. */
  warmupLogs?: LogFindings;
  distortedReason?: string;
  hostContention?: HostContention;
  phaseMs: PhaseMs;
  overheadMs: number;
}

/** One setting across its rounds. */
export interface SettingState {
  setting: Setting;
  index: number;
  version?: string;
  /** Versions the measured load ran on: the setting's, plus one per invocation in only-cold-starts mode. */
  versionsUsed: string[];
  failures: SettingFailure[];
  rounds: RoundMeasurement[];
  gate?: GateOutcome;
  coldStartLogs?: LogFindings;
  /** Set when the setting failed before a round could be measured: its result, final. */
  result?: SettingResult;
}

/** Everything a round needs beside its setting. */
export interface SweepContext {
  configurator: FunctionConfigurator;
  options: SweepOptions;
  ports: SweepPorts;
  assessOptions: AssessOptions;
  rounds: number;
}

function addPhases(target: PhaseMs, source: PhaseMs): void {
  for (const [phase, ms] of Object.entries(source) as Array<[PhaseName, number]>)
    target[phase] = (target[phase] ?? 0) + ms;
}

/**
 * One round of one setting. The first visit configures the setting (a new version, the alias on it; with
 * `primeVersion`, one invocation before the warm-up); later visits point the alias back at that version. After
 * the window, at once, so the round waits for the longest of them: the table put back (every round replays the
 * same sequence from the same state), the measured invocations' logs read by request id and, on the first
 * visit only, the Newman gate and the deliberate cold starts (fresh versions, never the alias). Only the
 * measured invocations are priced: priming, warm-up, gate, cold-start and reset invocations never count.
 * (`gateBesideWarmup: true` runs the gate and the cold starts beside the warm-up instead: slower, docs/perf.md.)
 */
export async function measureRound(
  state: SettingState,
  round: number,
  position: number,
  ctx: SweepContext,
): Promise<void> {
  const { options, ports, configurator } = ctx;
  const { setting, index } = state;
  const signal = options.signal ?? new AbortController().signal;
  const pause = ports.sleep ?? sleep;
  const first = state.version === undefined;
  const progress = (phase: SweepPhase, extra: Partial<SweepProgress> = {}) =>
    options.onProgress?.({
      settingId: setting.id,
      index,
      total: options.settings.length,
      phase,
      ...(ctx.rounds > 1 ? { round: round + 1, rounds: ctx.rounds } : {}),
      ...extra,
    });
  const phaseMs: PhaseMs = {};
  const roundStartMs = performance.now();
  const timed = async <T>(phase: PhaseName, job: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await job();
    } finally {
      phaseMs[phase] = (phaseMs[phase] ?? 0) + performance.now() - start;
    }
  };

  progress("configure");
  let version: string;
  try {
    version = await timed("configure", async () => {
      if (state.version === undefined) return configurator.apply(setting);
      // Later rounds: the setting's version is published already; only the alias moves back to it.
      await ports.clients.lambda.send(
        new UpdateAliasCommand({
          FunctionName: options.stage.functionName,
          Name: options.stage.alias,
          FunctionVersion: state.version,
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      );
      return state.version;
    });
  } catch (error) {
    progress("failed", { message: describeError(error) });
    state.result = assessSetting(
      {
        setting,
        window: { startMs: Date.now(), endMs: Date.now() },
        failures: [...state.failures, { kind: "configure", message: describeError(error) }],
      },
      ctx.assessOptions,
    );
    return;
  }
  if (first) {
    state.version = version;
    state.versionsUsed.push(version);
  }
  const freshVersion = async () => {
    const fresh = await configurator.publishFreshVersion(setting);
    state.versionsUsed.push(fresh);
    return fresh;
  };
  const target = {
    functionName: options.stage.functionName,
    alias: options.stage.alias,
    version,
    apiName: options.stage.apiName,
    apiStageName: options.stage.apiStageName,
    apiType: options.stage.apiType,
    ...(options.stage.apiId ? { apiId: options.stage.apiId } : {}),
    ...(options.stage.logGroupName ? { logGroupName: options.stage.logGroupName } : {}),
  };

  // The gate and the cold starts run on a setting's first round only: later rounds record no time for them.
  const gatePort = ports.gate;
  const gateJob = async (): Promise<GateOutcome | undefined> =>
    !first || !gatePort || signal.aborted
      ? undefined
      : timed("gate", async (): Promise<GateOutcome | undefined> => {
          progress("gate");
          try {
            return await gatePort({ settingId: setting.id, signal });
          } catch (error) {
            state.failures.push({
              kind: "other",
              message: `functional gate could not run: ${describeError(error)}`,
            });
            return undefined;
          }
        });
  const coldStartJob = async (): Promise<LogFindings | undefined> =>
    !first || (options.coldStarts ?? 0) <= 0 || signal.aborted
      ? undefined
      : timed("coldStarts", async (): Promise<LogFindings | undefined> => {
          const forced = await forceColdStarts(
            ports.clients.lambda,
            options.stage.functionName,
            options.coldStarts ?? 0,
            () => configurator.publishFreshVersion(setting),
            signal,
          );
          if (forced.error)
            progress("collect", { message: `a deliberate cold start failed: ${forced.error}` });
          if (forced.versions.length === 0) return undefined;
          try {
            // Each fresh version ran exactly one invocation: its streams hold exactly that cold start.
            return await collectLogs(
              ports.clients.logs,
              target,
              { startMs: forced.startedAtMs, endMs: Date.now() },
              forced.versions,
            );
          } catch (error) {
            state.failures.push({
              kind: "collect",
              message: `reading the cold starts' log lines failed: ${describeError(error)}`,
            });
            return undefined;
          }
        });
  const preWindowStartMs = Date.now();
  const warmup = options.warmup !== false;
  // The gate and the deliberate cold starts beside the warm-up (before the window), or after the window.
  const besideWarmup = warmup && options.gateBesideWarmup === true;
  if (warmup && first && options.primeVersion === true) {
    await timed("warmup", async () => {
      progress("warmup");
      const primeError = await primeVersion(ports.clients.lambda, options.stage.functionName, version);
      if (primeError) progress("warmup", { message: `priming the version failed: ${primeError}` });
    });
  }
  const besideJobs = besideWarmup
    ? Promise.all([gateJob(), coldStartJob()])
    : Promise.resolve([undefined, undefined] as const);
  const warmupJob = timed("warmup", async (): Promise<Window | undefined> => {
    if (!warmup) return undefined;
    progress("warmup");
    const startMs = Date.now();
    try {
      const warm = await ports.load({ kind: "warmup", settingId: setting.id, version, signal, freshVersion });
      const window = { startMs, endMs: Date.parse(warm.endedAt) };
      // Requests the engine cut at its graceful stop may still run: wait until the version's REPORT lines
      // settle, so no warm-up invocation runs in the measured window.
      if (warm.iterations.started > warm.iterations.completed)
        window.endMs = await drainWarmup(ports.clients, target, window, options.stage.name, pause, signal);
      return window;
    } catch (error) {
      // A failed warm-up is not fatal: the measured load will show what is wrong.
      progress("warmup", { message: `warm-up failed: ${describeError(error)}` });
      return { startMs, endMs: Date.now() };
    }
  });
  const [warmupWindow, [gateBefore, coldStartsBefore]] = await Promise.all([warmupJob, besideJobs]);
  if (signal.aborted) {
    state.failures.push({ kind: "other", message: abortedMessage(state, ctx.rounds) });
    return;
  }

  progress("load");
  const cpuBefore = readCpuTicks();
  let run: RunResult;
  try {
    run = await timed("load", () =>
      ports.load({
        kind: "measure",
        settingId: setting.id,
        version,
        signal,
        freshVersion,
        onProgress: (p) => progress("load", p),
      }),
    );
  } catch (error) {
    progress("failed", { message: describeError(error) });
    state.result = assessSetting(
      {
        setting,
        version,
        window: { startMs: Date.now(), endMs: Date.now() },
        failures: [...state.failures, { kind: "load", message: describeError(error) }],
      },
      ctx.assessOptions,
    );
    return;
  }
  const busy = busyFraction(cpuBefore, readCpuTicks());
  if (signal.aborted || run.aborted) {
    state.failures.push({
      kind: "load",
      message: "interrupted during its load window: the measurements are partial",
    });
  }
  const window = { startMs: Date.parse(run.startedAt), endMs: Date.parse(run.endedAt) };
  const distortedReason =
    options.stage.name === "local" && busy >= DISTORTION_BUSY_FRACTION
      ? `the host's CPUs were ${formatPercent(busy)} busy during the load window: latencies may measure the host, not the function`
      : undefined;
  if (first) {
    const missingHeader = missingRequestIdHeader(run);
    if (missingHeader) state.failures.push({ kind: "collect", message: missingHeader });
  }

  // After the window, four independent jobs at once, so the round's overhead is the longest of them, not their
  // sum: the table put back for the next round (its own ids), on the setting's first round the Newman gate
  // (through the API) and the deliberate cold starts (fresh versions, never the alias), and the measured
  // invocations' logs (by request id, so the other jobs' invocations do not count).
  const gateAfterJob = besideWarmup ? Promise.resolve(undefined) : gateJob();
  // A reset that puts back the whole table waits for the gate (TableStatePort.besideGate).
  const resetAfter = ports.tableState?.besideGate === false ? gateAfterJob : Promise.resolve(undefined);
  const resetJob = resetAfter.then(() =>
    timed("reset", async () => {
      if (!ports.tableState || signal.aborted) return;
      try {
        await ports.tableState.reset();
      } catch (error) {
        state.failures.push({
          kind: "other",
          message: `the table could not be put back for the next setting: ${describeError(error)}`,
        });
      }
    }),
  );
  const collectJob = timed("collect", async () => {
    progress("collect");
    let collected: Collected | undefined;
    let warmupLogs: LogFindings | undefined;
    try {
      collected = await collectWindow(
        ports.clients,
        options,
        version,
        window,
        run,
        pause,
        state.versionsUsed,
      );
      if (collected.shortfall) progress("collect", { message: collected.shortfall });
    } catch (error) {
      state.failures.push({ kind: "collect", message: `reading CloudWatch failed: ${describeError(error)}` });
    }
    // The REPORT lines before the window (the priming invocation, the warm-up, the gate beside it): the cold
    // starts the setting's unmeasured traffic absorbed.
    if (warmupWindow && collected) {
      try {
        warmupLogs = await collectLogs(
          ports.clients.logs,
          target,
          { startMs: preWindowStartMs, endMs: window.startMs - 1 },
          [version],
        );
      } catch (error) {
        state.failures.push({
          kind: "collect",
          message: `reading the warm-up's log lines failed: ${describeError(error)}`,
        });
      }
    }
    let hostContention: HostContention | undefined;
    // Local stage: could the host give every busy environment its CPU share? (Powerbench/LocalStage metrics)
    if (options.stage.name === "local" && collected) {
      try {
        hostContention = await collectHostContention(
          ports.clients.cloudwatch,
          { ...target, ...(options.invokesVersion ? { invokesVersion: true } : {}) },
          window,
          setting.memoryMb,
        );
      } catch (error) {
        state.failures.push({
          kind: "collect",
          message: `reading the host's contention failed: ${describeError(error)}`,
        });
      }
    }
    return { collected, warmupLogs, hostContention };
  });
  const [, gateAfter, coldStartsAfter, { collected, warmupLogs, hostContention }] = await Promise.all([
    resetJob,
    gateAfterJob,
    besideWarmup ? undefined : coldStartJob(),
    collectJob,
  ]);
  const gate = gateBefore ?? gateAfter;
  const coldStartLogs = coldStartsBefore ?? coldStartsAfter;
  if (gate) state.gate = gate;
  if (coldStartLogs) state.coldStartLogs = coldStartLogs;
  state.rounds.push({
    round,
    position,
    run,
    window,
    ...(collected ? { collected } : {}),
    ...(warmupLogs ? { warmupLogs } : {}),
    ...(distortedReason ? { distortedReason } : {}),
    ...(hostContention ? { hostContention } : {}),
    phaseMs,
    overheadMs: performance.now() - roundStartMs - (phaseMs.load ?? 0),
  });
  // "done" ends each round's line (with rounds, the line names the round).
  progress("done", {
    requests: run.overall.requests,
    errors: run.overall.errorCount,
    ...(state.failures[0] ? { message: state.failures[0].message } : {}),
  });
}

function abortedMessage(state: SettingState, rounds: number): string {
  return rounds > 1 ? `aborted after ${state.rounds.length} of ${rounds} rounds` : "aborted";
}

/** The rounds' host contention as one verdict: the round that waited longest for the host. */
function worstContention(rounds: readonly RoundMeasurement[]): HostContention | undefined {
  let worst: HostContention | undefined;
  for (const r of rounds) {
    if (r.hostContention && (!worst || r.hostContention.hostCpuWaitShare > worst.hostCpuWaitShare))
      worst = r.hostContention;
  }
  return worst;
}

/** Pools the measured rounds of one setting and assesses them as one: the setting's result. */
export function finishSetting(state: SettingState, ctx: SweepContext): SettingResult {
  if (state.result) return state.result;
  const { setting, rounds } = state;
  const failures = [...state.failures];
  if (rounds.length < ctx.rounds && !failures.some((f) => /^(aborted|interrupted)/.test(f.message)))
    failures.push({ kind: "other", message: abortedMessage(state, ctx.rounds) });
  const first = rounds[0];
  const lastRound = rounds[rounds.length - 1];
  if (!first || !lastRound) {
    return assessSetting(
      {
        setting,
        ...(state.version ? { version: state.version } : {}),
        window: { startMs: Date.now(), endMs: Date.now() },
        failures,
      },
      ctx.assessOptions,
    );
  }
  const run = poolRuns(rounds.map((r) => r.run));
  const everyCollected = rounds.every((r) => r.collected);
  const collectedRounds = rounds.map((r) => r.collected).filter((c): c is Collected => c !== undefined);
  const logs = everyCollected ? poolLogs(collectedRounds.map((c) => c.logs)) : undefined;
  const metrics =
    everyCollected && logs
      ? rounds.length === 1
        ? collectedRounds[0]?.metrics
        : {
            ...poolLambdaMetrics(collectedRounds.map((c) => c.metrics)),
            durationMs: durationsFromReports(logs),
          }
      : undefined;
  const apiGateway = everyCollected
    ? poolApiGateway(collectedRounds.map((c) => c.apiGateway).filter((a) => a !== undefined))
    : undefined;
  const attribution = collectedRounds.every((c) => c.attribution === "request-ids")
    ? "request-ids"
    : "window";
  const warmups = rounds.map((r) => r.warmupLogs).filter((w): w is LogFindings => w !== undefined);
  const warmupLogs = warmups.length > 0 ? poolLogs(warmups) : undefined;
  const phaseMs: PhaseMs = {};
  for (const r of rounds) addPhases(phaseMs, r.phaseMs);
  const overheadMs = rounds.reduce((sum, r) => sum + r.overheadMs, 0);
  const distortion = [
    ...new Set(
      [...rounds.map((r) => r.distortedReason), worstContention(rounds)?.reason].filter(
        (reason): reason is string => reason !== undefined,
      ),
    ),
  ].join("; ");
  const input = {
    setting,
    ...(state.version ? { version: state.version } : {}),
    window: { startMs: first.window.startMs, endMs: lastRound.window.endMs },
    run,
    phaseMs,
    overheadMs,
    ...(everyCollected ? { attribution } : {}),
    ...(warmupLogs ? { warmupLogs } : {}),
    ...(state.coldStartLogs ? { coldStartLogs: state.coldStartLogs } : {}),
    ...(metrics && logs ? { metrics, logs } : {}),
    ...(apiGateway ? { apiGateway } : {}),
    ...(state.gate ? { gate: state.gate } : {}),
    failures,
    ...(run.overall.histogram ? { clientSamplesMs: latencySamplesMs(run.overall.histogram) } : {}),
    ...(distortion ? { distortedReason: distortion } : {}),
  } satisfies AssessInput;
  const result = assessSetting(input, ctx.assessOptions);
  const contention = worstContention(rounds);
  if (contention) result.hostContention = contention;
  if (ctx.rounds > 1) result.rounds = rounds.map((r) => roundSummary(state, r, ctx));
  return result;
}

/** One round's own figures (each round assessed alone), for results.json's `rounds`. */
function roundSummary(state: SettingState, r: RoundMeasurement, ctx: SweepContext): SettingRound {
  const alone = assessSetting(
    {
      setting: state.setting,
      window: r.window,
      run: r.run,
      ...(r.collected
        ? { metrics: r.collected.metrics, logs: r.collected.logs, attribution: r.collected.attribution }
        : {}),
      ...(r.warmupLogs ? { warmupLogs: r.warmupLogs } : {}),
      ...(state.coldStartLogs ? { coldStartLogs: state.coldStartLogs } : {}),
      failures: [],
    },
    ctx.assessOptions,
  );
  const latency = r.run.overall.latency;
  return {
    round: r.round + 1,
    position: r.position + 1,
    window: r.window,
    requests: r.run.overall.requests,
    errorCount: r.run.overall.errorCount,
    clientLatencyMs: { p50: latency.p50Ms, p95: latency.p95Ms, p99: latency.p99Ms },
    ...(alone.lambda
      ? { lambdaDurationMs: { mean: alone.lambda.durationMs.avg, p99: alone.lambda.durationMs.p99 } }
      : {}),
    ...(alone.dynamodb
      ? {
          readRequestUnits: alone.dynamodb.readRequestUnits,
          writeRequestUnits: alone.dynamodb.writeRequestUnits,
        }
      : {}),
    ...(alone.logs ? { logBytes: alone.logs.bytes } : {}),
    ...(alone.cost ? { costPerMillionUsd: alone.cost.totalPerMillionUsd } : {}),
    phaseMs: r.phaseMs,
    overheadMs: r.overheadMs,
  };
}
