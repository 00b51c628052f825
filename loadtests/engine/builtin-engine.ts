/**
 * The built-in open-model load engine. Like k6's arrival-rate executors, iterations start on schedule
 * whether or not earlier ones finished; latency is measured from each iteration's INTENDED start, so a stalled
 * server shows in the latencies (no coordinated omission); an iteration due while `maxInFlight` are running is
 * dropped and counted. Bounded: the schedule is finite, in-flight requests get `gracefulStopMs` after it ends,
 * then they are cut. An AbortSignal or SIGINT ends the run early with a valid partial result.
 */
import { performance } from "node:perf_hooks";
import type { LoadEngine, LoadRunOptions } from "../load-engine.ts";
import { overridesOf } from "../load-engine.ts";
import { expectedIterations, resolveProfile, totalDurationMs } from "../profiles.ts";
import { createRandom } from "../random.ts";
import { RUN_RESULT_SCHEMA_VERSION, type RunResult } from "../run-result.ts";
import { evaluateThresholds } from "../thresholds.ts";
import { type PlannedRequest, Workload } from "../workload.ts";
import { HttpClient, type TransportError } from "./http-client.ts";
import { Recorder } from "./recorder.ts";
import { ArrivalSchedule } from "./schedule.ts";

export const BUILTIN_ENGINE_VERSION = "1.0.0";

export interface BuiltinEngineOptions {
  /** Upper bound on pooled connections (the in-flight cap applies too). @default 256 */
  maxConnections?: number;
  /** End the run (not the process) on SIGINT while it runs. @default true */
  handleSigint?: boolean;
  /** After an abort, how long in-flight requests may still finish. @default 1000 */
  abortDrainMs?: number;
}

export const BUILTIN_DEFAULTS: Required<BuiltinEngineOptions> = {
  maxConnections: 256,
  handleSigint: true,
  abortDrainMs: 1000,
};

/** Waits for `promise`, at most `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export function createBuiltinEngine(engineOptions: BuiltinEngineOptions = {}): LoadEngine {
  const config = { ...BUILTIN_DEFAULTS, ...engineOptions };
  return { name: "builtin", run: (options) => runBuiltin(options, config) };
}

async function runBuiltin(
  options: LoadRunOptions,
  config: Required<BuiltinEngineOptions>,
): Promise<RunResult> {
  const profile = resolveProfile(options.profile, overridesOf(options));
  const seed = (options.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const runPrefix = `pb${Date.now().toString(36)}${seed.toString(36)}`;
  const workload = new Workload(createRandom(seed), runPrefix, profile.workload ?? {});
  const schedule = new ArrivalSchedule(profile);
  const recorder = new Recorder();
  const counts = { started: 0, completed: 0, dropped: 0 };
  let inFlight = 0;
  let aborted = false;
  let scheduling = true;
  let lastFiredAtMs = 0;
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let endScheduling: () => void = () => {};
  const schedulingEnded = new Promise<void>((resolve) => {
    endScheduling = resolve;
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
  ) => {
    const now = elapsed();
    try {
      if (!cut) {
        const error = workload.settle(request, status, transportError);
        recorder.record(request.operation, dueMs, now - dueMs, status, error);
        counts.completed += 1;
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
      connections: Math.min(profile.maxInFlight, config.maxConnections),
      requestTimeoutMs: profile.requestTimeoutMs,
    },
    onOutcome,
  );

  const fire = (dueMs: number, nowMs: number) => {
    inFlight += 1;
    counts.started += 1;
    lastFiredAtMs = nowMs;
    client.send(workload.next(), dueMs);
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
          schedule.takeMs();
          fire(due, now);
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

  const abort = () => {
    if (!scheduling || aborted) return;
    aborted = true;
    stopScheduling();
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
    await within(finished, aborted ? config.abortDrainMs : profile.gracefulStopMs);
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
  // shorter only when the run was aborted.
  const windowMs = aborted ? Math.max(1, lastFiredAtMs) : Math.max(scheduledMs, lastFiredAtMs);
  const overall = recorder.overallStats();
  const thresholds = evaluateThresholds(profile.thresholds, overall);
  return {
    schemaVersion: RUN_RESULT_SCHEMA_VERSION,
    engine: { name: "builtin", version: BUILTIN_ENGINE_VERSION },
    profile: profile.name,
    target: options.target,
    startedAt: startedAt.toISOString(),
    endedAt: endedAt.toISOString(),
    durationMs: endedAt.getTime() - startedAt.getTime(),
    targetRatePerSec: expectedIterations(profile) / (scheduledMs / 1000),
    achievedRatePerSec: counts.started / (windowMs / 1000),
    iterations: { ...counts },
    overall,
    operations: recorder.operationStats(),
    timeline: recorder.timeline(),
    thresholds,
    thresholdsPassed: thresholds.every((t) => t.passed),
    aborted,
  };
}
