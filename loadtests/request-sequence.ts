/**
 * Common random numbers: the whole request sequence of a run, planned up front from the seed and nothing
 * else, so every memory setting replays exactly the same requests (operation, id, item size, body) against
 * the same table state, and a difference between settings comes from the setting. Pure and plain JSON: the
 * built-in engine sends request `i` at its i-th scheduled time; k6 reads the same JSON file (`open()` in its
 * init context) and sends request `exec.scenario.iterationInTest`. Contract in docs/loadtests.md.
 *
 * Nothing depends on responses. Reads, updates and deletes target items that exist by construction: the
 * `preseed` items (created through the API before the run) and items the sequence itself created earlier;
 * an id is never targeted again within `reuseGapRequests` requests of the last request on it, so two
 * requests on one id are never in flight together at the planned rate (they would race, and their DynamoDB
 * units would depend on which one won). A deleted id leaves the key space for good. Expected statuses are
 * therefore exact: 201 for a create, 200 (204) for everything else.
 */
import { createRandom, deriveSeed, type Random } from "./random.ts";
import type { OperationName } from "./run-result.ts";
import { resolveWorkload, type WorkloadConfig, type WorkloadInput } from "./workload/config.ts";
import { cumulativeMix, drawOperation, drawSizeBytes, type PlannedRequest } from "./workload/model.ts";
import { createZipfSampler } from "./workload/zipf.ts";

export const REQUEST_SEQUENCE_FORMAT = 1 as const;

/** One request of the sequence: a PlannedRequest with its index (plain JSON). */
export interface SequencedRequest extends PlannedRequest {
  /** Position in the sequence: the built-in engine's iteration, k6's `exec.scenario.iterationInTest`. */
  index: number;
}

/** An item that must exist before request 0: created with `POST /items` and this body. */
export interface SeedItem {
  id: string;
  body: string;
}

export interface RequestSequence {
  format: typeof REQUEST_SEQUENCE_FORMAT;
  seed: number;
  /** "measure": the mix as configured; "warmup": reads and lists of preseeded items only (no state change). */
  kind: "measure" | "warmup";
  idPrefix: string;
  reuseGapRequests: number;
  preseed: SeedItem[];
  requests: SequencedRequest[];
  /** Ids the sequence's creates make (deleted again after each setting). */
  createdIds: string[];
  /** Preseeded ids the sequence updates or deletes (put back to their seed body after each setting). */
  changedPreseedIds: string[];
  /**
   * A workload file's seed: the requests that create its seeded entities before the first setting (the bundled
   * CRUD sequence seeds with `POST /items` and `preseed` instead). loadtests/workload/plan.ts.
   */
  seedRequests?: SequencedRequest[];
  /** The workload file's name, when the sequence was planned from one. */
  workload?: string;
  /** A workload file's API reset (reset: api): how the table is put back through the API. */
  reset?: SequenceReset;
}

/** Requests that put the table back through the API (tuning/adapters/table-state.ts, ApiTableState). */
export interface SequenceReset {
  /** Delete what the sequence creates (after each setting, and before the first in case a run left it). */
  created: SequencedRequest[];
  /** Seeded entities the sequence changes: delete, then the seed request again. */
  changedSeeds: Array<{ remove: SequencedRequest; seed: SequencedRequest }>;
  /** Delete every seeded entity (before seeding, and at the end of the run). */
  seeds: SequencedRequest[];
}

export interface SequenceOptions {
  seed: number;
  /** Requests to plan (the schedule's iterations). */
  count: number;
  workload?: WorkloadInput | WorkloadConfig;
  /** @default "measure" */
  kind?: "measure" | "warmup";
  /** Items that exist before the run (ids `<prefix>-s<n>`). @default 0 */
  preseedCount?: number;
  /**
   * Fewest requests between two requests on the same id: at least the planned rate × the longest latency
   * expected (see `reuseGapFor`). @default 1
   */
  reuseGapRequests?: number;
  /** Prefix of every id, [A-Za-z0-9_-]. @default `pb<seed in base 36>` */
  idPrefix?: string;
}

/** The fields every planned sequence starts with, in this order; the rest is the planner's. */
export type SequenceHeader = Pick<
  RequestSequence,
  "format" | "seed" | "kind" | "idPrefix" | "reuseGapRequests"
