import { describe, expect, it } from "vitest";
import {
  buildRequestSequence,
  itemBody,
  parseRequestSequence,
  reuseGapFor,
  serializeRequestSequence,
} from "./request-sequence.ts";

const options = { seed: 42, count: 2000, preseedCount: 32, reuseGapRequests: 25, idPrefix: "pbt" };

describe("the request sequence (common random numbers)", () => {
  it("is a pure function of its options: same options, same JSON byte for byte; another seed differs", () => {
    const a = serializeRequestSequence(buildRequestSequence(options));
    expect(serializeRequestSequence(buildRequestSequence(options))).toBe(a);
    expect(serializeRequestSequence(buildRequestSequence({ ...options, seed: 43 }))).not.toBe(a);
  });

  it("indexes requests 0..n-1 (k6's exec.scenario.iterationInTest) and round-trips through JSON", () => {
    const sequence = buildRequestSequence(options);
    expect(sequence.requests.map((r) => r.index)).toEqual([...Array(options.count).keys()]);
    expect(parseRequestSequence(serializeRequestSequence(sequence))).toEqual(sequence);
    expect(() => parseRequestSequence('{"format":9}')).toThrow(/expected format 1/);
  });

  it("targets only items that exist by construction, never one already deleted", () => {
    const sequence = buildRequestSequence(options);
    const live = new Set(sequence.preseed.map((s) => s.id));
    for (const request of sequence.requests) {
      if (request.operation === "create") {
        expect(live.has(request.id as string)).toBe(false);
        live.add(request.id as string);
        expect(request.expectedStatuses).toEqual([201]);
      } else if (request.operation !== "list") {
        expect(live.has(request.id as string), `${request.index} ${request.method} ${request.path}`).toBe(
          true,
        );
        if (request.operation === "delete") live.delete(request.id as string);
        expect(request.expectedStatuses).not.toContain(404);
      }
    }
  });

  it("never puts two requests on one id within the reuse gap (they could race)", () => {
    const sequence = buildRequestSequence(options);
    const last = new Map<string, number>();
    for (const request of sequence.requests) {
      if (request.id === undefined) continue;
      const previous = last.get(request.id);
      if (previous !== undefined)
        expect(request.index - previous).toBeGreaterThanOrEqual(options.reuseGapRequests);
      last.set(request.id, request.index);
    }
  });

  it("follows the mix once items exist (20/50/15/10/5 by default, within a few points)", () => {
    const sequence = buildRequestSequence({ ...options, count: 20_000, preseedCount: 200 });
    const share = (op: string) => sequence.requests.filter((r) => r.operation === op).length / 20_000;
    expect(share("read")).toBeGreaterThan(0.45);
    expect(share("create")).toBeGreaterThan(0.17);
    expect(share("create")).toBeLessThan(0.26);
    expect(share("list")).toBeGreaterThan(0.08);
  });

  it("lists what it changes: created ids and the preseed items it updates or deletes", () => {
    const sequence = buildRequestSequence(options);
    const creates = sequence.requests.filter((r) => r.operation === "create").map((r) => r.id);
    expect(sequence.createdIds).toEqual(creates);
    const preseed = new Set(sequence.preseed.map((s) => s.id));
    const changed = new Set(
      sequence.requests
        .filter((r) => (r.operation === "update" || r.operation === "delete") && preseed.has(r.id as string))
        .map((r) => r.id),
    );
    expect(new Set(sequence.changedPreseedIds)).toEqual(changed);
  });

  it("the warm-up reads and lists the same preseed items and writes nothing", () => {
    const measured = buildRequestSequence(options);
    const warmup = buildRequestSequence({ ...options, kind: "warmup", count: 300 });
    expect(warmup.preseed).toEqual(measured.preseed);
    expect(new Set(warmup.requests.map((r) => r.method))).toEqual(new Set(["GET"]));
    expect(warmup.createdIds).toEqual([]);
    expect(warmup.changedPreseedIds).toEqual([]);
  });

  it("bodies have the drawn size exactly and carry their id", () => {
    expect(itemBody("pbt-c1", 300)).toHaveLength(300);
    expect(JSON.parse(itemBody("pbt-c1", 300)).id).toBe("pbt-c1");
    const sequence = buildRequestSequence(options);
    for (const r of sequence.requests.filter((x) => x.body !== undefined)) {
      expect(JSON.parse(r.body as string).id).toBe(r.id);
    }
  });

  it("reuse gap is one second of the peak rate", () => {
    expect(reuseGapFor(50)).toBe(50);
    expect(reuseGapFor(0.5)).toBe(1);
  });

  it("rejects a bad id prefix or count with a message naming it", () => {
    expect(() => buildRequestSequence({ ...options, idPrefix: "a b" })).toThrow(/idPrefix must match/);
    expect(() => buildRequestSequence({ ...options, count: -1 })).toThrow(/count must be an integer/);
  });
});
