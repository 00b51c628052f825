/**
 * Deliberate cold starts (as aws-lambda-power-tuning's onlyColdStarts): each one publishes a fresh version of
 * the setting (a configuration nudge, so Lambda cannot reuse an environment) and invokes it once, so its
 * REPORT line carries an Init Duration. Their INIT prices cold starts at the traffic's rate; they never enter
 * the measured figures (their versions are not the measured one). Runs beside the Newman gate after the load
 * window, so the time they take (INIT itself, seconds at 128 MB) overlaps it instead of adding to the
 * setting's overhead, and never competes with the measured load for the host's CPUs.
 */
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { type WaitOptions, waitVersionActive } from "../adapters/lambda-ops.ts";
import { describeError } from "../errors.ts";

export interface ColdStartOutcome {
  /** The fresh versions, one invocation each: their log streams hold exactly these cold starts. */
  versions: string[];
  /** When the first one started (epoch ms), for the log query. */
  startedAtMs: number;
  /** Set when a cold start could not be forced (the others still count). */
  error?: string;
}

/**
 * How long a fresh version may take to become Active, and the polling. The bounded poller of
 * tuning/adapters/lambda-ops.ts, not the SDK's waiter: the waiter takes a failed poll for "not yet", so with the
 * endpoint lost it kept polling for the whole 2 minutes; a failed poll here ends the cold starts at once.
 */
export const COLD_START_WAIT: WaitOptions = { maxWaitS: 120, poll: { minDelayS: 0.1, maxDelayS: 2 } };

/** The payload of a cold-start invocation: the service's bare `ping` command (an error still measures INIT). */
export const COLD_START_PAYLOAD = { operation: "ping" } as const;

/**
 * Forces `count` cold starts: the fresh versions are published one after another (configuration updates must
 * be sequential, or Lambda answers ResourceConflictException), then invoked at once.
 */
export async function forceColdStarts(
  lambda: LambdaClient,
  functionName: string,
  count: number,
  publishFreshVersion: () => Promise<string>,
  signal?: AbortSignal,
): Promise<ColdStartOutcome> {
  const startedAtMs = Date.now();
  const versions: string[] = [];
  try {
    const published: string[] = [];
    for (let i = 0; i < count && !signal?.aborted; i++) {
      const version = await publishFreshVersion();
      await waitVersionActive(lambda, functionName, version, COLD_START_WAIT);
      published.push(version);
    }
    const payload = new TextEncoder().encode(JSON.stringify(COLD_START_PAYLOAD));
    await Promise.all(
      published.map(async (version) => {
        await lambda.send(
          new InvokeCommand({ FunctionName: functionName, Qualifier: version, Payload: payload }),
        );
        versions.push(version);
      }),
    );
    return { versions, startedAtMs };
  } catch (error) {
    return { versions, startedAtMs, error: describeError(error) };
  }
}
