import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as hdr from "hdr-histogram-js";
import { afterAll, describe, expect, it } from "vitest";
import { sampleJsonOutputLines } from "../../test-support/k6-json-output-sample.ts";
import { K6TimelineBuilder, OPEN_SECONDS, readK6Timeline } from "./timeline.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-timeline-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("k6 JSON output → per-second timeline", () => {
  it("counts requests and errors per second of start (sample time − duration) from the first, with p95", async () => {
    const file = path.join(dir, "samples.json");
    writeFileSync(file, `${sampleJsonOutputLines().join("\n")}\n`);
    const result = await readK6Timeline(file);
    expect(result.warning).toBeUndefined();
    expect(result.requests).toBe(7);
    expect(result.timeline.map(({ second, requests, errors }) => ({ second, requests, errors }))).toEqual([
      { second: 0, requests: 4, errors: 0 },
      { second: 1, requests: 2, errors: 1 },
      { second: 2, requests: 0, errors: 0 },
      { second: 3, requests: 1, errors: 0 },
    ]);
    // HDR values are accurate to 3 significant digits.
    expect(result.timeline[0]?.p95Ms).toBeCloseTo(40, 0);
    expect(result.timeline[1]?.p95Ms).toBeCloseTo(35, 0);
    expect(result.timeline[2]?.p95Ms).toBeUndefined();
    expect(result.timeline[3]?.p95Ms).toBeCloseTo(25, 0);
    const histogram = hdr.decodeFromCompressedBase64(result.histogram ?? "");
    expect(histogram.totalCount).toBe(7);
    expect(histogram.maxValue / 1000).toBeCloseTo(40, 0);
  });

  it("a missing file gives an empty timeline and a warning, never an error", async () => {
    const result = await readK6Timeline(path.join(dir, "absent.json"));
    expect(result.timeline).toEqual([]);
    expect(result.histogram).toBeUndefined();
    expect(result.warning).toMatch(
      /k6's JSON output at .*absent\.json: reading it failed \(ENOENT.*\); no per-second timeline/,
    );
  });

  it("skips corrupt lines (a torn last line, garbage) and says how many", async () => {
    const file = path.join(dir, "corrupt.json");
    const lines = sampleJsonOutputLines();
    // The last request's http_req_duration line, cut short as when k6 is killed while writing.
    const torn = lines.at(-2)?.slice(0, -1) ?? "";
    writeFileSync(file, [...lines.slice(0, -3), '{"metric":"http_req_duration", garbage', torn].join("\n"));
    const result = await readK6Timeline(file);
    expect(result.badLines).toBe(2);
    expect(result.requests).toBe(6);
    expect(result.warning).toMatch(/corrupt\.json: 2 unreadable line\(s\) were skipped$/);
    const garbage = path.join(dir, "garbage.json");
    writeFileSync(garbage, "\u0000\u0001 not json http_req_duration\n");
    const empty = await readK6Timeline(garbage);
    expect(empty.timeline).toEqual([]);
    expect(empty.warning).toMatch(
      /1 unreadable line\(s\) were skipped; it holds no http_req_duration points/,
    );
  });

  it("reads gzipped output (.gz, as k6 writes it for such a name), and keeps what it read of a cut-short one", async () => {
    const data = gzipSync(`${sampleJsonOutputLines().join("\n")}\n`);
    const file = path.join(dir, "samples.json.gz");
    writeFileSync(file, data);
    const whole = await readK6Timeline(file);
    expect(whole.warning).toBeUndefined();
    expect(whole.requests).toBe(7);
    expect(whole.timeline.map((p) => p.requests)).toEqual([4, 2, 0, 1]);
    const cut = path.join(dir, "cut.json.gz");
    writeFileSync(cut, data.subarray(0, data.length - 12));
    const partial = await readK6Timeline(cut);
    expect(partial.requests).toBeGreaterThan(0);
    expect(partial.warning).toMatch(
      /cut\.json\.gz: reading it failed \(.*\).*the timeline covers what was read/,
    );
  });

  it("keeps p95 histograms only for the last seconds (bounded memory on long runs)", () => {
    const builder = new K6TimelineBuilder();
    const start = Date.parse("2026-11-27T03:00:00Z");
    for (let second = 0; second < 500; second++) {
      builder.addSample(start + second * 1000, 10 + (second % 7), second % 100 === 0);
      expect(builder.openSeconds).toBeLessThanOrEqual(OPEN_SECONDS + 1);
    }
    // A sample for a second already closed still counts, but not in that second's p95.
    builder.addSample(start + 5 * 1000, 999, true);
    const result = builder.result();
    expect(result.timeline).toHaveLength(500);
    expect(result.lateSamples).toBe(1);
    expect(result.timeline[5]).toEqual({ second: 5, requests: 2, errors: 1, p95Ms: expect.closeTo(15, 0) });
    expect(result.timeline.reduce((sum, p) => sum + p.errors, 0)).toBe(6);
  });
});
