/**
 * The same table state at every setting, through the API the load goes to (so it works the same on the local
 * stage and on AWS, and needs no DynamoDB access). Before the first setting the sequence's preseed items are
 * created; after each setting exactly what the sequence changed is put back: the items it created are
 * deleted, the preseed items it updated or deleted are written again with their seed body. At the end the
 * preseed items go too. Never a table wipe: on AWS the table is the user's. Everything is derived from the
 * sequence itself (common random numbers), not from what the run observed, so a reset needs no live state.
 * The reset's own invocations are not measured (exact attribution keeps only the measured request ids).
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import type { RequestSequence, SeedItem, SequencedRequest } from "../loadtests/request-sequence.ts";
import { TuningError } from "./errors.ts";

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

export class TableState {
  private readonly apiUrl: string;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly seedBodies: Map<string, string>;

  constructor(
    private readonly sequence: RequestSequence,
    options: TableStateOptions,
  ) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.concurrency = options.concurrency ?? TABLE_STATE_DEFAULTS.concurrency;
    this.timeoutMs = options.timeoutMs ?? TABLE_STATE_DEFAULTS.timeoutMs;
    this.seedBodies = new Map(sequence.preseed.map((s) => [s.id, s.body]));
  }

  private async call(method: string, path: string, body?: string): Promise<number> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.arrayBuffer();
    return response.status;
  }

  private unexpected(what: string, status: number): TableStateError {
    return new TableStateError(
      `resetting the table for the next setting: ${what} answered ${status}; expected the workload's CRUD API ` +
        "(POST /items, PUT and DELETE /items/{id}). Check that the API serves the bundled CRUD contract (docs/api.md).",
    );
  }

  /** Writes one preseed item with its seed body: PUT when it exists, POST when it does not. */
  private async putSeed(item: SeedItem): Promise<void> {
    const put = await this.call("PUT", `/items/${item.id}`, item.body);
    if (put === 200) return;
    if (put !== 404) throw this.unexpected(`PUT /items/${item.id}`, put);
    const post = await this.call("POST", "/items", item.body);
    if (post !== 201) throw this.unexpected(`POST /items (${item.id})`, post);
  }

  private async remove(id: string): Promise<void> {
    const status = await this.call("DELETE", `/items/${id}`);
    if (status !== 200 && status !== 204 && status !== 404)
      throw this.unexpected(`DELETE /items/${id}`, status);
  }

  /** Before the first setting: every preseed item exists with its seed body, nothing the sequence creates does. */
  async prepare(): Promise<void> {
    await runLimited(
      [
        ...this.sequence.preseed.map((item) => () => this.putSeed(item)),
        ...this.sequence.createdIds.map((id) => () => this.remove(id)),
      ],
      this.concurrency,
    );
  }

  /** After a setting: exactly what the sequence changed, put back. */
  async reset(): Promise<void> {
    const changed = this.sequence.changedPreseedIds.map((id) => ({
      id,
      body: this.seedBodies.get(id) as string,
    }));
    await runLimited(
      [
        ...this.sequence.createdIds.map((id) => () => this.remove(id)),
        ...changed.map((item) => () => this.putSeed(item)),
      ],
      this.concurrency,
    );
  }

  /** At the end of the run: the preseed items and anything the sequence created, gone. */
  async cleanup(): Promise<void> {
    await runLimited(
      [...this.sequence.createdIds, ...this.sequence.preseed.map((s) => s.id)].map(
        (id) => () => this.remove(id),
      ),
      this.concurrency,
    );
  }
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
