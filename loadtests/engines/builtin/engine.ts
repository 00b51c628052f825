/**
 * The built-in open-model load engine. Like k6's arrival-rate executors, iterations start on schedule
 * whether or not earlier ones finished; latency is measured from each iteration's INTENDED start, so a stalled
 * server shows in the latencies (no coordinated omission); an iteration due while `maxInFlight` are running is
 * dropped and counted. Each start is also timed against its due time (`startLag`, `timeline[].sent`), so an
 * engine that fell behind and caught up with a burst shows it. Bounded: the schedule is finite, in-flight
 * requests get `gracefulStopMs` after it ends, then they are cut. An AbortSignal or SIGINT ends the run early
 * with a valid partial result, also while in-flight requests are draining (they then get `abortDrainMs`).
 */
import { performance } from "node:perf_hooks";
import { ConfigError } from "../../errors.ts";
import { expectedIterations, peakRatePerSec, resolveProfile, totalDurationMs } from "../../profiles.ts";
import { Recorder } from "../../recorder.ts";
import { buildRequestSequence, reuseGapFor, type SequencedRequest } from "../../request-sequence.ts";
import {
  addExchange,
  type PayloadSummary,
  RUN_RESULT_SCHEMA_VERSION,
  type RunResult,
} from "../../run-result.ts";
import { ArrivalSchedule } from "../../schedule.ts";
import { evaluateThresholds } from "../../thresholds.ts";
import { classifyOutcome, type PlannedRequest } from "../../workload/model.ts";
import type { LoadEngine, LoadRunOptions } from "../port.ts";
import { overridesOf } from "../port.ts";
import { HttpClient, type TransportError } from "./http-client.ts";

export const BUILTIN_ENGINE_VERSION = "1.0.0";

export interface BuiltinEngineOptions {
  /**
   * Upper bound on keep-alive connections, opened on demand (the in-flight cap applies too). Below the
   * profile's `maxInFlight`, the requests beyond it wait in the client for a free connection.
   * @default the profile's maxInFlight: every iteration in flight is on the wire, as with k6's maxVUs
   */
  maxConnections?: number;
  /** End the run (not the process) on SIGINT while it runs. @default true */
  handleSigint?: boolean;
  /**
   * After an abort (also one during the graceful-stop drain), how long in-flight requests may still finish.
   * @default 1000
   */
  abortDrainMs?: number;
}

type ResolvedBuiltinOptions = Required<Omit<BuiltinEngineOptions, "maxConnections">> &
  Pick<BuiltinEngineOptions, "maxConnections">;

export const BUILTIN_DEFAULTS: ResolvedBuiltinOptions = {
  handleSigint: true,
  abortDrainMs: 1000,
};

/** Waits for `promise`, at most `ms`, and no longer than until `cut` settles (when given). */
async function within(promise: Promise<void>, ms: number, cut?: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race(cut ? [promise, timeout, cut] : [promise, timeout]);
  clearTimeout(timer);
}

export function createBuiltinEngine(engineOptions: BuiltinEngineOptions = {}): LoadEngine {
  const config = { ...BUILTIN_DEFAULTS, ...engineOptions };
  return { name: "builtin", run: (options) => runBuiltin(options, config) };
}