>;

/**
 * Where both planners (this one and loadtests/workload/plan.ts) start: the seed as an unsigned 32-bit integer,
 * the kind (@default "measure"), the id prefix (@default `pb<seed in base 36>`), and two independent random
 * streams: `seedRandom` for what exists before request 0 (the same for the warm-up and the measured
 * sequence), `random` for the requests (its own per kind).
 */
export function sequenceStart(
  options: { seed: number; kind?: RequestSequence["kind"]; idPrefix?: string },
  reuseGapRequests: number,
): { header: SequenceHeader; seedRandom: Random; random: Random } {
  const seed = options.seed >>> 0;
  const kind = options.kind ?? "measure";
  return {
    header: {
      format: REQUEST_SEQUENCE_FORMAT,
      seed,
      kind,
      idPrefix: options.idPrefix ?? `pb${seed.toString(36)}`,
      reuseGapRequests,
    },
    seedRandom: createRandom(deriveSeed(seed, 0)),
    random: createRandom(deriveSeed(seed, kind === "warmup" ? 2 : 1)),
  };
}

/** Default of `reuseGapFor`: one second of traffic between two requests on one id. */
export const REUSE_GAP_S = 1;

/** The reuse gap for a peak rate: ⌈rate × REUSE_GAP_S⌉ requests, at least 1. */
export function reuseGapFor(peakRatePerSec: number, gapS = REUSE_GAP_S): number {
  return Math.max(1, Math.ceil(peakRatePerSec * gapS));
}

const EXPECTED: Record<OperationName, number[]> = {
  create: [201],
  read: [200],
  update: [200],
  list: [200],
  delete: [204, 200],
};

/** The key space: ids in popularity order (oldest first), with lazy removal. */
class KeySpace {
  private ids: string[] = [];
  private readonly removed = new Set<string>();
  private readonly lastTouched = new Map<string, number>();

  add(id: string, index: number): void {
    this.ids.push(id);
    this.lastTouched.set(id, index);
  }

  /** Initial items: never touched yet. */
  addUntouched(id: string): void {
    this.ids.push(id);
  }

  get size(): number {
    return this.ids.length;
  }

  private eligible(id: string, index: number, gap: number): boolean {
    if (this.removed.has(id)) return false;
    const last = this.lastTouched.get(id);
    return last === undefined || index - last >= gap;
  }

  /** An eligible id by popularity rank (1-based draws), or undefined when every id is busy or gone. */
  draw(rank: () => number, index: number, gap: number): string | undefined {
    for (let attempt = 0; attempt < 16; attempt++) {
      const id = this.ids[rank() - 1];
      if (id !== undefined && this.eligible(id, index, gap)) return id;
    }
    return this.ids.find((id) => this.eligible(id, index, gap));
  }

  touch(id: string, index: number): void {
    this.lastTouched.set(id, index);
  }

  remove(id: string): void {
    this.removed.add(id);
    if (this.removed.size > 64 && this.removed.size * 2 > this.ids.length) {
      this.ids = this.ids.filter((x) => !this.removed.has(x));
      this.removed.clear();
    }
  }
}

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`request sequence: ${name} must be an integer ≥ ${min}, got ${value}`);
  }
  return value;
}

/**
 * The request sequence of a run. Same options, same sequence, byte for byte.
 *
 * @example buildRequestSequence({ seed: 1, count: 300, preseedCount: 64, reuseGapRequests: reuseGapFor(50) })
 */
