/**
 * The per-second timeline and the overall HDR latency histogram of a k6 run, from k6's JSON output
 * (`k6 run --out json=<file>`, gzipped when the name ends in .gz): one JSON object a line; a `{"type":"Point","metric":"http_req_duration",
 * "data":{"time","value","tags"}}` line is one request, with its duration in ms (`value`), the time k6 took the
 * sample (`time`, when the request ended) and its tags (`expected_response` is "false" when the status was not
 * one the script's response callback expects: the workload's errors).
 *
 * A `pb_answered` point (ANSWERED_COUNTER) is one answered request; its `metadata.lambda_request_id`, when
 * present, is the Lambda request id the service answered with (collected in order, for exact attribution), and
 * its `request_bytes` / `response_bytes` the exchange's body sizes (exchange-size.ts). `data_sent` and
 * `data_received` points (one of each per iteration, at the same time) are an iteration's bytes on the wire,
 * the bound on body sizes when the requests carried none (payload.ts).
 *
 * A request counts in the second it started (sample time − duration, as k6 stamps the sample when the request
 * ends), counted from the first request's start: the nearest k6 has to the built-in engine's intended start,
 * since its arrival-rate executors start iterations on schedule or drop them. The file is streamed line
 * by line; per-second p95 histograms are kept only for the last OPEN_SECONDS seconds, so memory stays bounded on
 * long runs (a sample later than that still counts in its second's requests and errors, not in its p95).
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import type { Histogram } from "hdr-histogram-js";
import * as hdr from "hdr-histogram-js";
import { newLatencyHistogram } from "../../latency-histogram.ts";
import { latencySummary } from "../../recorder.ts";
import {
  addExchange,
  type LatencySummary,
  type PayloadSummary,
  type TimelinePoint,
} from "../../run-result.ts";
import { REQUEST_BYTES_METADATA, RESPONSE_BYTES_METADATA } from "./exchange-size.ts";
import { ANSWERED_COUNTER, LAMBDA_REQUEST_ID_METADATA } from "./options.ts";
import { addIterationBytes, emptyPayload, type IterationBytes } from "./payload.ts";

/** Seconds behind the newest sample for which a second's p95 stays open to late samples. */
export const OPEN_SECONDS = 30;

interface K6Point {
  type?: unknown;
  metric?: unknown;
  data?: {
    time?: unknown;
    value?: unknown;
    tags?: Record<string, unknown> | null;
    metadata?: Record<string, unknown> | null;
  };
}

export interface K6Timeline {
  timeline: TimelinePoint[];
  /** All requests' latencies (µs), compressed base64 like the built-in engine's; absent without requests. */
  histogram?: string;
  /**
   * The latency summary of that histogram, with the built-in engine's percentile definition (HDR, nearest
   * rank): k6's own trend stats interpolate between samples, so their p99 of 80 requests sits below the largest
   * latency, and could then fall below the Lambda-side p99 of the same requests.
   */
  latency?: LatencySummary;
  /** Each operation's latencies (by the `op` tag), encoded the same way, for merging runs (merge.ts). */
  operationHistograms: Record<string, string>;
  requests: number;
  /** Lines that were not JSON, or http_req_duration points without a time or value. */
  badLines: number;
  /** Samples that came after their second's p95 was closed (counted, not in that p95). */
  lateSamples: number;
  /** The Lambda request ids of the answered requests that carried one, in the order k6 wrote them. */
  lambdaRequestIds: string[];
  /** Answered requests without a Lambda request id. */
  answeredWithoutLambdaRequestId: number;
  /** HTTP status (k6's `status` tag, "0" without an answer) → requests. */
  statusCounts: Record<string, number>;
  /** Requests whose status the script's response callback did not expect (`expected_response` "false"). */
  errors: number;
  /** Epoch ms of the first request's start and the last request's end; absent without requests. */
  firstStartMs?: number;
  lastEndMs?: number;
  /** Body sizes of the answered requests whose sample carried them. */
  bodies: PayloadSummary;
  /** k6's bytes on the wire per iteration (data_sent + data_received). */
  iterationBytes: IterationBytes;
}

/** A non-negative whole number from a metadata value, else undefined. */
function byteCount(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}

