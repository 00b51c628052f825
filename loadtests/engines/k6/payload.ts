/**
 * The payload summary of a k6 run (pure): what an HTTP API meters, each exchange in 512 KiB blocks.
 *
 * Measured: every answered request's sample (ANSWERED_COUNTER) carried its body sizes as metadata
 * (exchange-size.ts; the k6 scenario always does, a user's script does through `recordLambdaRequestId(res)`).
 *
 * Bounded, when they did not: k6 measures no size per request. Its only byte counts are `data_sent` and
 * `data_received`, emitted once per iteration with every byte the VU's connections wrote and read during it
 * (k6 v2.2.0: `Dialer.IOSamples`, called at the end of each iteration in `js/runner.go`; HTTP headers, and TLS
 * when there is any, included). So an iteration's bytes B bound the bodies of its requests, and its n answered
 * requests meter at most n + ⌊B / 512 KiB⌋ calls: each request's max(1, ⌈b/K⌉) ≤ 1 + ⌊b/K⌋, and
 * Σ⌊b/K⌋ ≤ ⌊Σb/K⌋ ≤ ⌊B/K⌋. Summed over the iterations: at most N + Σ⌊B_i/K⌋ calls for N answered requests,
 * which is exact (N) when no iteration moved 512 KiB.
 */
import { EXCHANGE_BLOCK_BYTES, type PayloadSummary } from "../../run-result.ts";

/** k6's bytes on the wire per iteration, as read from its JSON output. */
export interface IterationBytes {
  /** Iterations that moved any byte. */
  iterations: number;
  sentBytes: number;
  receivedBytes: number;
  maxIterationBytes: number;
  /** ⌊B_i / 512 KiB⌋ of each iteration where it is above 0 (the others add nothing to the bound). */
  extraBlocks: number[];
}

/** Requests that got an HTTP status: k6's `status` tag → requests, without "0" (no answer). */
export function answeredRequests(statusCounts: Readonly<Record<string, number>>): number {
  return Object.entries(statusCounts).reduce((sum, [status, n]) => (status === "0" ? sum : sum + n), 0);
}

/** An empty summary to fill with addExchange. */
export function emptyPayload(): PayloadSummary {
  return { requests: 0, requestBytes: 0, responseBytes: 0, maxExchangeBytes: 0, exchangesBy512KiB: {} };
}

/** Adds one iteration's bytes (data_sent + data_received of one iteration) to the tally. */
export function addIterationBytes(tally: IterationBytes, sentBytes: number, receivedBytes: number): void {
  const bytes = sentBytes + receivedBytes;
  if (bytes <= 0) return;
  tally.iterations += 1;
  tally.sentBytes += sentBytes;
  tally.receivedBytes += receivedBytes;
  if (bytes > tally.maxIterationBytes) tally.maxIterationBytes = bytes;
  const extra = Math.floor(bytes / EXCHANGE_BLOCK_BYTES);
  if (extra > 0) tally.extraBlocks.push(extra);
}

/**
 * The upper bound as a payload summary of `answered` requests whose blocks add up to answered + Σ extra
 * blocks: the iterations with extra blocks first, one exchange each (the largest first; past `answered`
 * iterations, the last exchange takes the rest), every other request one block.
 */
export function boundedPayload(answered: number, tally: IterationBytes): PayloadSummary {
  const summary: PayloadSummary = {
    ...emptyPayload(),
    requests: answered,
    requestBytes: tally.sentBytes,
    responseBytes: tally.receivedBytes,
    maxExchangeBytes: tally.maxIterationBytes,
    source: "k6-iteration-bytes",
  };
  if (answered === 0) return summary;
  const extras = [...tally.extraBlocks].sort((a, b) => b - a);
  const big = Math.min(extras.length, answered);
  const blocks = extras.slice(0, big).map((extra) => 1 + extra);
  const rest = extras.slice(big).reduce((sum, extra) => sum + extra, 0);
  if (rest > 0) blocks[big - 1] = (blocks[big - 1] ?? 1) + rest;
  for (const b of blocks)
    summary.exchangesBy512KiB[String(b)] = (summary.exchangesBy512KiB[String(b)] ?? 0) + 1;
  if (answered > big) summary.exchangesBy512KiB["1"] = (summary.exchangesBy512KiB["1"] ?? 0) + answered - big;
  return summary;
}

/**
 * The run's payload: the measured bodies when every answered request carried its sizes, else the bound from
 * the bytes per iteration, else undefined (no JSON output to read them from).
 *
 * @example k6Payload({ answered: 2, bodies, iterationBytes }) // bodies when bodies.requests === 2
 */
export function k6Payload(input: {
  /** Requests that got an HTTP status (k6's `status` tag not "0"). */
  answered: number;
  /** The sizes the answered-request samples carried. */
  bodies: PayloadSummary;
  iterationBytes: IterationBytes;
}): PayloadSummary | undefined {
  if (input.bodies.requests === input.answered) return input.bodies;
  if (input.iterationBytes.iterations > 0) return boundedPayload(input.answered, input.iterationBytes);
  return undefined;
}