export function buildRequestSequence(options: SequenceOptions): RequestSequence {
  const count = checkCount("count", options.count, 0);
  const preseedCount = checkCount("preseedCount", options.preseedCount ?? 0, 0);
  const gap = checkCount("reuseGapRequests", options.reuseGapRequests ?? 1, 1);
  const { header, seedRandom: preseedRandom, random } = sequenceStart(options, gap);
  const { kind, idPrefix } = header;
  if (!/^[A-Za-z0-9_-]+$/.test(idPrefix)) {
    throw new RangeError(`request sequence: idPrefix must match [A-Za-z0-9_-]+, got "${idPrefix}"`);
  }
  const config = resolveWorkload(options.workload as WorkloadInput);
  const mix = cumulativeMix(kind === "warmup" ? warmupMix(config) : config.mix);
  const zipf = createZipfSampler(config.zipfExponent, random);

  const keys = new KeySpace();
  const preseed: SeedItem[] = [];
  for (let n = 1; n <= preseedCount; n++) {
    const id = `${idPrefix}-s${n}`;
    preseed.push({ id, body: itemBody(id, drawSizeBytes(config.itemSize, preseedRandom)) });
    keys.addUntouched(id);
  }
  const preseedIds = new Set(preseed.map((s) => s.id));
  const changed = new Set<string>();
  const createdIds: string[] = [];
  const rank = () =>
    config.keyPopularity === "uniform" ? 1 + random.int(keys.size) : zipf.sample(keys.size);

  const requests: SequencedRequest[] = [];
  for (let index = 0; index < count; index++) {
    let operation = drawOperation(mix, random);
    let id: string | undefined;
    if (operation === "read" || operation === "update" || operation === "delete") {
      id = keys.size > 0 ? keys.draw(rank, index, gap) : undefined;
      // Nothing can be targeted yet: create (the warm-up only reads, so it lists instead).
      if (id === undefined) operation = kind === "warmup" || config.mix.create <= 0 ? "list" : "create";
    }
    const expectedStatuses = [...EXPECTED[operation]];
    if (operation === "list") {
      requests.push({
        index,
        operation,
        method: "GET",
        path: `/items?limit=${config.listLimit}`,
        expectedStatuses,
      });
      continue;
    }
    if (operation === "create") {
      id = `${idPrefix}-c${createdIds.length + 1}`;
      createdIds.push(id);
      keys.add(id, index);
      const body = itemBody(id, drawSizeBytes(config.itemSize, random));
      requests.push({ index, operation, method: "POST", path: "/items", body, id, expectedStatuses });
      continue;
    }
    const target = id as string;
    keys.touch(target, index);
    const path = `/items/${target}`;
    if (preseedIds.has(target) && operation !== "read") changed.add(target);
    if (operation === "read")
      requests.push({ index, operation, method: "GET", path, id: target, expectedStatuses });
    else if (operation === "delete") {
      keys.remove(target);
      requests.push({ index, operation, method: "DELETE", path, id: target, expectedStatuses });
    } else {
      const method = random.next() < config.patchShare ? "PATCH" : "PUT";
      const body = itemBody(target, drawSizeBytes(config.itemSize, random));
      requests.push({ index, operation, method, path, body, id: target, expectedStatuses });
    }
  }
  return { ...header, preseed, requests, createdIds, changedPreseedIds: [...changed] };
}

/** The warm-up reads and lists only (reads when the mix has neither), so it leaves the table as it found it. */
function warmupMix(config: WorkloadConfig): Record<OperationName, number> {
  const { read, list } = config.mix;
  return read + list > 0
    ? { create: 0, read, update: 0, list, delete: 0 }
    : { create: 0, read: 1, update: 0, list: 0, delete: 0 };
}

/** A JSON item body of exactly `sizeBytes` (ASCII), the id inside: the client chooses ids. */
export function itemBody(id: string, sizeBytes: number): string {
  const head = `{"id":"${id}","name":"item ${id}","payload":"`;
  const fill = Math.max(0, sizeBytes - head.length - 2);
  return `${head}${"x".repeat(fill)}"}`;
}

/** The sequence as JSON text, for k6 (`open()` in its init context, path passed with `-e`). */
export function serializeRequestSequence(sequence: RequestSequence): string {
  return JSON.stringify(sequence);
}

/** Parses and checks a serialised sequence (k6's side reads the same shape). */
export function parseRequestSequence(text: string): RequestSequence {
  const data = JSON.parse(text) as Partial<RequestSequence>;
  if (data.format !== REQUEST_SEQUENCE_FORMAT || !Array.isArray(data.requests)) {
    throw new RangeError(
      `request sequence: expected format ${REQUEST_SEQUENCE_FORMAT} with a requests list, got format ${JSON.stringify(data.format)}`,
    );
  }
  return data as RequestSequence;
}
