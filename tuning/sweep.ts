/**
 * The sweep: for each setting, configure → warm up → load → gate → collect → assess; then restore the
 * function whatever happened (success, error, abort). A failing setting is recorded and the sweep goes on.
 * I/O goes through ports (the AWS clients, a load runner, a gate), so the same loop runs on the local
 * stage, on AWS, with the built-in engine, k6 or direct invocations.
 */
import { UpdateAliasCommand } from "@aws-sdk/client-lambda";
import type { RunResult } from "../loadtests/run-result.ts";
import { LAMBDA_REQUEST_ID_HEADER } from "../service/headers.ts";
import { type AssessInput, type AssessOptions, assessSetting } from "./assess.ts";
import type { AwsClients } from "./aws-clients.ts";
import { latencySamplesMs } from "./client-samples.ts";
import { forceColdStarts } from "./cold-starts.ts";
import {
  collectApiGatewayMetrics,
  collectLambdaMetrics,
  collectLogs,
  type LambdaMetrics,
  type LogFindings,
  type Window,
} from "./collect.ts";
import { collectInvocationLogs, type InvocationLogs } from "./collect-invocations.ts";
import { FunctionConfigurator, type JournalOptions, type OriginalConfiguration } from "./configure.ts";
import { describeError } from "./errors.ts";
import { collectHostContention } from "./host-contention.ts";
import { busyFraction, DISTORTION_BUSY_FRACTION, readCpuTicks } from "./host-cpu.ts";
import type { Setting } from "./plan.ts";
import type {
  ApiGatewayMeasurements,
  GateOutcome,
  HostContention,
  SettingFailure,
  SettingResult,
  SettingRound,
} from "./results-types.ts";
import { poolApiGateway, poolLambdaMetrics, poolLogs, poolRuns, roundOrder } from "./rounds.ts";
import type { Stage } from "./stage.ts";
import { mean, percentile } from "./statistics.ts";
import { drainWarmup, primeVersion } from "./warmup.ts";

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

/** Puts the table in the measured sequence's starting state (common random numbers; tuning/table-state.ts). */
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
   * environment instead of starting one per request during the first INIT (tuning/warmup.ts). @default true
   */
  primeVersion?: boolean;
  /**
   * Run the Newman gate and the deliberate cold starts beside the warm-up (true), so the setting waits for
   * the longest of the three before its window instead of adding the gate after it; or after the window,
   * beside the table reset and the collect (false). Either way they end before the next window opens and
   * their invocations are never priced. @default true
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

export const SWEEP_DEFAULTS = {
  /** Locally the window is exact; on AWS CloudWatch needs minutes to ingest. */
  localCollectTimeoutMs: 5_000,
  awsCollectTimeoutMs: 10 * 60_000,
  localCollectRetryMs: 200,
  awsCollectRetryMs: 30_000,
} as const;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Requests the function must have seen: answered requests, less those API Gateway answers without invoking
 * (403 unknown route, its own 429 throttling). A Lambda throttle reaches the client as a 500 that cannot be
 * told apart, so throttled runs fall short of this count: the sweep reports the shortfall, it is not fatal.
 */
function invocationsExpected(run: RunResult): number {
  let n = 0;
  for (const [status, count] of Object.entries(run.overall.statusCounts)) {
    if (status !== "429" && status !== "0" && status !== "403") n += count;
  }
  return n;
}

/**
 * The error when the measured responses carry no Lambda request id at all: the tuner cannot tie them to
 * invocations. A few answers without it are API Gateway's own (throttling, unknown route) and are counted.
 */
export function missingRequestIdHeader(run: RunResult): string | undefined {
  const without = run.responsesWithoutLambdaRequestId ?? 0;
  if (!run.lambdaRequestIds || run.lambdaRequestIds.length > 0 || without === 0) return undefined;
  return (
    `none of the ${without} measured responses carried the ${LAMBDA_REQUEST_ID_HEADER} header: return the ` +
    "invocation's Lambda request id (context.awsRequestId) in it, so the tuner can price exactly the measured " +
    "invocations (docs/aws.md, 'The request-id header')"
  );
}

