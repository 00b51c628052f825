/**
 * Consumed DynamoDB capacity of one request, summed over its DynamoDB calls (ReturnConsumedCapacity TOTAL).
 * The handler puts the sums in the `x-consumed-rcu` / `x-consumed-wcu` headers and the request log line,
 * from which the tuner prices DynamoDB per request.
 */

/** The ConsumedCapacity shape DynamoDB returns (only the fields used here). */
export interface ConsumedCapacityLike {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export class CapacityMeter {
  readUnits = 0;
  writeUnits = 0;

  /**
   * Adds one call's consumed capacity. DynamoDB may report only CapacityUnits (TOTAL on a table without
   * indexes), so the call's kind decides where those go; explicit read/write figures win when present.
   */
  add(kind: "read" | "write", consumed: ConsumedCapacityLike | undefined): void {
    if (!consumed) return;
    const { CapacityUnits: total, ReadCapacityUnits: read, WriteCapacityUnits: write } = consumed;
    if (read !== undefined || write !== undefined) {
      this.readUnits += read ?? 0;
      this.writeUnits += write ?? 0;
    } else if (total !== undefined) {
      if (kind === "read") this.readUnits += total;
      else this.writeUnits += total;
    }
  }
}

/** Decimal text of a unit count for a header, e.g. 0.5 → "0.5", 1 → "1". */
export function formatUnits(units: number): string {
  return String(Math.round(units * 1e6) / 1e6);
}