async function runBuiltin(options: LoadRunOptions, config: ResolvedBuiltinOptions): Promise<RunResult> {
  const profile = resolveProfile(options.profile, overridesOf(options));
  const seed = (options.seed ?? options.sequence?.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const schedule = new ArrivalSchedule(profile);
  // Common random numbers: request i of the sequence goes out at the schedule's i-th time, whatever came back.
  const sequence =
    options.sequence ??
    buildRequestSequence({
      seed,
      count: schedule.totalIterations,
      workload: profile.workload ?? {},
      reuseGapRequests: reuseGapFor(peakRatePerSec(profile)),
      idPrefix: `pb${Date.now().toString(36)}${seed.toString(36)}`,
    });
  if (sequence.requests.length < schedule.totalIterations) {
    throw new ConfigError(
      "sequence",
      `has ${sequence.requests.length} requests but the profile schedules ${schedule.totalIterations}: build it with count ≥ the schedule's iterations`,
    );
  }
  const lambdaRequestIds: string[] = [];
  let withoutLambdaRequestId = 0;
  /** Transport failures by their error code (ECONNRESET, ECONNREFUSED, UND_ERR_SOCKET, ...). */
  const transportErrorCodes: Record<string, number> = {};
  const payload: PayloadSummary = {
    requests: 0,
    requestBytes: 0,
    responseBytes: 0,
    maxExchangeBytes: 0,
    exchangesBy512KiB: {},
  };
  const recorder = new Recorder();
  const counts = { started: 0, completed: 0, dropped: 0 };
  let inFlight = 0;
  let aborted = false;
  let scheduling = true;
  let lastFiredAtMs = 0;
  /** When an abort came (ms from the start): a run cut short is measured up to then. */
  let abortedAtMs = 0;
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let endScheduling: () => void = () => {};
  const schedulingEnded = new Promise<void>((resolve) => {
    endScheduling = resolve;
  });
  let abortRequested: () => void = () => {};
  const abortedPromise = new Promise<void>((resolve) => {
    abortRequested = resolve;
  });

  const startedAt = new Date();
  const t0 = performance.now();
  const elapsed = () => performance.now() - t0;

  /** One completed (or cut) request: record it, then start iterations the in-flight cap held back. */
  const onOutcome = (
    request: PlannedRequest,
    dueMs: number,
    status: number,
    transportError: TransportError | undefined,
    cut: boolean,
    lambdaRequestId?: string,
    transportErrorCode?: string,
    responseBytes?: number,
  ) => {
    const now = elapsed();
    try {
      if (!cut) {
        const error = classifyOutcome(request, status, transportError);
        if (transportErrorCode !== undefined)
          transportErrorCodes[transportErrorCode] = (transportErrorCodes[transportErrorCode] ?? 0) + 1;
        recorder.record(request.operation, dueMs, now - dueMs, status, error);
        counts.completed += 1;
        if (responseBytes !== undefined)
          addExchange(
            payload,
            request.body === undefined ? 0 : Buffer.byteLength(request.body),
            responseBytes,
          );
        if (lambdaRequestId !== undefined) lambdaRequestIds.push(lambdaRequestId);
        else if (status > 0) withoutLambdaRequestId += 1;
      }
    } finally {
      inFlight -= 1;
      if (!scheduling) {
        if (inFlight === 0) finish();
      } else if ((schedule.peekMs() ?? Number.POSITIVE_INFINITY) <= now) {
        // Iterations are already due (the cap held them back, or a burst): start them now, not at the next tick.
        pump(now);
      }
    }
  };
  const client = new HttpClient(
    options.target,
    {
      connections: Math.min(profile.maxInFlight, config.maxConnections ?? profile.maxInFlight),
      requestTimeoutMs: profile.requestTimeoutMs,
    },
    onOutcome,
  );

  const fire = (index: number, dueMs: number, nowMs: number) => {
    inFlight += 1;
    counts.started += 1;
    lastFiredAtMs = nowMs;
    recorder.recordStart(dueMs, nowMs);
    client.send(sequence.requests[index] as SequencedRequest, dueMs);
  };

  const stopScheduling = () => {
    if (!scheduling) return;
    scheduling = false;
    if (timer) clearTimeout(timer);
    endScheduling();
    if (inFlight === 0) finish();
  };

  /** Due time the pending timer was armed for (a completion-triggered pump keeps it when it is early enough). */
  let timerDueMs = Number.POSITIVE_INFINITY;
  const onTimer = () => {
    timer = undefined;
    timerDueMs = Number.POSITIVE_INFINITY;
    pump(elapsed());
  };
  /** True while pump runs: a request that fails synchronously inside it must not start a nested pump. */
  let pumping = false;
  /** Starts (or drops, at the in-flight cap) every iteration due by `now`, then arms the timer for the next. */
  const pump = (now: number) => {
    if (!scheduling || pumping) return;
    pumping = true;
    try {
      let due = schedule.peekMs();
      while (due !== undefined && due <= now) {
        // At the cap, every iteration due by now is dropped (nothing in this loop frees a slot).
        if (inFlight >= profile.maxInFlight) counts.dropped += schedule.skipDueMs(now);
        else {
          const index = schedule.nextIteration;
          schedule.takeMs();
          fire(index, due, now);
        }
        due = schedule.peekMs();
      }
      if (due === undefined) stopScheduling();
      else if (!timer || timerDueMs > due) {
        if (timer) clearTimeout(timer);
        timerDueMs = due;
        timer = setTimeout(onTimer, Math.max(0, due - elapsed()));
      }
    } finally {
      pumping = false;
    }
  };

  /** Stops new arrivals and cuts the wait for in-flight requests to `abortDrainMs`, also during the drain. */
  const abort = () => {
    if (aborted) return;
    aborted = true;
    abortedAtMs = elapsed();
    stopScheduling();
    abortRequested();
  };
  const onSigint = () => abort();
  if (options.signal?.aborted) aborted = true;
  options.signal?.addEventListener("abort", abort, { once: true });
  if (config.handleSigint) process.once("SIGINT", onSigint);
  const progress = options.onProgress
    ? setInterval(() => {
        options.onProgress?.({ elapsedMs: elapsed(), requests: recorder.requests, errors: recorder.errors });
      }, 1000)
    : undefined;

  try {
    if (aborted) stopScheduling();
    else pump(elapsed());
    // Hard time bounds: the schedule (plus slack for a busy event loop), then the drain window; whatever
    // is still in flight after that is cut when the pool closes.
    await within(schedulingEnded, totalDurationMs(profile) + 5000);
    stopScheduling();
    // The graceful-stop drain; an abort during it cuts what is left of it to abortDrainMs.
    if (!aborted) await within(finished, profile.gracefulStopMs, abortedPromise);
    if (aborted) await within(finished, config.abortDrainMs);
  } finally {
    if (timer) clearTimeout(timer);
    if (progress) clearInterval(progress);
    options.signal?.removeEventListener("abort", abort);
    if (config.handleSigint) process.removeListener("SIGINT", onSigint);
    await client.close();
  }

  const endedAt = new Date();
  const scheduledMs = totalDurationMs(profile);
  // The window the arrivals were spread over: the schedule's length, or longer when starts fell behind;
  // shorter only when an abort cut the schedule (not when it came during the drain).
  const cutShort = aborted && schedule.peekMs() !== undefined;
  // Cut short: up to the abort (not the last start, which would divide N starts by N - 1 intervals).
  const windowMs = cutShort ? Math.max(1, lastFiredAtMs, abortedAtMs) : Math.max(scheduledMs, lastFiredAtMs);
  const startLag = recorder.startLagSummary();
  const overall = recorder.overallStats();
  const thresholds = evaluateThresholds(profile.thresholds, overall);
  return {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    engine: { name: "builtin", version: BUILTIN_ENGINE_VERSION },
    profile: profile.name,
    seed,
    target: options.target,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    targetRatePerSec: expectedIterations(profile) / (scheduledMs / 1000),
    achievedRatePerSec: counts.started / (windowMs / 1000),
    iterations: { ...counts },
    ...(startLag ? { startLag } : {}),
    overall,
    ...(Object.keys(transportErrorCodes).length > 0 ? { transportErrorCodes } : {}),
    payload,
    operations: recorder.operationStats(),
    timeline: recorder.timeline(),
    thresholds,
    thresholdsPassed: thresholds.every((t) => t.passed),
    aborted,
    lambdaRequestIds,
    responsesWithoutLambdaRequestId: withoutLambdaRequestId,
    sequence: {
      seed: sequence.seed,
      kind: sequence.kind,
      idPrefix: sequence.idPrefix,
      requests: sequence.requests.length,
    },
  };
}
