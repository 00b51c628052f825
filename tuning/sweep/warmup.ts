/**
 * The warm-up of a setting, before its measured window: optionally prime the new version with one invocation
 * (`primeVersion`), run the warm-up load, then wait for anything the load engine cut at its graceful stop to
 * finish, so that no warm-up invocation runs in the measured window.
 *
 * Priming: the first requests to reach a freshly published version all find no environment, so every request
 * that arrives during the first INIT needs one of its own: 22–32 cold starts per setting in a 1 s warm-up at
 * 50 req/s (default bench, 2026-12-07), where the steady state needs 1–4 environments. One invocation first
 * halved the warm-up's cold starts and its time in `--quick` runs (docs/perf.md), but the environments it did
 * not start were started later, by the gate and the table reset after the window or in the window itself, and
 * the setting's overhead did not fall; so it is opt-in.
 *
 * The bounded warm-up (the default unless `--cold-start-rate measured`): the warm-up load runs with at most
 * `warmupConcurrency` requests in flight, so the first INITs (one boot per request that arrives while no
 * environment is warm, two boots at a time on a 2-core host) no longer start 16–21 environments where the window
 * needs a few: iterations due while the bound is reached are dropped (not sent), and once the first environments
 * are warm the warm-up runs at the profile's rate. The measured window is not bounded: the environments it needs
 * beyond those are its own cold starts, measured and counted. With `--cold-start-rate measured` the warm-up
 * keeps the profile's own shape, since the rate is measured from it (no warm-up exclusion).
 *
 * The drain: a request the engine cut may never reach the function (its client gone before API Gateway invoked
 * it), so waiting for one REPORT line per request started waited 29 s for lines that never came (35 s warm-ups
 * at three of eight settings in that run). The drain now ends when the version's REPORT lines stop growing.
 */
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { peakRatePerSec, resolveProfile } from "../../loadtests/profiles.ts";
import type { AwsClients } from "../adapters/aws-clients.ts";
import { type CollectTarget, collectLogs, type Window } from "../adapters/collect.ts";
import { COLD_START_PAYLOAD } from "./cold-starts.ts";

/** Longest wait for the warm-up's cut requests to finish: API Gateway's own integration timeout. */
export const WARMUP_DRAIN_MAX_MS = 29_000;

/** How long the REPORT count must stay still for the drain to end, and how often it is read. */
export const WARMUP_DRAIN = {
  local: { quietMs: 600, pollMs: 100 },
  aws: { quietMs: 15_000, pollMs: 5_000 },
} as const;

/** Latency allowed for per warm request when bounding the warm-up (Little's law: in flight = rate × latency). */
export const WARMUP_LATENCY_BOUND_S = 0.2;
/**
 * Fewest requests in flight a bounded warm-up allows. 2 (and 0.1 s above) left the --quick k6 bench with cold
 * starts and dropped iterations in the window on a host at load 17-30: the margin is the host's, not the function's.
 */
export const WARMUP_MIN_IN_FLIGHT = 4;

/**
 * Requests in flight at most during a bounded warm-up: the profile's peak rate × WARMUP_LATENCY_BOUND_S,
 * rounded up, at least WARMUP_MIN_IN_FLIGHT and at most the profile's own cap.
 *
 * @example warmupConcurrency(50, 200) // 10: the baseline profile's 50 req/s
 */
export function warmupConcurrency(peakRatePerSec: number, maxInFlight: number): number {
  const wanted = Math.max(WARMUP_MIN_IN_FLIGHT, Math.ceil(peakRatePerSec * WARMUP_LATENCY_BOUND_S));
  return Math.max(1, Math.min(maxInFlight, wanted));
}

/**
 * The bounded warm-up's cap for a profile (by name, with the run's rate when given).
 *
 * @example boundedWarmup("baseline") // 10
 */
export function boundedWarmup(profile: string, ratePerSec?: number): number {
  const resolved = resolveProfile(profile, ratePerSec !== undefined ? { ratePerSec } : {});
  return warmupConcurrency(peakRatePerSec(resolved), resolved.maxInFlight);
}

/**
 * Invokes the version once (the service's bare `ping` command; an error answer still starts an environment),
 * so the warm-up traffic finds one warm environment. Returns the error, if any: priming is best effort.
 */
export async function primeVersion(
  lambda: LambdaClient,
  functionName: string,
  version: string,
): Promise<string | undefined> {
  try {
    await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: version,
        Payload: new TextEncoder().encode(JSON.stringify(COLD_START_PAYLOAD)),
      }),
    );
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Waits until the version's REPORT count in the warm-up window stops growing for `quietMs` (or
 * WARMUP_DRAIN_MAX_MS passed); returns the time it did, the warm-up's real end. A request the engine cut may
 * never reach the function (a client gone before API Gateway invoked it), so the drain waits for the count to
 * settle, not for one REPORT line per request started.
 */
export async function drainWarmup(
  clients: AwsClients,
  target: CollectTarget,
  window: Window,
  stageName: "local" | "aws",
  sleep: (ms: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<number> {
  const { quietMs, pollMs } = WARMUP_DRAIN[stageName];
  const deadline = Date.now() + WARMUP_DRAIN_MAX_MS;
  let count = -1;
  let stillSince = Date.now();
  for (;;) {
    const now = Date.now();
    const logs = await collectLogs(clients.logs, target, { startMs: window.startMs, endMs: now }, [
      target.version,
    ]);
    if (logs.reports.length !== count) {
      count = logs.reports.length;
      stillSince = now;
    }
    if (now - stillSince >= quietMs || now >= deadline || signal?.aborted) return now;
    await sleep(pollMs);
  }
}
