/**
 * The direct-invoke mode, for users coming from aws-lambda-power-tuning: Lambda Invoke on the setting's
 * version with their payloads (weighted), a number of times, in series (with an optional pause) or in
 * parallel, optionally each on a fresh execution environment (only cold starts). Returns the same run
 * result as the load engines: latency is the Invoke round trip, billed duration comes from REPORT lines.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { Recorder } from "../../loadtests/recorder.ts";
import { RUN_RESULT_SCHEMA_VERSION, type RunResult } from "../../loadtests/run-result.ts";
import { evaluateThresholds } from "../../loadtests/thresholds.ts";
import type { ErrorKind } from "../../loadtests/workload/model.ts";
import type { DirectInvokeConfig } from "../config/bench-config.ts";
import { splitPayloads } from "../core/payload-split.ts";
import type { Stage } from "../stage.ts";
import type { LoadPort } from "../sweep.ts";

export const DIRECT_ENGINE_VERSION = "1.0.0";

interface InvokeOutcome {
  status: number;
  error?: ErrorKind;
}

/** Lambda's errorType of a function error payload, when it has one. */
function errorTypeOf(payload: Uint8Array | undefined): string | undefined {
  if (!payload) return undefined;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(payload)) as { errorType?: unknown };
    return typeof parsed.errorType === "string" ? parsed.errorType : undefined;
  } catch {
    return undefined;
  }
}

async function invokeOnce(
  client: LambdaClient,
  functionName: string,
  qualifier: string,
  payload: unknown,
  allowedErrorTypes: readonly string[],
  signal: AbortSignal,
): Promise<InvokeOutcome> {
  try {
    const out = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Qualifier: qualifier,
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
      { abortSignal: signal },
    );
    if (!out.FunctionError) return { status: out.StatusCode ?? 200 };
    const type = errorTypeOf(out.Payload) ?? out.FunctionError;
    // An allowed error type (power-tuning's allowedExceptions) is an answer, not a failure.
    // Direct mode's attribution is by version and window: nothing else invokes the setting's version directly.
    return allowedErrorTypes.includes(type) ? { status: 200 } : { status: 500, error: "server-error" };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "TooManyRequestsException") return { status: 429, error: "throttled" };
    if (name === "AbortError") return { status: 0, error: "connection" };
    return { status: 0, error: "connection" };
  }
}

export function directLoadPort(client: LambdaClient, stage: Stage, direct: DirectInvokeConfig): LoadPort {
  return async ({ kind, version, signal, onProgress, freshVersion }) => {
    const recorder = new Recorder();
    // Direct mode has no warm-up by default; if one is asked, a handful of plain invocations.
    const total = kind === "warmup" ? Math.min(5, direct.invocations) : direct.invocations;
    // Power-tuning's split: each payload's share of the invocations in order, the last takes the rest.
    const payloadsInOrder = splitPayloads(direct.payloads, Math.max(total, direct.payloads.length));
    const startedAt = new Date();
    const t0 = performance.now();
    let started = 0;
    let completed = 0;
    const progress = onProgress
      ? setInterval(
          () =>
            onProgress({
              elapsedMs: performance.now() - t0,
              requests: recorder.requests,
              errors: recorder.errors,
            }),
          1000,
        )
      : undefined;
    const one = async (index: number) => {
      const payload = payloadsInOrder[index];
      const qualifier = direct.onlyColdStarts && kind === "measure" ? await freshVersion() : version;
      const intendedMs = performance.now() - t0;
      const outcome = await invokeOnce(
        client,
        stage.functionName,
        qualifier,
        payload,
        direct.allowedErrorTypes,
        signal,
      );
      recorder.record(
        undefined,
        intendedMs,
        performance.now() - t0 - intendedMs,
        outcome.status,
        outcome.error,
      );
      completed += 1;
    };
    try {
      if (direct.parallelism <= 1) {
        for (let i = 0; i < total && !signal.aborted; i++) {
          started += 1;
          await one(i);
          if (direct.sleepBetweenMs > 0 && i < total - 1) {
            await sleep(direct.sleepBetweenMs);
          }
        }
      } else {
        // A pool of `parallelism` workers taking invocations until `total` have started.
        const worker = async () => {
          while (started < total && !signal.aborted) {
            started += 1;
            await one(started - 1);
          }
        };
        await Promise.all(Array.from({ length: Math.min(direct.parallelism, total) }, worker));
      }
    } finally {
      if (progress) clearInterval(progress);
    }
    const endedAt = new Date();
    const durationMs = endedAt.getTime() - startedAt.getTime();
    const overall = recorder.overallStats();
    const thresholds = evaluateThresholds({ errorRateBelow: 1 }, overall);
    const result: RunResult = {
      schemaVersion: RUN_RESULT_SCHEMA_VERSION,
      engine: { name: "direct", version: DIRECT_ENGINE_VERSION },
      profile: "direct-invoke",
      target: `lambda:${stage.functionName}:${version}`,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs,
      targetRatePerSec: 0,
      achievedRatePerSec: durationMs > 0 ? (started / durationMs) * 1000 : 0,
      iterations: { started, completed, dropped: 0 },
      overall,
      operations: {},
      timeline: recorder.timeline(),
      thresholds,
      thresholdsPassed: thresholds.every((t) => t.passed),
      aborted: signal.aborted,
    };
    return result;
  };
}
