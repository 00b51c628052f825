/**
 * The user's own k6 script as the load of every setting (`--k6-script my-test.ts`): k6 runs it unchanged with
 * the setting as `-e` variables, and the harness reads k6's JSON output (`--out json=`, every request's
 * duration, status and expected_response tag) for latency (HDR histogram, the same percentile definition as
 * both engines), statuses, errors and the per-second timeline, and the exit code for the script's thresholds
 * (99 = failed).
 *
 * Variables the script gets: BASE_URL and TARGET (the API's base URL), MEMORY_MB, ARCHITECTURE, SETTING_ID,
 * PHASE ("measure"), SEED (one seed for every setting: common random numbers if the script draws from it).
 *
 * Attribution: a script that calls `recordLambdaRequestId(res)` from
 * loadtests/engines/k6/scenarios/powerbench.ts (or adds a `pb_answered` counter sample with metadata `lambda_request_id`, which is what it does) gives the tuner the
 * Lambda request ids of its requests, and exactly those invocations are priced. Without them, the run's
 * `lambdaRequestIds` stays absent and the sweep attributes by time window (every invocation of the setting's
 * version during the run), with a warning (docs/workload.md, "Your own k6 script"). The same call records each
 * request's body sizes, which an HTTP API is metered by; without them the metered calls are bounded from k6's
 * bytes on the wire per iteration (loadtests/engines/k6/payload.ts, docs/cost-model.md).
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, K6RunError } from "../../errors.ts";
import type { LatencySummary, RunResult } from "../../run-result.ts";
import { K6_EXIT_CODES, k6Version } from "./engine.ts";
import { answeredRequests, k6Payload } from "./payload.ts";
import { type Env, runProcess } from "./process.ts";
import { readK6Timeline } from "./timeline.ts";

export interface K6ScriptRunOptions {
  /** The k6 binary. */
  binary: string;
  /** The user's script (.js or .ts). */
  script: string;
  /** The API's base URL. */
  target: string;
  /** The setting, passed as -e MEMORY_MB, ARCHITECTURE, SETTING_ID. */
  setting?: { id: string; memoryMb: number; architecture: string };
  seed: number;
  /** More -e variables. */
  vars?: Record<string, string>;
  env?: Env;
  signal?: AbortSignal;
  /** Told what the result lacks (no request ids, no requests). */
  onWarning?: (message: string) => void;
}

/** Checks the script path before anything starts; one line naming the flag. */
export function checkK6Script(script: string): string {
  const resolved = path.resolve(script);
  if (!existsSync(resolved))
    throw new ConfigError("--k6-script", `no file at ${resolved}: expected your k6 script (.js or .ts)`);
  if (!/\.(m?js|ts)$/.test(resolved))
    throw new ConfigError("--k6-script", `${resolved}: expected a k6 script ending in .js, .mjs or .ts`);
  return resolved;
}

/** The `k6 run` arguments for a user's script. */
export function k6ScriptArgs(options: K6ScriptRunOptions, jsonOutPath: string): string[] {
  const vars: Record<string, string> = {
    BASE_URL: options.target,
    TARGET: options.target,
    PHASE: "measure",
    SEED: String(options.seed),
    ...(options.setting
      ? {
          MEMORY_MB: String(options.setting.memoryMb),
          ARCHITECTURE: options.setting.architecture,
          SETTING_ID: options.setting.id,
        }
      : {}),
    ...options.vars,
  };
  return [
    "run",
    "--quiet",
    "--out",
    `json=${jsonOutPath}`,
    ...Object.entries(vars).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    options.script,
  ];
}

const EMPTY_LATENCY: LatencySummary = {
  count: 0,
  minMs: 0,
  meanMs: 0,
  p50Ms: 0,
  p90Ms: 0,
  p95Ms: 0,
  p99Ms: 0,
  p999Ms: 0,
  maxMs: 0,
};

