/**
 * The sweep: for each setting, configure → warm up → load → gate → collect → assess; then restore the
 * function whatever happened (success, error, abort). A failing setting is recorded and the sweep goes on.
 * I/O goes through ports (the AWS clients, a load runner, a gate), so the same loop runs on the local
 * stage, on AWS, with the built-in engine, k6 or direct invocations.
 */
import type { RunResult } from "../loadtests/run-result.ts";
import { LAMBDA_REQUEST_ID_HEADER } from "../service/headers.ts";
import { assessSetting } from "./assess.ts";
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
import type { PricingOptions } from "./cost-model.ts";
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
} from "./results-types.ts";
import type { Stage } from "./stage.ts";
import { mean, percentile } from "./statistics.ts";

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
  /** Cold starts per request INIT is priced at; absent: the rate measured at each setting. */
  coldStartRate?: number;
  /** null in direct mode (no API Gateway in the path). */
  apiType: "REST" | "HTTP" | null;
  /** The price table, monthly volume and free tier the settings are priced with. @default the snapshot */
  pricing?: PricingOptions;
  /** The load invokes the setting's version directly (direct mode), not the alias the API uses. */
  invokesVersion?: boolean;
  /** Warm-up load before each measured window. @default true */
  warmup?: boolean;
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

/** Longest wait for the warm-up's cut requests to finish: API Gateway's own integration timeout. */
const WARMUP_DRAIN_MAX_MS = 29_000;

/**
 * Waits until the function logged a REPORT line for every request the warm-up started (or
 * WARMUP_DRAIN_MAX_MS passed); returns the time it did, the warm-up's real end.
 */
async function drainWarmup(
  clients: AwsClients,
  options: SweepOptions,
  version: string,
  window: Window,
  warm: RunResult,
  sleep: (ms: number) => Promise<void>,
): Promise<number> {
  const target = {
    functionName: options.stage.functionName,
    alias: options.stage.alias,
    version,
    apiName: options.stage.apiName,
    apiStageName: options.stage.apiStageName,
  };
  const deadline = Date.now() + WARMUP_DRAIN_MAX_MS;
  for (;;) {
    const now = Date.now();
    const logs = await collectLogs(clients.logs, target, { startMs: window.startMs, endMs: now }, [version]);
    if (logs.reports.length >= warm.iterations.started || now >= deadline || options.signal?.aborted)
      return now;
    await sleep(options.stage.name === "local" ? 100 : 5_000);
  }
}

