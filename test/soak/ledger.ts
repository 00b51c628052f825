/**
 * The soak's ledger of ACKNOWLEDGED writes, and the verification at the end. Pure module.
 *
 * Every write gets a ticket when it is sent (`send`) and is recorded when its answer arrives: acknowledged
 * (2xx, with the value the answer carried) or not (an error, a timeout: its effect is unknown, so the id
 * becomes "uncertain" and is left out of the lost/stale counts, and counted as an error). Writes on one id
 * are ordered by acknowledgement. That order is the order DynamoDB applied them only when they did not
 * overlap in time; the soak's driver never has two writes on one id in flight, and the ledger counts any
 * overlap it sees (`overlapping`) so a driver that breaks the rule cannot pass silently.
 *
 * At the end, every id whose last acknowledged write is a create/replace/patch must read back with exactly
 * that value (else "lost" when absent, "stale" when different), every id whose last acknowledged write is a
 * delete must be gone (else "resurrected"), and nothing may exist that no write created ("phantom").
 */

export type WriteKind = "create" | "replace" | "patch" | "delete";

export interface Ticket {
  id: string;
  kind: WriteKind;
  sentSeq: number;
}

interface Acked {
  kind: WriteKind;
  /** The item the answer carried (the state after the write); undefined for a delete. */
  value: unknown;
  sentSeq: number;
  ackSeq: number;
}

export type Expectation =
  | { state: "present"; value: unknown }
  | { state: "absent" }
  | { state: "uncertain"; reason: string };

export interface VerifyResult {
  /** Ids with a definite expectation that were checked. */
  checked: number;
  lost: string[];
  stale: string[];
  resurrected: string[];
  phantom: string[];
  /** Ids left out: a write on them was never acknowledged. */
  uncertain: number;
}

/** JSON text with object keys sorted, so equal documents compare equal. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export class WriteLedger {
  private seq = 0;
  private readonly acked = new Map<string, Acked[]>();
  private readonly uncertain = new Map<string, string>();
  private readonly inFlight = new Map<string, number>();
  /** Writes acknowledged while another write on the same id was in flight. */
  overlapping = 0;
  acknowledgedWrites = 0;
  unacknowledgedWrites = 0;

  /** A write is about to be sent. */
  send(id: string, kind: WriteKind): Ticket {
    if ((this.inFlight.get(id) ?? 0) > 0) this.overlapping++;
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
    return { id, kind, sentSeq: ++this.seq };
  }

  /** True while a write on `id` is in flight. */
  busy(id: string): boolean {
    return (this.inFlight.get(id) ?? 0) > 0;
  }

  /** The write was acknowledged; `value` is the item the answer carried (ignored for deletes). */
  acknowledge(ticket: Ticket, value: unknown): void {
    this.settle(ticket);
    const list = this.acked.get(ticket.id) ?? [];
    list.push({
      kind: ticket.kind,
      value: ticket.kind === "delete" ? undefined : value,
      sentSeq: ticket.sentSeq,
      ackSeq: ++this.seq,
    });
    this.acked.set(ticket.id, list);
    this.acknowledgedWrites++;
  }

  /** The write got no acknowledgement (error answer, network failure): its effect is unknown. */
  fail(ticket: Ticket, reason: string): void {
    this.settle(ticket);
    this.uncertain.set(ticket.id, reason);
    this.unacknowledgedWrites++;
  }

  private settle(ticket: Ticket): void {
    const left = (this.inFlight.get(ticket.id) ?? 1) - 1;
    if (left > 0) this.inFlight.set(ticket.id, left);
    else this.inFlight.delete(ticket.id);
  }

  /** What the table must hold for `id` now, from the last acknowledged write. */
  expectation(id: string): Expectation | undefined {
    const reason = this.uncertain.get(id);
    if (reason !== undefined) return { state: "uncertain", reason };
    const list = this.acked.get(id);
    const last = list?.[list.length - 1];
    if (!last) return undefined;
    return last.kind === "delete" ? { state: "absent" } : { state: "present", value: last.value };
  }

  /** Every id ever written. */
  ids(): string[] {
    return [...new Set([...this.acked.keys(), ...this.uncertain.keys()])];
  }
}

/**
 * Checks what was read back against the ledger. `readBack` maps every id that was looked up to the item
 * found (undefined when absent); `tableIds` are all ids a scan of the table found.
 */
export function verifyLedger(
  ledger: WriteLedger,
  readBack: ReadonlyMap<string, unknown>,
  tableIds: Iterable<string>,
): VerifyResult {
  const result: VerifyResult = {
    checked: 0,
    lost: [],
    stale: [],
    resurrected: [],
    phantom: [],
    uncertain: 0,
  };
  const known = new Set(ledger.ids());
  for (const id of known) {
    const expected = ledger.expectation(id);
    if (!expected) continue;
    if (expected.state === "uncertain") {
      result.uncertain++;
      continue;
    }
    result.checked++;
    const found = readBack.get(id);
    if (expected.state === "absent") {
      if (found !== undefined) result.resurrected.push(id);
    } else if (found === undefined) result.lost.push(id);
    else if (canonical(found) !== canonical(expected.value)) result.stale.push(id);
  }
  for (const id of tableIds) if (!known.has(id)) result.phantom.push(id);
  return result;
}
