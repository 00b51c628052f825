import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  parseReportLine,
  parseReportLines,
  parseRequestLogLine,
  parseRequestLogLines,
} from "./report-lines.ts";

function fixture(name: string): string {
  return readFileSync(new URL(`../../../shared/fixtures/lambda-logs/${name}`, import.meta.url), "utf8");
}

describe("parseReportLines on the shared fixtures", () => {
  it("reads a cold start with INIT billed (since 1 Aug 2025) as written", () => {
    const reports = parseReportLines(fixture("report-cold.txt"));
    expect(reports).toEqual([
      {
        format: "text",
        requestId: "0b7c2f3e-9a51-4d6e-8f20-7c3b1a9d5e64",
        durationMs: 395.99,
        billedDurationMs: 662,
        memorySizeMb: 1024,
        maxMemoryUsedMb: 93,
        initDurationMs: 265.72,
      },
    ]);
  });

  it("reads a 2019 cold start without deriving Billed Duration from Duration + Init", () => {
    const [report] = parseReportLines(fixture("report-cold-2019.txt"));
    expect(report?.billedDurationMs).toBe(500);
    expect(report?.durationMs).toBe(469.4);
    expect(report?.initDurationMs).toBe(100.99);
    expect(report?.memorySizeMb).toBe(1024);
    expect(report?.maxMemoryUsedMb).toBe(21);
  });

  it("keeps only the REPORT of START / END / REPORT, with no Init Duration on a warm start", () => {
    const reports = parseReportLines(fixture("report-warm.txt"));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toEqual({
      format: "text",
      requestId: "8f5a3c2e-4b7d-4e1a-9c3f-2d6b8e0a1f47",
      durationMs: 12.34,
      billedDurationMs: 13,
      memorySizeMb: 512,
      maxMemoryUsedMb: 78,
    });
    expect(reports[0]).not.toHaveProperty("initDurationMs");
  });

  it("ignores the XRAY line after a REPORT", () => {
    const reports = parseReportLines(fixture("report-xray.txt"));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.billedDurationMs).toBe(202);
    expect(reports[0]?.initDurationMs).toBe(480.25);
    expect(reports[0]?.memorySizeMb).toBe(2048);
  });

  it("reads SnapStart's Restore Duration and Billed Restore Duration, and no Init Duration", () => {
    const [report] = parseReportLines(fixture("report-snapstart.txt"));
    expect(report?.restoreDurationMs).toBe(474.16);
    expect(report?.billedRestoreDurationMs).toBe(75);
    expect(report?.billedDurationMs).toBe(500);
    expect(report).not.toHaveProperty("initDurationMs");
  });

  it("reads the JSON log format's platform.report among other records", () => {
    const reports = parseReportLines(fixture("report-json.jsonl"));
    expect(reports).toEqual([
      {
        format: "json",
        time: "2026-10-14T09:21:07.420Z",
        requestId: "a1d2c3b4-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        status: "success",
        durationMs: 1.317,
        billedDurationMs: 12,
        memorySizeMb: 128,
        maxMemoryUsedMb: 68,
        initDurationMs: 10,
      },
    ]);
  });

  it("accepts an array of log event messages as well as a text blob", () => {
    const lines = [...fixture("report-warm.txt").split("\n"), ...fixture("report-cold.txt").split("\n")];
    const reports = parseReportLines(lines);
    expect(reports.map((r) => r.billedDurationMs)).toEqual([13, 662]);
  });
});

describe("parseReportLine edge cases", () => {
  it("reads absent JSON metrics as absent, never as an error", () => {
    const line = JSON.stringify({
      time: "2026-10-14T09:21:07.420Z",
      type: "platform.report",
      record: { requestId: "r1", metrics: { durationMs: 2.5, billedDurationMs: "3" } },
    });
    expect(parseReportLine(line)).toEqual({
      format: "json",
      time: "2026-10-14T09:21:07.420Z",
      requestId: "r1",
      durationMs: 2.5,
    });
    expect(parseReportLine(JSON.stringify({ type: "platform.report" }))).toEqual({ format: "json" });
  });

  it("returns null for lines that are not reports", () => {
    expect(parseReportLine("")).toBeNull();
    expect(parseReportLine("START RequestId: x Version: $LATEST")).toBeNull();
    expect(parseReportLine('{"type":"platform.start","record":{}}')).toBeNull();
    expect(parseReportLine("{not json")).toBeNull();
    expect(parseReportLine("[1,2]")).toBeNull();
    expect(parseReportLine("the REPORT RequestId: is mentioned in prose")).toBeNull();
  });

  it("reads a REPORT line whose tabs were turned into spaces", () => {
    const line =
      "REPORT RequestId: abc Duration: 201.67 ms Billed Duration: 202 ms Memory Size: 2048 MB Max Memory Used: 81 MB Init Duration: 480.25 ms";
    expect(parseReportLine(line)).toEqual({
      format: "text",
      requestId: "abc",
      durationMs: 201.67,
      billedDurationMs: 202,
      memorySizeMb: 2048,
      maxMemoryUsedMb: 81,
      initDurationMs: 480.25,
    });
  });

  it("leaves a field with an unexpected unit absent and skips unknown fields", () => {
    const line = "REPORT RequestId: abc\tDuration: 12 MB\tBilled Duration: 13 ms\tFuture Field: 4 ms\t";
    expect(parseReportLine(line)).toEqual({ format: "text", requestId: "abc", billedDurationMs: 13 });
  });
});