async function measureSetting(
  setting: Setting,
  index: number,
  configurator: FunctionConfigurator,
  options: SweepOptions,
  ports: SweepPorts,
): Promise<SettingResult> {
  const signal = options.signal ?? new AbortController().signal;
  const sleep = ports.sleep ?? defaultSleep;
  const total = options.settings.length;
  const progress = (phase: SweepPhase, extra: Partial<SweepProgress> = {}) =>
    options.onProgress?.({ settingId: setting.id, index, total, phase, ...extra });
  const failures: SettingFailure[] = [];
  const assessOptions = {
    region: options.stage.region,
    apiType: options.apiType,
    maxErrorRate: options.maxErrorRate,
    discardTopBottom: options.discardTopBottom,
    stageName: options.stage.name,
    ...(options.pricing ? { pricing: options.pricing } : {}),
    ...(options.coldStartRate !== undefined ? { coldStartRate: options.coldStartRate } : {}),
  };
  const emptyWindow = { startMs: Date.now(), endMs: Date.now() };
  // Time per phase (ms): everything but "load" is the setting's overhead outside its load window.
  const phaseMs: Partial<
    Record<Exclude<SweepPhase, "done" | "failed" | "restore"> | "reset" | "coldStarts", number>
  > = {};
  const settingStartMs = performance.now();
  let lapStart = settingStartMs;
  const lap = (phase: keyof typeof phaseMs) => {
    const now = performance.now();
    phaseMs[phase] = (phaseMs[phase] ?? 0) + (now - lapStart);
    lapStart = now;
  };

  progress("configure");
  let version: string;
  try {
    version = await configurator.apply(setting);
  } catch (error) {
    progress("failed", { message: describeError(error) });
    return assessSetting(
      { setting, window: emptyWindow, failures: [{ kind: "configure", message: describeError(error) }] },
      assessOptions,
    );
  }

  // Versions the measured load ran on: the setting's, plus one per invocation in only-cold-starts mode.
  const versionsUsed = [version];
  let warmupWindow: Window | undefined;
  const freshVersion = async () => {
    const fresh = await configurator.publishFreshVersion(setting);
    versionsUsed.push(fresh);
    return fresh;
  };
  lap("configure");
  if (options.warmup !== false) {
    progress("warmup");
    try {
      const warm = await ports.load({ kind: "warmup", settingId: setting.id, version, signal, freshVersion });
      warmupWindow = { startMs: Date.parse(warm.startedAt), endMs: Date.parse(warm.endedAt) };
      // Requests the engine cut at its graceful stop may still run (a 4 s cold start at 128 MB): wait for
      // their REPORT lines, so no warm-up invocation runs in the measured window.
      const cut = warm.iterations.started - warm.iterations.completed;
      if (cut > 0)
        warmupWindow.endMs = await drainWarmup(ports.clients, options, version, warmupWindow, warm, sleep);
    } catch (error) {
      // A failed warm-up is not fatal: the measured load will show what is wrong.
      progress("warmup", { message: `warm-up failed: ${describeError(error)}` });
    }
  }
  if (signal.aborted) {
    return assessSetting(
      { setting, version, window: emptyWindow, failures: [{ kind: "other", message: "aborted" }] },
      assessOptions,
    );
  }

  lap("warmup");
  progress("load");
  const cpuBefore = readCpuTicks();
  let run: RunResult;
  try {
    run = await ports.load({
      kind: "measure",
      settingId: setting.id,
      version,
      signal,
      freshVersion,
      onProgress: (p) => progress("load", p),
    });
  } catch (error) {
    progress("failed", { message: describeError(error) });
    return assessSetting(
      { setting, version, window: emptyWindow, failures: [{ kind: "load", message: describeError(error) }] },
      assessOptions,
    );
  }
  const busy = busyFraction(cpuBefore, readCpuTicks());
  lap("load");
  if (signal.aborted || run.aborted) {
    failures.push({
      kind: "load",
      message: "interrupted during its load window: the measurements are partial",
    });
  }
  const window = { startMs: Date.parse(run.startedAt), endMs: Date.parse(run.endedAt) };
  const distortedReason =
    options.stage.name === "local" && busy >= DISTORTION_BUSY_FRACTION
      ? `the host's CPUs were ${(busy * 100).toFixed(0)} % busy during the load window: latencies may measure the host, not the function`
      : undefined;

  // After the window, four independent jobs at once, so the setting's overhead is the longest of them, not
  // their sum: the Newman gate (through the API), the table put back for the next setting (its own ids), the
  // deliberate cold starts (fresh versions, never the alias) and reading the measured invocations' logs
  // (by request id, so the other three's invocations do not count).
  const collectTarget = {
    functionName: options.stage.functionName,
    alias: options.stage.alias,
    version,
    apiName: options.stage.apiName,
    apiStageName: options.stage.apiStageName,
  };
  const timed = async <T>(phase: keyof typeof phaseMs, job: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await job();
    } finally {
      phaseMs[phase] = performance.now() - start;
    }
  };
  const gateJob = timed("gate", async (): Promise<GateOutcome | undefined> => {
    if (!ports.gate || signal.aborted) return undefined;
    progress("gate");
    try {
      return await ports.gate({ settingId: setting.id, signal });
    } catch (error) {
      failures.push({ kind: "other", message: `functional gate could not run: ${describeError(error)}` });
      return undefined;
    }
  });
  // The next setting starts from the same table state (common random numbers).
  const resetJob = timed("reset", async () => {
    if (!ports.tableState || signal.aborted) return;
    try {
      await ports.tableState.reset();
    } catch (error) {
      failures.push({
        kind: "other",
        message: `the table could not be put back for the next setting: ${describeError(error)}`,
      });
    }
  });
  const coldStartJob = timed("coldStarts", async (): Promise<LogFindings | undefined> => {
    if ((options.coldStarts ?? 0) <= 0 || signal.aborted) return undefined;
    const forced = await forceColdStarts(
      ports.clients.lambda,
      options.stage.functionName,
      options.coldStarts ?? 0,
      () => configurator.publishFreshVersion(setting),
      signal,
    );
    if (forced.error) progress("collect", { message: `a deliberate cold start failed: ${forced.error}` });
    if (forced.versions.length === 0) return undefined;
    try {
      // Each fresh version ran exactly one invocation: its streams hold exactly that cold start.
      return await collectLogs(
        ports.clients.logs,
        collectTarget,
        { startMs: forced.startedAtMs, endMs: Date.now() },
        forced.versions,
      );
    } catch (error) {
      failures.push({
        kind: "collect",
        message: `reading the cold starts' log lines failed: ${describeError(error)}`,
      });
      return undefined;
    }
  });
  const missingHeader = missingRequestIdHeader(run);
  if (missingHeader) failures.push({ kind: "collect", message: missingHeader });
  const collectJob = timed("collect", async () => {
    progress("collect");
    let collected: Collected | undefined;
    let warmupLogs: LogFindings | undefined;
    try {
      collected = await collectWindow(ports.clients, options, version, window, run, sleep, versionsUsed);
      if (collected.shortfall) progress("collect", { message: collected.shortfall });
    } catch (error) {
      failures.push({ kind: "collect", message: `reading CloudWatch failed: ${describeError(error)}` });
    }
    // The warm-up's REPORT lines: the cold starts it absorbed (not counted in the measured figures).
    if (warmupWindow && collected) {
      try {
        warmupLogs = await collectLogs(ports.clients.logs, collectTarget, warmupWindow, versionsUsed);
      } catch (error) {
        failures.push({
          kind: "collect",
          message: `reading the warm-up's log lines failed: ${describeError(error)}`,
        });
      }
    }
    return { collected, warmupLogs };
  });
  const [gate, , coldStartLogs, { collected, warmupLogs }] = await Promise.all([
    gateJob,
    resetJob,
    coldStartJob,
    collectJob,
  ]);

  // Local stage: could the host give every busy environment its CPU share? (Powerbench/LocalStage metrics)
  let hostContention: HostContention | undefined;
  if (options.stage.name === "local" && collected) {
    try {
      hostContention = await collectHostContention(
        ports.clients.cloudwatch,
        { ...collectTarget, ...(options.invokesVersion ? { invokesVersion: true } : {}) },
        window,
      );
    } catch (error) {
      failures.push({
        kind: "collect",
        message: `reading the host's contention failed: ${describeError(error)}`,
      });
    }
  }
  const distortion = [distortedReason, hostContention?.reason].filter((r) => r !== undefined).join("; ");
  const overheadMs = performance.now() - settingStartMs - (phaseMs.load ?? 0);
  const result = assessSetting(
    {
      setting,
      version,
      window,
      run,
      phaseMs,
      overheadMs,
      ...(collected ? { attribution: collected.attribution } : {}),
      ...(warmupLogs ? { warmupLogs } : {}),
      ...(coldStartLogs ? { coldStartLogs } : {}),
      ...(collected ? { metrics: collected.metrics, logs: collected.logs } : {}),
      ...(collected?.apiGateway ? { apiGateway: collected.apiGateway } : {}),
      ...(gate ? { gate } : {}),
      failures,
      ...(run.overall.histogram ? { clientSamplesMs: latencySamplesMs(run.overall.histogram) } : {}),
      ...(distortion ? { distortedReason: distortion } : {}),
    },
    assessOptions,
  );
  if (hostContention) result.hostContention = hostContention;
  progress(result.status === "ok" ? "done" : "failed", {
    requests: run.overall.requests,
    errors: run.overall.errorCount,
    ...(result.failures[0] ? { message: result.failures[0].message } : {}),
  });
  return result;
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
  let restoreError: string | undefined;
  let applied: SweepOutcome["applied"];
  let cleanupError: string | undefined;
  try {
    // Every setting starts from the measured sequence's table state: its preseed items, nothing it creates.
    await ports.tableState?.prepare();
    for (const [index, setting] of options.settings.entries()) {
      // A lost network ends the run: every further call would wait for its timeout too.
      if (options.signal?.aborted || ports.clients.reachability.lost) break;
      settings.push(await measureSetting(setting, index, configurator, options, ports));
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
