/**
 * Load ports of the sweep in API mode: the load engine (built-in or k6) driving the workload through the
 * stage's API URL. The warm-up is the same profile, shorter, and is not counted.
 */
import type { LoadEngine } from "../loadtests/load-engine.ts";
import type { ProfileName } from "../loadtests/profiles.ts";
import type { LoadPort } from "./sweep.ts";

export interface ApiLoadOptions {
  apiUrl: string;
  profile: string;
  seed: number;
  warmupS: number;
  ratePerSec?: number;
  durationS?: number;
}

export function apiLoadPort(engine: LoadEngine, options: ApiLoadOptions): LoadPort {
  let runs = 0;
  return async ({ kind, signal, onProgress }) => {
    runs += 1;
    return engine.run({
      target: options.apiUrl,
      profile: options.profile as ProfileName,
      // A different seed per run, derived from the configured one: reproducible, and no two runs share ids.
      seed: (options.seed * 1_000_003 + runs) >>> 0,
      signal,
      ...(onProgress ? { onProgress } : {}),
      ...(options.ratePerSec !== undefined ? { ratePerSec: options.ratePerSec } : {}),
      ...(kind === "warmup"
        ? { durationMs: Math.max(500, options.warmupS * 1000) }
        : options.durationS !== undefined
          ? { durationMs: options.durationS * 1000 }
          : {}),
    });
  };
}