/**
 * Runs the script once and maps what k6 measured to a RunResult.
 *
 * @example await runK6Script({ binary, script: "my-test.ts", target: stage.apiUrl, seed: 1 })
 */
export async function runK6Script(options: K6ScriptRunOptions): Promise<RunResult> {
  const env = options.env ?? process.env;
  const warn = options.onWarning ?? ((m: string) => process.stderr.write(`k6 script: ${m}\n`));
  const version = await k6Version(options.binary, env);
  const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-script-"));
  const jsonOutPath = path.join(dir, "samples.json.gz");
  let aborted = options.signal?.aborted ?? false;
  try {
    const started = Date.now();
    const exit = await runProcess(
      options.binary,
      k6ScriptArgs(options, jsonOutPath),
      env,
      options.signal,
      () => {
        aborted = true;
      },
    );
    const ended = Date.now();
    const ok = exit.code === K6_EXIT_CODES.ok || exit.code === K6_EXIT_CODES.thresholdsFailed;
    if (!ok && !aborted) {
      throw new K6RunError(
        `k6 run ${options.script} exited with ${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`}` +
          ` (expected 0, or 99 when its thresholds fail); stderr: ${exit.stderrTail.trim() || "(empty)"}`,
        exit.code,
      );
    }
    const samples = await readK6Timeline(jsonOutPath);
    if (samples.requests === 0)
      throw new K6RunError(
        `k6 run ${options.script} made no HTTP request (no http_req_duration in its JSON output): check that it ` +
          "sends requests to __ENV.BASE_URL",
        exit.code,
      );
    // The window is the requests' own span: k6's start-up and its graceful stop are not load.
    const startMs = samples.firstStartMs ?? started;
    const endMs = Math.max(samples.lastEndMs ?? ended, startMs + 1);
    const durationMs = endMs - startMs;
    const errorCount = samples.errors;
    const latency = samples.latency ?? EMPTY_LATENCY;
    const result: RunResult = {
      schemaVersion: 1,
      engine: { name: "k6", version },
      profile: `k6-script:${path.basename(options.script)}`,
      seed: options.seed,
      target: options.target,
      startedAt: new Date(startMs).toISOString(),
      endedAt: new Date(endMs).toISOString(),
      durationMs,
      targetRatePerSec: samples.requests / (durationMs / 1000),
      achievedRatePerSec: samples.requests / (durationMs / 1000),
      iterations: { started: samples.requests, completed: samples.requests, dropped: 0 },
      overall: {
        requests: samples.requests,
        latency,
        statusCounts: samples.statusCounts,
        errors: errorCount > 0 ? { "unexpected-status": errorCount } : {},
        errorCount,
        errorRate: errorCount / samples.requests,
        ...(samples.histogram ? { histogram: samples.histogram } : {}),
      },
      operations: {},
      timeline: samples.timeline,
      thresholds: [],
      thresholdsPassed: exit.code !== K6_EXIT_CODES.thresholdsFailed,
      aborted,
    };
    // Body sizes: measured when the script recorded them for every answer (recordLambdaRequestId), else an
    // upper bound from k6's bytes on the wire per iteration (payload.ts); the tuner warns about a bound.
    const payload = k6Payload({
      answered: answeredRequests(samples.statusCounts),
      bodies: samples.bodies,
      iterationBytes: samples.iterationBytes,
    });
    if (payload) result.payload = payload;
    if (samples.lambdaRequestIds.length > 0) {
      result.lambdaRequestIds = samples.lambdaRequestIds;
      result.responsesWithoutLambdaRequestId = samples.answeredWithoutLambdaRequestId;
    } else {
      warn(
        `${path.basename(options.script)} recorded no Lambda request id: this setting is attributed by time window ` +
          "(every invocation of its version during the run); call recordLambdaRequestId(res) from " +
          "loadtests/engines/k6/scenarios/powerbench.ts in the script for exact attribution (docs/workload.md)",
      );
    }
    if (samples.warning) warn(samples.warning);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
