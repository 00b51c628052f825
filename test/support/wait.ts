/**
 * TEST SUPPORT: waiting, once for every test. `sleep` for the pauses a test needs between real events;
 * `waitFor` polls a condition with a deadline; `waitUntilUpdated` waits out a Lambda configuration update
 * (the stage finishes one in ~100 ms, asynchronously, as Lambda does).
 */

import { setTimeout as delay } from "node:timers/promises";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";

/** Resolves after `ms` milliseconds (the platform's timer; may fire up to ~1 ms early against hrtime). */
export function sleep(ms: number): Promise<void> {
  return delay(ms);
}

export interface WaitOptions {
  /** Longest wait. @default 15_000 ms */
  timeoutMs?: number;
  /** Pause between polls. @default 10 ms */
  intervalMs?: number;
}

/**
 * Polls `check` until it returns a value other than `undefined`, and returns it; throws naming `what` when
 * `timeoutMs` passes first.
 *
 * @example const line = await waitFor(() => lines.find((l) => l.startsWith("REPORT")), "the REPORT line");
 */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  options: WaitOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not there after ${timeoutMs} ms`);
    await sleep(options.intervalMs ?? 10);
  }
}

/** The stage's Lambda control plane (LocalLambda) or the real SDK client pointed at the stage. */
export type FunctionConfigurationSource =
  | LambdaClient
  | { getFunctionConfiguration(name: string): Promise<Record<string, unknown>> };

async function configurationOf(
  source: FunctionConfigurationSource,
  functionName: string,
): Promise<Record<string, unknown>> {
  if (source instanceof LambdaClient) {
    const { $metadata: _, ...config } = await source.send(
      new GetFunctionConfigurationCommand({ FunctionName: functionName }),
    );
    return config;
  }
  return source.getFunctionConfiguration(functionName);
}

/**
 * Waits until the function's LastUpdateStatus is Successful and returns its configuration then; throws at
 * once on Failed, and after `timeoutMs` naming the status it stayed in.
 */
export async function waitUntilUpdated(
  source: FunctionConfigurationSource,
  functionName: string,
  options: WaitOptions = {},
): Promise<Record<string, unknown>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const config = await configurationOf(source, functionName);
    const status = config["LastUpdateStatus"];
    if (status === "Successful") return config;
    if (status === "Failed")
      throw new Error(`the update of ${functionName} failed: ${String(config["LastUpdateStatusReason"])}`);
    if (Date.now() > deadline)
      throw new Error(`${functionName} still ${String(status)} after ${timeoutMs} ms: expected Successful`);
    await sleep(options.intervalMs ?? 10);
  }
}
