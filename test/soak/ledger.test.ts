/** Unit tests of the soak's ledger and its verification. */
import { describe, expect, it } from "vitest";
import { canonical, verifyLedger, WriteLedger } from "./ledger.ts";

describe("WriteLedger", () => {
  it("expects the last acknowledged value of each id, in acknowledgement order", () => {
    const ledger = new WriteLedger();
    ledger.acknowledge(ledger.send("a", "create"), { id: "a", v: 1 });
    ledger.acknowledge(ledger.send("a", "replace"), { id: "a", v: 2 });
    ledger.acknowledge(ledger.send("a", "patch"), { id: "a", v: 3, p: true });
    ledger.acknowledge(ledger.send("b", "create"), { id: "b" });
    ledger.acknowledge(ledger.send("b", "delete"), { id: "b" });
    expect(ledger.expectation("a")).toEqual({ state: "present", value: { id: "a", v: 3, p: true } });
    expect(ledger.expectation("b")).toEqual({ state: "absent" });
    expect(ledger.expectation("never")).toBeUndefined();
    expect(ledger.acknowledgedWrites).toBe(5);
    expect(ledger.overlapping).toBe(0);
  });

  it("makes an id uncertain when a write on it was not acknowledged", () => {
    const ledger = new WriteLedger();
    ledger.acknowledge(ledger.send("a", "create"), { id: "a" });
    ledger.fail(ledger.send("a", "replace"), "status 502");
    expect(ledger.expectation("a")).toEqual({ state: "uncertain", reason: "status 502" });
    expect(ledger.unacknowledgedWrites).toBe(1);
  });

  it("knows which ids have a write in flight, and counts overlapping writes on one id", () => {
    const ledger = new WriteLedger();
    const first = ledger.send("a", "create");
    expect(ledger.busy("a")).toBe(true);
    const second = ledger.send("a", "replace");
    expect(ledger.overlapping).toBe(1);
    ledger.acknowledge(second, { id: "a", v: 2 });
    expect(ledger.busy("a")).toBe(true);
    ledger.acknowledge(first, { id: "a", v: 1 });
    expect(ledger.busy("a")).toBe(false);
    // Acknowledgement order: the create's answer came last.
    expect(ledger.expectation("a")).toEqual({ state: "present", value: { id: "a", v: 1 } });
  });
});

describe("verifyLedger", () => {
  const ledger = new WriteLedger();
  ledger.acknowledge(ledger.send("kept", "create"), { id: "kept", v: 1 });
  ledger.acknowledge(ledger.send("changed", "create"), { id: "changed", v: 1 });
  ledger.acknowledge(ledger.send("changed", "patch"), { v: 2, id: "changed" });
  ledger.acknowledge(ledger.send("gone", "create"), { id: "gone" });
  ledger.acknowledge(ledger.send("gone", "delete"), { id: "gone" });
  ledger.fail(ledger.send("unsure", "create"), "network error");

  it("passes when every id reads back as acknowledged (key order does not matter)", () => {
    const readBack = new Map<string, unknown>([
      ["kept", { v: 1, id: "kept" }],
      ["changed", { id: "changed", v: 2 }],
      ["unsure", { id: "unsure" }],
    ]);
    expect(verifyLedger(ledger, readBack, ["kept", "changed", "unsure"])).toEqual({
      checked: 3,
      lost: [],
      stale: [],
      resurrected: [],
      phantom: [],
      uncertain: 1,
    });
  });

  it("finds lost, stale, resurrected and phantom items", () => {
    const readBack = new Map<string, unknown>([
      ["changed", { id: "changed", v: 1 }],
      ["gone", { id: "gone" }],
    ]);
    expect(verifyLedger(ledger, readBack, ["changed", "gone", "stray"])).toEqual({
      checked: 3,
      lost: ["kept"],
      stale: ["changed"],
      resurrected: ["gone"],
      phantom: ["stray"],
      uncertain: 1,
    });
  });

  it("canonical compares documents, not key order", () => {
    expect(canonical({ b: 1, a: [{ y: 1, x: 2 }] })).toBe(canonical({ a: [{ x: 2, y: 1 }], b: 1 }));
    expect(canonical({ a: 1 })).not.toBe(canonical({ a: "1" }));
  });
});
