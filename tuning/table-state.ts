/**
 * The same table state at every setting, through the API the load goes to (so it works the same on the local
 * stage and on AWS, and needs no DynamoDB access). Before the first setting the sequence's preseed items are
 * created; after each setting exactly what the sequence changed is put back: the items it created are
 * deleted, the preseed items it updated or deleted are written again with their seed body. At the end the
 * preseed items go too. Never a table wipe: on AWS the table is the user's. Everything is derived from the
 * sequence itself (common random numbers), not from what the run observed, so a reset needs no live state.
 * The reset's own invocations are not measured (exact attribution keeps only the measured request ids).
 */
import type { RequestSequence, SeedItem } from "../loadtests/request-sequence.ts";
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
