/**
 * The soak: a fixed request rate for a bounded time against the stage (running in its own process), a ledger
 * of every acknowledged write, read checks on the way, RSS of every stage process sampled, and at the end the
 * verification: every id read back through the API and compared with the ledger, the table scanned for items
 * no write created, and the RSS trend of each process.
 */

import { Pool } from "undici";
import { sleep } from "../support/wait.ts";
import {
  canonical,
  type Ticket,
  type VerifyResult,
  verifyLedger,
  type WriteKind,
  WriteLedger,
} from "./ledger.ts";
import { type ProcessRss, sampleProcessTree } from "./process-rss.ts";
import { type ProcessTrend, type RssSample, rssTrend, type TrendBounds } from "./rss-trend.ts";
import { IdPool, scanIds, seeded } from "./soak-support.ts";
import type { StageChild } from "./stage-child.ts";

export const DEFAULTS = {
  /**
   * @default 1200 (20 minutes). The stage retains telemetry by design (log events, per-second metric buckets)
   * up to its stores' caps; the log store reaches its cap after about 8 minutes at 40 req/s, so only a run
   * this long shows the plateau that tells bounded retention from a leak (a 5-minute run's second half is
   * still filling the stores: 2.12 MB/min against the 2 MB/min bound; docs/reliability.md).
   */
  durationS: 1200,
  /** Requests started per second. @default 40 */
  ratePerS: 40,
  /**
   * Requests in flight at most; a request due while this many are in flight is skipped and counted. It also
   * bounds the number of Lambda environments the soak can cause. @default 8
   */
  maxInFlight: 8,
  /** @default 1000 */
  sampleEveryMs: 1000,
  /** @default 7 */
  seed: 7,
  /**
   * Slope allowed for the floor (lowest sample per 30 s) of each series' second half: 2 MB/min. A warm process
   * that only breathes with GC stays well below it; a leak of ~1 KB per request at 40 req/s (2.3 MB/min) in
   * one process exceeds it. At least 4 windows (2 minutes) of second half for a verdict.
   */
  bounds: { maxSlopeMbPerMin: 2, windowMs: 30_000, minWindows: 4 } satisfies TrendBounds,
} as const;

export type SoakOp = WriteKind | "read";

export interface SoakOptions {
  durationS: number;
  ratePerS: number;
  maxInFlight?: number;
  sampleEveryMs?: number;
  seed?: number;
  bounds?: TrendBounds;
  /** Progress lines (every ~30 s). */
  onProgress?: (line: string) => void;
}

export interface SoakFigures {
  durationS: number;
  ratePerS: number;
  requests: number;
  byOp: Record<SoakOp, number>;
  byStatus: Record<string, number>;
  /** Unexpected statuses and network failures. */
  errors: number;
  /** The first errors in full: when, what, and what came back. */
  firstErrors: string[];
  errorRate: number;
  /** Requests not started because maxInFlight requests were still running. */
  skipped: number;
  acknowledgedWrites: number;
  unacknowledgedWrites: number;
  overlappingWrites: number;
  /** Reads during the run that disagreed with the ledger. */
  staleReads: number;
  verify: VerifyResult;
  /** Final read-back requests that failed (not 200/404). */
  verifyErrors: number;
  /**
   * Memory series: RSS of every stage process, and the stage process's heap after a full GC net of the log
   * bytes its CloudWatch Logs store retains. `judged` rows decide `rssFlat`; the stage's raw RSS (garbage not yet
   * collected plus retained telemetry) and the retained log bytes are shown for information.
   */
  rss: (ProcessTrend & { judged: boolean })[];
  /** Every judged series flat (or too short to judge). */
  rssFlat: boolean;
  bounds: TrendBounds;
  elapsedMs: number;
}

const STAGE_NET_HEAP = "stage: heap after GC − retained log bytes";
const RETAINED_LOGS = "stage: retained CloudWatch Logs bytes";
/** Series shown but not judged: raw RSS of the stage process, and what its log store retains. */
const INFORMATIONAL = new Set(["stage", RETAINED_LOGS]);