/** Folds http_req_duration samples into seconds. Feed it lines (or samples), then call result(). */
export class K6TimelineBuilder {
  private originMs: number | undefined;
  private readonly requests: number[] = [];
  private readonly errors: number[] = [];
  private readonly p95Ms: Array<number | undefined> = [];
  private readonly open = new Map<number, Histogram>();
  private readonly overall = newLatencyHistogram("run");
  private readonly byOperation = new Map<string, Histogram>();
  private newestSecond = 0;
  private total = 0;
  private bad = 0;
  private late = 0;
  private readonly lambdaRequestIds: string[] = [];
  private answeredWithoutId = 0;
  private readonly statusCounts: Record<string, number> = {};
  private errorTotal = 0;
  private firstStartMs: number | undefined;
  private lastEndMs: number | undefined;
  private readonly bodies = emptyPayload();
  private readonly iterationBytes: IterationBytes = {
    iterations: 0,
    sentBytes: 0,
    receivedBytes: 0,
    maxIterationBytes: 0,
    extraBlocks: [],
  };
  /** data_sent values by their sample time, waiting for the iteration's data_received (same time). */
  private readonly sentAt = new Map<string, number[]>();

  /** Seconds whose p95 histogram is still open (at most OPEN_SECONDS + 1). */
  get openSeconds(): number {
    return this.open.size;
  }

  /** One line of k6's JSON output; every line that is not an http_req_duration point is skipped. */
  addLine(line: string): void {
    // Most lines are other metrics: skip them before parsing.
    const answer = line.includes(ANSWERED_COUNTER);
    const bytes = line.includes('"data_');
    if (!answer && !bytes && !line.includes("http_req_duration")) return;
    let point: K6Point;
    try {
      point = JSON.parse(line) as K6Point;
    } catch {
      this.bad += 1;
      return;
    }
    if (point.type !== "Point") return;
    if (point.metric === ANSWERED_COUNTER) {
      const metadata = point.data?.metadata;
      const id = metadata?.[LAMBDA_REQUEST_ID_METADATA];
      if (typeof id === "string" && id !== "") this.lambdaRequestIds.push(id);
      else this.answeredWithoutId += 1;
      const requestBytes = byteCount(metadata?.[REQUEST_BYTES_METADATA]);
      const responseBytes = byteCount(metadata?.[RESPONSE_BYTES_METADATA]);
      if (requestBytes !== undefined && responseBytes !== undefined)
        addExchange(this.bodies, requestBytes, responseBytes);
      return;
    }
    if (point.metric === "data_sent" || point.metric === "data_received") {
      this.addBytes(point.metric, point.data?.time, point.data?.value);
      return;
    }
    if (point.metric !== "http_req_duration") return;
    const timeMs = typeof point.data?.time === "string" ? Date.parse(point.data.time) : Number.NaN;
    const value = point.data?.value;
    if (!Number.isFinite(timeMs) || typeof value !== "number" || !Number.isFinite(value)) {
      this.bad += 1;
      return;
    }
    const op = point.data?.tags?.["op"];
    const status = point.data?.tags?.["status"];
    const statusKey = typeof status === "string" && status !== "" ? status : "0";
    this.statusCounts[statusKey] = (this.statusCounts[statusKey] ?? 0) + 1;
    if (point.data?.tags?.["expected_response"] === "false") this.errorTotal += 1;
    this.lastEndMs = Math.max(this.lastEndMs ?? timeMs, timeMs);
    this.addSample(
      timeMs - value,
      value,
      point.data?.tags?.["expected_response"] === "false",
      typeof op === "string" ? op : undefined,
    );
  }

  /** One request: when it started (epoch ms), its duration (ms), whether it was an error, its operation. */
  addSample(startMs: number, durationMs: number, error: boolean, operation?: string): void {
    this.originMs ??= startMs;
    this.firstStartMs = Math.min(this.firstStartMs ?? startMs, startMs);
    const second = Math.max(0, Math.floor((startMs - this.originMs) / 1000));
    while (this.requests.length <= second) {
      this.requests.push(0);
      this.errors.push(0);
      this.p95Ms.push(undefined);
    }
    this.requests[second] = (this.requests[second] ?? 0) + 1;
    if (error) this.errors[second] = (this.errors[second] ?? 0) + 1;
    const latencyUs = Math.max(1, Math.round(durationMs * 1000));
    this.overall.recordValue(latencyUs);
    if (operation !== undefined) {
      let h = this.byOperation.get(operation);
      if (!h) {
        h = newLatencyHistogram("run");
        this.byOperation.set(operation, h);
      }
      h.recordValue(latencyUs);
    }
    this.total += 1;
    if (second + OPEN_SECONDS < this.newestSecond) {
      this.late += 1;
      return;
    }
    let h = this.open.get(second);
    if (!h) {
      h = newLatencyHistogram("second");
      this.open.set(second, h);
    }
    h.recordValue(latencyUs);
    if (second > this.newestSecond) {
      this.newestSecond = second;
      this.closeBefore(second - OPEN_SECONDS);
    }
  }

