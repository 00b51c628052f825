/**
 * The same table state at every setting (common random numbers), two ways:
 *
 * - `ApiTableState`, through the API the load goes to (so it works the same on the local stage and on AWS and
 *   needs no DynamoDB access), for a workload file whose entities each have a route that deletes them (the
 *   bundled CRUD workload): what the sequence created is deleted, the seeded entities it changed are deleted
 *   and seeded again. Everything is planned with the sequence, not taken from what the run observed.
 * - `SnapshotTableState`, through DynamoDB, for any API and any key schema (a workload file with
 *   reset: snapshot, or the user's own k6 script): the table is scanned after the seed and written back to
 *   exactly that after every setting, and to what it held before the run at the end.
 *
 * Never a table wipe: on AWS the table is the user's. The resets' own invocations are not measured (exact
 * attribution keeps only the measured request ids).
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { RequestSequence, SequencedRequest, SequenceReset } from "../../loadtests/request-sequence.ts";
import { TuningError } from "../errors.ts";

/** A reset request got an answer that leaves the table in an unknown state. */
export class TableStateError extends TuningError {
  override name = "TableStateError";
}

export interface TableStateOptions {
  /** Base URL of the API, e.g. "http://127.0.0.1:3000/prod". */
  apiUrl: string;
  /** Requests in flight at once. @default 8 */
  concurrency?: number;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
}

export const TABLE_STATE_DEFAULTS = { concurrency: 8, timeoutMs: 10_000 } as const;

type Step = () => Promise<void>;

/** Runs steps with at most `limit` in flight; the first failure is thrown after the others settle. */
async function runLimited(steps: readonly Step[], limit: number): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < steps.length) {
      const step = steps[next++] as Step;
      try {
        await step();
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, steps.length) }, worker));
  if (failure) throw failure;
}

/** Where the table of a snapshot lives: the stage's DynamoDB endpoint, or AWS's (SDK default chain). */
export interface SnapshotTableOptions {
  tableName: string;
  region: string;
  /** The local stage's DynamoDB endpoint; absent on AWS. */
  endpoint?: string;
  /** Static credentials (the local stage); absent on AWS: the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Base URL of the API, for a workload file's seed requests. */
  apiUrl: string;
  /** Requests and writes in flight at once. @default 8 */
  concurrency?: number;
  /** Most items a snapshot holds; a bigger table is refused (the reset scans it after every setting). @default 50000 */
  maxItems?: number;
}

// A seed request may meet cold starts on a busy host: wait as long as API Gateway would (29 s integration timeout).
export const SNAPSHOT_DEFAULTS = { concurrency: 8, maxItems: 50_000, timeoutMs: 30_000 } as const;

type Item = Record<string, AttributeValue>;

/** JSON with sorted keys: two items with the same attributes compare equal whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return value instanceof Uint8Array
    ? JSON.stringify(Buffer.from(value).toString("base64"))
    : JSON.stringify(value);
}

/**
 * The same table state at every setting for any API and any table: the table is read (Scan) after the
 * workload's seed and written back to exactly that after each setting (items the setting added deleted, items
 * it changed or deleted put back), whatever the key schema (read with DescribeTable: a partition key, or a
 * partition and a sort key). At the end it goes back to what it held before the run. Used with a workload
 * file or a k6 script, whose requests the harness cannot undo through the API. It needs DynamoDB read and
 * write access to the table (on the local stage: its dynalite).
 */
export class SnapshotTableState {
  /** It puts back the whole table: never while the gate works on it (TableStatePort.besideGate). */
  readonly besideGate = false;
  private readonly client: DynamoDBClient;
  private readonly concurrency: number;
  private keyNames: string[] | undefined;
  private before: Map<string, Item> | undefined;
  private start: Map<string, Item> | undefined;