const EXPECTED_STATUS: Record<SoakOp, number> = {
  create: 201,
  replace: 200,
  patch: 200,
  delete: 200,
  read: 200,
};

export async function runSoak(stage: StageChild, options: SoakOptions): Promise<SoakFigures> {
  const startMs = performance.now();
  const maxInFlight = options.maxInFlight ?? DEFAULTS.maxInFlight;
  const bounds = options.bounds ?? DEFAULTS.bounds;
  const random = seeded(options.seed ?? DEFAULTS.seed);
  const api = new URL(stage.endpoints.apiUrl);
  const pool = new Pool(api.origin, {
    connections: maxInFlight,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const ledger = new WriteLedger();
  const present = new IdPool();
  const writesOn = new Map<string, number>();
  const byOp: Record<SoakOp, number> = { create: 0, replace: 0, patch: 0, delete: 0, read: 0 };
  const byStatus: Record<string, number> = {};
  const rss = new Map<string, RssSample[]>();
  let inFlight = 0;
  let requests = 0;
  let errors = 0;
  const firstErrors: string[] = [];
  const noteError = (op: SoakOp, id: string, what: string) => {
    errors++;
    if (firstErrors.length < 10)
      firstErrors.push(
        `${((performance.now() - startMs) / 1000).toFixed(1)} s: ${op} ${id}: ${what.slice(0, 300)}`,
      );
  };
  let skipped = 0;
  let staleReads = 0;
  let nextId = 0;
  const running = new Set<Promise<void>>();

  const call = async (method: string, id: string | undefined, body?: unknown) => {
    const res = await pool.request({
      method,
      path: `${api.pathname}/items${id === undefined ? "" : `/${id}`}`,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.body.text();
    let json: unknown = text;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text, for the error report
    }
    return { status: res.statusCode, json };
  };

  const choose = (): { op: SoakOp; id: string } => {
    const r = random();
    const op: SoakOp =
      r < 0.25 ? "create" : r < 0.45 ? "replace" : r < 0.65 ? "patch" : r < 0.8 ? "delete" : "read";
    if (op !== "create") {
      // An id with no write in flight: writes on one id never overlap, so acknowledgement order is apply order.
      for (let tries = 0; tries < 5; tries++) {
        const id = present.pick(random);
        if (id !== undefined && !ledger.busy(id)) return { op, id };
      }
    }
    return { op: "create", id: `soak-${options.seed ?? DEFAULTS.seed}-${nextId++}` };
  };

  const one = async (op: SoakOp, id: string, seq: number) => {
    byOp[op]++;
    const ticket: Ticket | undefined = op === "read" ? undefined : ledger.send(id, op);
    const writesAtSend = writesOn.get(id) ?? 0;
    if (op === "delete") present.remove(id);
    try {
      const answer =
        op === "create"
          ? await call("POST", undefined, { id, v: seq, note: `created at ${seq}` })
          : op === "replace"
            ? await call("PUT", id, { v: seq, replaced: true })
            : op === "patch"
              ? await call("PATCH", id, { v: seq, patchedAt: seq })
              : op === "delete"
                ? await call("DELETE", id)
                : await call("GET", id);
      byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1;
      if (answer.status !== EXPECTED_STATUS[op]) {
        noteError(op, id, `status ${answer.status} ${JSON.stringify(answer.json)}`);
        if (ticket) ledger.fail(ticket, `status ${answer.status}`);
        return;
      }
      if (ticket) {
        ledger.acknowledge(ticket, answer.json);
        writesOn.set(id, writesAtSend + 1);
        if (op !== "delete") present.add(id);
      } else if (!ledger.busy(id) && (writesOn.get(id) ?? 0) === writesAtSend) {
        // No write on this id started or ended while the read ran: it must see the last acknowledged value.
        const expected = ledger.expectation(id);
        if (expected?.state === "present" && canonical(expected.value) !== canonical(answer.json))
          staleReads++;
      }
    } catch (error) {
      byStatus["network error"] = (byStatus["network error"] ?? 0) + 1;
      noteError(op, id, `${(error as Error).name}: ${(error as Error).message}`);
      if (ticket) ledger.fail(ticket, (error as Error).message);
    }
  };

  const push = (label: string, atMs: number, kb: number) => {
    const list = rss.get(label) ?? [];
    list.push({ atMs, rssKb: kb });
    rss.set(label, list);
  };
  let samples = 0;
  const sample = () => {
    const atMs = performance.now() - startMs;
    for (const p of sampleProcessTree(stage.pid) as ProcessRss[]) push(p.label, atMs, p.rssKb);
    // Every 5th sample: the stage's heap after a full GC (a GC a second would disturb the run).
    if (samples++ % 5 === 0) {
      stage.stats().then(
        (stats) => {
          push(RETAINED_LOGS, atMs, stats.retainedLogKb);
          if (stats.heapAfterGcKb !== undefined)
            push(STAGE_NET_HEAP, atMs, stats.heapAfterGcKb - stats.retainedLogKb);
        },
        () => undefined,
      );
    }
  };
  // Warm-up, not counted: one warm environment before the clock starts, so the run does not open with a storm
  // of cold starts (each needs ~1 s of CPU on this machine) piling up behind the first.
  for (let i = 0; i < 3; i++) await call("GET", undefined).catch(() => undefined);
  sample();
  const sampler = setInterval(sample, options.sampleEveryMs ?? DEFAULTS.sampleEveryMs);
  const total = Math.floor(options.durationS * options.ratePerS);
  const intervalMs = 1000 / options.ratePerS;
  const loadStartMs = performance.now();
  let lastProgressMs = loadStartMs;
  try {
    for (let i = 0; i < total; i++) {
      const waitMs = loadStartMs + i * intervalMs - performance.now();
      if (waitMs > 0) await sleep(waitMs);
      if (inFlight >= maxInFlight) {
        skipped++;
        continue;
      }
      const { op, id } = choose();
      requests++;
      inFlight++;
      const p = one(op, id, i).finally(() => {
        inFlight--;
        running.delete(p);
      });
      running.add(p);
      if (options.onProgress && performance.now() - lastProgressMs > 30_000) {
        lastProgressMs = performance.now();
        options.onProgress(
          `${Math.round((performance.now() - startMs) / 1000)} s: ${requests} requests, ${errors} errors`,
        );
      }
    }
    await Promise.all(running);
  } finally {
    clearInterval(sampler);
  }
  sample();

  // Verification: every id ever written, read back through the API (8 at a time).
  const readBack = new Map<string, unknown>();
  let verifyErrors = 0;
  const ids = ledger.ids();
  for (let i = 0; i < ids.length; i += 8) {
    await Promise.all(
      ids.slice(i, i + 8).map(async (id) => {
        const answer = await call("GET", id).catch(() => ({ status: 0, json: undefined }));
        if (answer.status === 200) readBack.set(id, answer.json);
        else if (answer.status !== 404) verifyErrors++;
      }),
    );
  }
  await pool.close();
  const verify = verifyLedger(ledger, readBack, await scanIds(stage));
  const trends = [...rss.entries()].map(([label, series]) => ({
    ...rssTrend(label, series, bounds),
    judged: !INFORMATIONAL.has(label),
  }));
  return {
    durationS: options.durationS,
    ratePerS: options.ratePerS,
    requests,
    byOp,
    byStatus,
    errors,
    firstErrors,
    errorRate: requests === 0 ? 0 : errors / requests,
    skipped,
    acknowledgedWrites: ledger.acknowledgedWrites,
    unacknowledgedWrites: ledger.unacknowledgedWrites,
    overlappingWrites: ledger.overlapping,
    staleReads,
    verify,
    verifyErrors,
    rss: trends,
    rssFlat: trends.every((t) => !t.judged || t.verdict !== "growing"),
    bounds,
    elapsedMs: performance.now() - startMs,
  };
}