  /**
   * One of an iteration's two byte counts. k6 emits data_sent then data_received with the same time at the end
   * of each iteration; a data_received is paired with the data_sent of its time.
   */
  private addBytes(metric: "data_sent" | "data_received", time: unknown, value: unknown): void {
    if (typeof time !== "string" || typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      this.bad += 1;
      return;
    }
    if (metric === "data_sent") {
      const waiting = this.sentAt.get(time);
      if (waiting) waiting.push(value);
      else this.sentAt.set(time, [value]);
      return;
    }
    const waiting = this.sentAt.get(time);
    const sent = waiting?.shift() ?? 0;
    if (waiting && waiting.length === 0) this.sentAt.delete(time);
    addIterationBytes(this.iterationBytes, sent, value);
  }

  private closeBefore(second: number): void {
    for (const [s, h] of this.open) {
      if (s >= second) continue;
      this.p95Ms[s] = h.getValueAtPercentile(95) / 1000;
      this.open.delete(s);
    }
  }

  result(): K6Timeline {
    this.closeBefore(Number.POSITIVE_INFINITY);
    // A data_sent whose data_received never came (a file cut short): its iteration's bytes are what was sent.
    for (const sents of this.sentAt.values())
      for (const sent of sents) addIterationBytes(this.iterationBytes, sent, 0);
    this.sentAt.clear();
    const timeline: TimelinePoint[] = this.requests.map((requests, second) => {
      const point: TimelinePoint = { second, requests, errors: this.errors[second] ?? 0 };
      const p95 = this.p95Ms[second];
      if (requests > 0 && p95 !== undefined) point.p95Ms = p95;
      return point;
    });
    const out: K6Timeline = {
      timeline,
      requests: this.total,
      badLines: this.bad,
      lateSamples: this.late,
      lambdaRequestIds: this.lambdaRequestIds,
      answeredWithoutLambdaRequestId: this.answeredWithoutId,
      statusCounts: { ...this.statusCounts },
      errors: this.errorTotal,
      ...(this.firstStartMs !== undefined ? { firstStartMs: this.firstStartMs } : {}),
      ...(this.lastEndMs !== undefined ? { lastEndMs: this.lastEndMs } : {}),
      bodies: { ...this.bodies, exchangesBy512KiB: { ...this.bodies.exchangesBy512KiB } },
      iterationBytes: { ...this.iterationBytes, extraBlocks: [...this.iterationBytes.extraBlocks] },
      operationHistograms: Object.fromEntries(
        [...this.byOperation].map(([op, h]) => [op, hdr.encodeIntoCompressedBase64(h)]),
      ),
    };
    if (this.total > 0) {
      out.histogram = hdr.encodeIntoCompressedBase64(this.overall);
      out.latency = latencySummary(this.overall, this.total);
    }
    return out;
  }
}

/**
 * Reads k6's JSON output file line by line (gunzipped on the fly when it ends in .gz, as k6 then writes it).
 * Never throws: a missing or unreadable file gives an empty timeline and a warning saying why; a file cut
 * short keeps what was read, with a warning; lines that are not JSON are skipped and counted in the warning.
 */
export async function readK6Timeline(file: string): Promise<K6Timeline & { warning?: string }> {
  const builder = new K6TimelineBuilder();
  let readError: Error | undefined;
  try {
    const raw = createReadStream(file);
    let input: NodeJS.ReadableStream = raw;
    if (file.endsWith(".gz")) {
      const gunzip = createGunzip();
      raw.on("error", (error) => gunzip.destroy(error));
      input = raw.pipe(gunzip);
    }
    const lines = createInterface({ input, crlfDelay: Infinity });
    for await (const line of lines) builder.addLine(line);
  } catch (error) {
    readError = error as Error;
  }
  const result: K6Timeline & { warning?: string } = builder.result();
  const problems: string[] = [];
  if (readError) problems.push(`reading it failed (${readError.message})`);
  if (result.badLines > 0) problems.push(`${result.badLines} unreadable line(s) were skipped`);
  if (result.requests === 0) {
    problems.push(
      readError
        ? "no per-second timeline; k6 writes it when run with --out json=<file>"
        : "it holds no http_req_duration points: no per-second timeline",
    );
  } else if (readError) {
    problems.push("the timeline covers what was read");
  }
  if (problems.length > 0) result.warning = `k6's JSON output at ${file}: ${problems.join("; ")}`;
  return result;
}