  constructor(
    private readonly options: SnapshotTableOptions,
    private readonly seedRequests: readonly SequencedRequest[] = [],
  ) {
    this.concurrency = options.concurrency ?? SNAPSHOT_DEFAULTS.concurrency;
    this.client = new DynamoDBClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 3,
    });
  }

  private async keys(): Promise<string[]> {
    if (!this.keyNames) {
      const table = await this.client.send(new DescribeTableCommand({ TableName: this.options.tableName }));
      const schema = table.Table?.KeySchema ?? [];
      // The partition key first, then the sort key: a key's identity is both.
      this.keyNames = [
        ...schema.filter((k) => k.KeyType === "HASH"),
        ...schema.filter((k) => k.KeyType === "RANGE"),
      ].map((k) => k.AttributeName as string);
    }
    return this.keyNames;
  }

  private keyOf(item: Item, names: readonly string[]): string {
    return canonical(names.map((n) => item[n]));
  }

  /** Every item of the table, by key. */
  async snapshot(): Promise<Map<string, Item>> {
    const names = await this.keys();
    const items = new Map<string, Item>();
    let startKey: Item | undefined;
    const maxItems = this.options.maxItems ?? SNAPSHOT_DEFAULTS.maxItems;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.options.tableName,
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) items.set(this.keyOf(item, names), item);
      if (items.size > maxItems)
        throw new TableStateError(
          `table ${this.options.tableName} holds more than ${maxItems} items: putting it back after every setting ` +
            "would scan all of them; use a table for the benchmark, or give the workload's own reset (docs/workload.md)",
        );
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  /** Makes the table hold exactly `target`. */
  private async restore(target: Map<string, Item>): Promise<void> {
    const names = await this.keys();
    const now = await this.snapshot();
    const steps: Step[] = [];
    for (const [key, item] of now) {
      if (target.has(key)) continue;
      const Key = Object.fromEntries(names.map((n) => [n, item[n] as AttributeValue]));
      steps.push(async () => {
        await this.client.send(new DeleteItemCommand({ TableName: this.options.tableName, Key }));
      });
    }
    for (const [key, item] of target) {
      const current = now.get(key);
      if (current && canonical(current) === canonical(item)) continue;
      steps.push(async () => {
        await this.client.send(new PutItemCommand({ TableName: this.options.tableName, Item: item }));
      });
    }
    await runLimited(steps, this.concurrency);
  }

  private async sendSeed(request: SequencedRequest): Promise<void> {
    const response = await fetch(`${this.options.apiUrl.replace(/\/+$/, "")}${request.path}`, {
      method: request.method,
      headers: {
        accept: "application/json",
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(SNAPSHOT_DEFAULTS.timeoutMs),
    });
    await response.arrayBuffer();
    if (!request.expectedStatuses.includes(response.status))
      throw new TableStateError(
        `seeding the table: ${request.method} ${request.path} (route ${request.route ?? "?"}) answered ` +
          `${response.status}; expected ${request.expectedStatuses.join(" or ")}. Check the workload's seed route`,
      );
  }

  /** Before the first setting: remember the table, send the seed, remember the table again. */
  async prepare(): Promise<void> {
    this.before = await this.snapshot();
    await runLimited(
      this.seedRequests.map((r) => () => this.sendSeed(r)),
      this.concurrency,
    );
    this.start = await this.snapshot();
  }

  /** After a setting: the table as it was after the seed. */
  async reset(): Promise<void> {
    if (this.start) await this.restore(this.start);
  }

  /** At the end: the table as it was before the run. */
  async cleanup(): Promise<void> {
    try {
      if (this.before) await this.restore(this.before);
    } finally {
      this.client.destroy();
    }
  }
}

/**
 * The same table state at every setting through the API, for a workload file whose entities each have a route
 * that deletes them (reset: api, the bundled CRUD workload's): before the first setting every seeded entity is
 * deleted and seeded again (and anything the sequence creates deleted, in case an earlier run left it); after
 * each setting what the sequence created is deleted and the seeded entities it changed are deleted and seeded
 * again; at the end everything goes. All of it is planned with the sequence (loadtests/workload/plan.ts), so a
 * reset needs no live state and no DynamoDB access: on AWS it works with the API alone.
 */
export class ApiTableState {
  private readonly apiUrl: string;
  private readonly concurrency: number;
  private readonly plan: SequenceReset;
  /** The seed requests, in the order of `plan.seeds`. */
  private readonly seeds: readonly SequencedRequest[];

  constructor(sequence: RequestSequence, options: TableStateOptions) {
    if (!sequence.reset)
      throw new RangeError("ApiTableState: the sequence has no reset plan (a workload file with reset: api)");
    this.plan = sequence.reset;
    this.seeds = sequence.seedRequests ?? [];
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.concurrency = options.concurrency ?? TABLE_STATE_DEFAULTS.concurrency;
  }

  private async send(request: SequencedRequest, why: string): Promise<void> {
    const response = await fetch(`${this.apiUrl}${request.path}`, {
      method: request.method,
      headers: {
        accept: "application/json",
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { body: request.body }),
      signal: AbortSignal.timeout(SNAPSHOT_DEFAULTS.timeoutMs),
    });
    await response.arrayBuffer();
    if (!request.expectedStatuses.includes(response.status))
      throw new TableStateError(
        `${why}: ${request.method} ${request.path} (route ${request.route ?? "?"}) answered ${response.status}; ` +
          `expected ${request.expectedStatuses.join(" or ")}. Check the workload's routes (docs/workload.md), or use reset: snapshot`,
      );
  }

  private remove(requests: readonly SequencedRequest[], why: string): Step[] {
    return requests.map((r) => () => this.send(r, why));
  }

  async prepare(): Promise<void> {
    const why = "seeding the table for the first setting";
    const seeds = this.plan.seeds.map((remove, i) => ({ remove, seed: this.seeds[i] as SequencedRequest }));
    await runLimited(
      [
        ...this.remove(this.plan.created, why),
        ...seeds.map(({ remove, seed }) => async () => {
          await this.send(remove, why);
          await this.send(seed, why);
        }),
      ],
      this.concurrency,
    );
  }

  async reset(): Promise<void> {
    const why = "resetting the table for the next setting";
    await runLimited(
      [
        ...this.remove(this.plan.created, why),
        ...this.plan.changedSeeds.map(({ remove, seed }) => async () => {
          await this.send(remove, why);
          await this.send(seed, why);
        }),
      ],
      this.concurrency,
    );
  }

  async cleanup(): Promise<void> {
    const why = "removing what the run created";
    await runLimited(
      [...this.remove(this.plan.created, why), ...this.remove(this.plan.seeds, why)],
      this.concurrency,
    );
  }
}
