/** Log store: bounded memory (events per group, groups, message size) and ordering across streams. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LogStore } from "./log-store.ts";

const T0 = Date.UTC(2026, 0, 1);

describe("LogStore bounds", () => {
  it("drops the oldest stream's oldest events past the per-group cap", () => {
    const store = new LogStore({ maxEventsPerGroup: 100 });
    for (let i = 0; i < 80; i++) store.append("/g", "old", [{ timestampMs: T0 + i, message: `old ${i}` }]);
    for (let i = 0; i < 80; i++)
      store.append("/g", "new", [{ timestampMs: T0 + 100 + i, message: `new ${i}` }]);
    const all = store.filterLogEvents({ logGroupName: "/g" }).events;
    expect(all.length).toBeLessThanOrEqual(100);
    expect(all.length).toBeGreaterThanOrEqual(90);
    expect(all.filter((e) => e.logStreamName === "new")).toHaveLength(80);
    expect(all[0]?.message).not.toBe("old 0");
    expect(all.at(-1)?.message).toBe("new 79");
    const stream = store.describeLogStreams({ logGroupName: "/g" }).logStreams[1];
    expect(stream?.firstEventTimestamp).toBe(T0 + 80 - (all.length - 80));
  });

  it("caps groups and message size, and counts what it dropped", () => {
    const store = new LogStore({ maxGroups: 1, maxMessageBytes: 10 });
    store.append("/a", "s", [{ timestampMs: T0, message: "0123456789abcdef" }]);
    store.append("/b", "s", [{ timestampMs: T0, message: "x" }]);
    expect(store.droppedEvents).toBe(1);
    expect(store.filterLogEvents({ logGroupName: "/a" }).events[0]?.message).toBe("0123456789");
    expect(() => store.createLogGroup("/c")).toThrow(/at most 1 log groups/);
  });

  it("orders events across streams by timestamp, then by ingestion", () => {
    const store = new LogStore();
    store.append("/g", "b", [{ timestampMs: T0 + 2, message: "b2" }]);
    store.append("/g", "a", [
      { timestampMs: T0 + 1, message: "a1" },
      { timestampMs: T0 + 2, message: "a2" },
    ]);
    expect(store.filterLogEvents({ logGroupName: "/g" }).events.map((e) => e.message)).toEqual([
      "a1",
      "b2",
      "a2",
    ]);
  });
});

describe("FilterLogEvents paging (property)", () => {
  it("pages of any limit concatenate to the unpaged answer, even with equal timestamps across streams", () => {
    const events = fc.array(
      fc.record({
        stream: fc.constantFrom("a", "b", "c"),
        offsetMs: fc.integer({ min: 0, max: 20 }),
        report: fc.boolean(),
      }),
      { maxLength: 120 },
    );
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 15 }), (list, limit) => {
        const store = new LogStore();
        for (const [i, e] of list.entries()) {
          const message = `${e.report ? "REPORT" : "START"} ${i}`;
          store.append("/g", e.stream, [{ timestampMs: T0 + e.offsetMs, message }]);
        }
        if (list.length === 0) return;
        const all = store.filterLogEvents({ logGroupName: "/g", filterPattern: "REPORT" }).events;
        const paged: typeof all = [];
        let nextToken: string | undefined;
        let pages = 0;
        do {
          const out = store.filterLogEvents({
            logGroupName: "/g",
            filterPattern: "REPORT",
            limit,
            ...(nextToken ? { nextToken } : {}),
          });
          expect(out.events.length).toBeLessThanOrEqual(limit);
          paged.push(...out.events);
          nextToken = out.nextToken;
          pages++;
        } while (nextToken && pages < 200);
        expect(paged).toEqual(all);
        expect(all).toHaveLength(list.filter((e) => e.report).length);
      }),
      { numRuns: 150 },
    );
  });
});