/** Duration statistics from the REPORT lines (exact attribution, or windows spread over several versions). */
export function durationsFromReports(logs: LogFindings): LambdaMetrics["durationMs"] {
  const durations = logs.reports.map((r) => r.durationMs).filter((d): d is number => d !== undefined);
  if (durations.length === 0) return { avg: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  return {
    avg: mean(durations),
    p50: percentile(durations, 50),
    p90: percentile(durations, 90),
    p99: percentile(durations, 99),
    max: Math.max(...durations),
  };
}

interface Collected {
  metrics: LambdaMetrics;
  logs: LogFindings | InvocationLogs;
  /** "request-ids": exactly the measured invocations; "window": every invocation of the version in the window. */
  attribution: "request-ids" | "window";
  apiGateway?: ApiGatewayMeasurements;
  /** Set when CloudWatch never reached the expected counts before the collect timeout. */
  shortfall?: string;
}

async function collectWindow(
  clients: AwsClients,
  options: SweepOptions,
  version: string,
  window: Window,
  run: RunResult,
  sleep: (ms: number) => Promise<void>,
  versions: readonly string[],
): Promise<Collected> {
  // Exact attribution when the engine recorded the measured requests' Lambda request ids.
  const ids = run.lambdaRequestIds ? new Set(run.lambdaRequestIds) : undefined;
  const expected = ids ? ids.size : invocationsExpected(run);
  const { stage } = options;
  const local = stage.name === "local";
  const granularity = local ? "exact" : "minute";
  const timeoutMs =
    options.collectTimeoutMs ??
    (local ? SWEEP_DEFAULTS.localCollectTimeoutMs : SWEEP_DEFAULTS.awsCollectTimeoutMs);
  const retryMs =
    options.collectRetryMs ?? (local ? SWEEP_DEFAULTS.localCollectRetryMs : SWEEP_DEFAULTS.awsCollectRetryMs);
  const target = {
    functionName: stage.functionName,
    alias: stage.alias,
    version,
    apiName: stage.apiName,
    apiStageName: stage.apiStageName,
    ...(options.invokesVersion ? { invokesVersion: true } : {}),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [metrics, logs, apiGateway] = await Promise.all([
      collectLambdaMetrics(clients.cloudwatch, target, window, granularity, versions),
      ids
        ? collectInvocationLogs(clients.logs, target, window, ids, versions)
        : collectLogs(clients.logs, target, window, versions),
      options.apiType === null
        ? undefined
        : collectApiGatewayMetrics(clients.cloudwatch, target, window, granularity),
    ]);
    if (versions.length > 1) metrics.durationMs = durationsFromReports(logs);
    // With request ids the REPORT lines decide (CloudWatch is a cross-check, flagged when it disagrees).
    const complete = ids
      ? logs.reports.length >= expected
      : metrics.invocations >= expected && logs.reports.length >= expected;
    if (complete || Date.now() >= deadline || options.signal?.aborted) {
      // Not fatal: the figures stand for what CloudWatch had; the caller says so in the progress.
      const shortfall =
        complete || options.signal?.aborted
          ? undefined
          : ids
            ? `CloudWatch Logs had the REPORT lines of ${logs.reports.length} of the ${expected} measured invocations`
            : `CloudWatch had ${metrics.invocations} invocations and ${logs.reports.length} REPORT lines of ${expected} expected`;
      return {
        metrics,
        logs,
        attribution: ids ? "request-ids" : "window",
        ...(apiGateway ? { apiGateway } : {}),
        ...(shortfall ? { shortfall } : {}),
      };
    }
    await sleep(retryMs);
  }
}

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
interface SettingState {
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
interface SweepContext {
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
 * One round of one setting. The first visit configures the setting (a new version, the alias on it) and primes
 * the version with one invocation; later visits point the alias back at that version. Then, at once: the
 * warm-up and, on the first visit only, the Newman gate and the deliberate cold starts (fresh versions, never
 * the alias), all ended before the window opens, so none competes with the measured load and the setting waits
 * for the longest of them, not their sum (`gateBesideWarmup: false` runs the gate and cold starts after the
 * window instead). After the window, at once: the table put back (every round replays the same sequence from
 * the same state) and the measured invocations' logs read by request id. Only the measured invocations are
 * priced: the priming, warm-up, gate, cold-start and reset invocations never count.
 */
async function measureRound(
  state: SettingState,
  round: number,
  position: number,
  ctx: SweepContext,
): Promise<void> {
  const { options, ports, configurator } = ctx;
  const { setting, index } = state;
  const signal = options.signal ?? new AbortController().signal;
  const sleep = ports.sleep ?? defaultSleep;
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
  const besideWarmup = warmup && options.gateBesideWarmup !== false;
  if (warmup && first && options.primeVersion !== false) {
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
        window.endMs = await drainWarmup(ports.clients, target, window, options.stage.name, sleep, signal);
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
      ? `the host's CPUs were ${(busy * 100).toFixed(0)} % busy during the load window: latencies may measure the host, not the function`
      : undefined;
  if (first) {
    const missingHeader = missingRequestIdHeader(run);
    if (missingHeader) state.failures.push({ kind: "collect", message: missingHeader });
  }

  // After the window, four independent jobs at once, so the round's overhead is the longest of them, not their
  // sum: the table put back for the next round (its own ids), on the setting's first round the Newman gate
  // (through the API) and the deliberate cold starts (fresh versions, never the alias), and the measured
  // invocations' logs (by request id, so the other jobs' invocations do not count).
  const resetJob = timed("reset", async () => {
    if (!ports.tableState || signal.aborted) return;
    try {
      await ports.tableState.reset();
    } catch (error) {
      state.failures.push({
        kind: "other",
        message: `the table could not be put back for the next setting: ${describeError(error)}`,
      });
    }
  });
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
        sleep,
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
    besideWarmup ? undefined : gateJob(),
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
  const last = state.rounds.length === ctx.rounds;
  progress(last ? "done" : "load", {
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
function finishSetting(state: SettingState, ctx: SweepContext): SettingResult {
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
          readCapacityUnits: alone.dynamodb.readCapacityUnits,
          writeCapacityUnits: alone.dynamodb.writeCapacityUnits,
        }
      : {}),
    ...(alone.logs ? { logBytes: alone.logs.bytes } : {}),
    ...(alone.cost ? { costPerMillionUsd: alone.cost.totalPerMillionUsd } : {}),
    phaseMs: r.phaseMs,
    overheadMs: r.overheadMs,
  };
}

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