describe("parseRequestLogLine", () => {
  const line =
    '{"level":"info","msg":"request","requestId":"r-1","route":"POST /items","status":201,"durationMs":8.5,"consumedRcu":0,"consumedWcu":1}';

  it("reads the service's request log line", () => {
    expect(parseRequestLogLine(line)).toEqual({
      requestId: "r-1",
      route: "POST /items",
      status: 201,
      durationMs: 8.5,
      consumedRcu: 0,
      consumedWcu: 1,
    });
  });

  it("reads it after Node's text-format prefix and inside the JSON log format's message", () => {
    const prefixed = `2026-10-14T09:21:07.415Z\tr-1\tINFO\t${line}`;
    expect(parseRequestLogLine(prefixed)?.consumedWcu).toBe(1);
    const wrapped = JSON.stringify({ timestamp: "t", level: "INFO", requestId: "r-1", message: line });
    expect(parseRequestLogLine(wrapped)?.route).toBe("POST /items");
  });

  it("returns null for other lines and keeps only request entries from many", () => {
    expect(parseRequestLogLine('{"level":"info","msg":"started"}')).toBeNull();
    expect(parseRequestLogLine("REPORT RequestId: x\tDuration: 1 ms")).toBeNull();
    expect(parseRequestLogLine("plain text")).toBeNull();
    const entries = parseRequestLogLines([
      line,
      "START RequestId: x",
      line.replace('"consumedWcu":1', '"consumedWcu":2'),
    ]);
    expect(entries.map((e) => e.consumedWcu)).toEqual([1, 2]);
  });
});

describe("parser properties", () => {
  it("never throws, whatever the line", () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        parseReportLine(line);
        parseRequestLogLine(line);
        parseReportLine(`REPORT RequestId: ${line}`);
        parseReportLine(`{"type":"platform.report","record":${line}}`);
      }),
      { numRuns: 500 },
    );
  });

  it("reads back every field of a generated REPORT line as written", () => {
    const ms = fc.integer({ min: 0, max: 900_000_00 }).map((n) => n / 100);
    const mb = fc.integer({ min: 128, max: 10_240 });
    fc.assert(
      fc.property(
        fc.uuid(),
        ms,
        fc.integer({ min: 1, max: 900_000 }),
        mb,
        mb,
        fc.option(ms),
        (id, d, billed, size, used, init) => {
          const fields = [
            `REPORT RequestId: ${id}`,
            `Duration: ${d.toFixed(2)} ms`,
            `Billed Duration: ${billed} ms`,
            `Memory Size: ${size} MB`,
            `Max Memory Used: ${used} MB`,
            ...(init === null ? [] : [`Init Duration: ${init.toFixed(2)} ms`]),
          ];
          const report = parseReportLine(`${fields.join("\t")}\t`);
          expect(report).toEqual({
            format: "text",
            requestId: id,
            durationMs: d,
            billedDurationMs: billed,
            memorySizeMb: size,
            maxMemoryUsedMb: used,
            ...(init === null ? {} : { initDurationMs: init }),
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("the fault fields of a failed invocation's REPORT", () => {
  const head =
    "REPORT RequestId: r1\tDuration: 10.35 ms\tBilled Duration: 11 ms\tMemory Size: 128 MB\tMax Memory Used: 128 MB";
  it("reads Status and Error Type from text lines, tab- or space-separated", () => {
    const fields = { status: "error", errorType: "Runtime.OutOfMemory", maxMemoryUsedMb: 128 };
    expect(parseReportLine(`${head}\tStatus: error\tError Type: Runtime.OutOfMemory`)).toMatchObject(fields);
    expect(
      parseReportLine(`${head.replaceAll("\t", " ")} Status: error Error Type: Runtime.OutOfMemory`),
    ).toMatchObject(fields);
    expect(parseReportLine(`${head}\tStatus: timeout`)).toMatchObject({
      status: "timeout",
      durationMs: 10.35,
    });
    expect(parseReportLine(head)?.status).toBeUndefined();
  });
  it("reads errorType from a JSON platform.report", () => {
    const line = JSON.stringify({
      type: "platform.report",
      record: {
        requestId: "r2",
        metrics: { durationMs: 3 },
        status: "error",
        errorType: "Runtime.ExitError",
      },
    });
    expect(parseReportLine(line)).toMatchObject({ status: "error", errorType: "Runtime.ExitError" });
  });
});
