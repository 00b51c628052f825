import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import {
  billedDurationMs,
  endLine,
  initStartLine,
  logStreamName,
  reportLine,
  startLine,
  timeoutLine,
} from "./platform-log.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../../shared/fixtures/lambda-logs/${name}`, import.meta.url), "utf8")
    .split("\n")
    .filter((line) => line.length > 0);
const at = new Date("2026-10-14T09:21:07.420Z");

describe("platform log lines", () => {
  it("writes START / END / REPORT exactly as Lambda's warm invocation fixture", () => {
    const [start, end, report] = fixture("report-warm.txt");
    const requestId = "8f5a3c2e-4b7d-4e1a-9c3f-2d6b8e0a1f47";
    expect(startLine("Text", at, requestId, "$LATEST")).toBe(start);
    expect(endLine("Text", requestId)).toBe(end);
    const fields = { requestId, durationMs: 12.34, memorySizeMb: 512, maxMemoryUsedMb: 78 };
    expect(reportLine("Text", at, { ...fields, billedDurationMs: billedDurationMs(12.34) })).toBe(report);
  });

  it("bills Duration plus Init Duration rounded up, as the cold-start fixture shows", () => {
    const [report] = fixture("report-cold.txt");
    const requestId = "0b7c2f3e-9a51-4d6e-8f20-7c3b1a9d5e64";
    const billed = billedDurationMs(395.99, 265.72);
    expect(billed).toBe(662);
    const line = reportLine("Text", at, {
      requestId,
      durationMs: 395.99,
      billedDurationMs: billed,
      memorySizeMb: 1024,
      maxMemoryUsedMb: 93,
      initDurationMs: 265.72,
    });
    expect(line).toBe(report);
    expect(billedDurationMs(0.2)).toBe(1);
    expect(billedDurationMs(2.004, 1.001)).toBe(4);
  });

  it("bills a timed-out invocation its timeout, not the Duration measured past it", () => {
    // Lambda's usual timeout REPORT: "Duration: 3003.35 ms  Billed Duration: 3000 ms".
    expect(billedDurationMs(3003.35, 0, 3000)).toBe(3000);
    // On a cold start the INIT phase is billed on top of the timeout.
    expect(billedDurationMs(3003.35, 265.72, 3000)).toBe(3266);
    // Under the timeout the cap changes nothing.
    expect(billedDurationMs(2999.01, 0, 3000)).toBe(3000);
    expect(billedDurationMs(12.34, 0, 3000)).toBe(13);
  });

  it("writes JSON records the tuner's parser reads like the JSON fixture", () => {
    const expected = fixture("report-json.jsonl").map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestId = "a1d2c3b4-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    expect(JSON.parse(startLine("JSON", new Date("2026-10-14T09:21:07.412Z"), requestId, "$LATEST"))).toEqual(
      expected[0],
    );
    expect(endLine("JSON", requestId)).toBeUndefined();
    const line = reportLine("JSON", at, {
      requestId,
      durationMs: 1.317,
      billedDurationMs: 12,
      memorySizeMb: 128,
      maxMemoryUsedMb: 68,
      initDurationMs: 10,
    });
    expect(JSON.parse(line)).toEqual(expected[2]);
    expect(parseReportLine(line)).toMatchObject({ format: "json", durationMs: 1.317, initDurationMs: 10 });
  });

  it("writes INIT_START with the runtime version in both formats", () => {
    const init = { region: "eu-west-1", functionName: "crud", version: "3", nodeVersion: "20.20.2" };
    expect(initStartLine("Text", at, init)).toBe(
      "INIT_START Runtime Version: nodejs:20.v20\tRuntime Version ARN: arn:aws:lambda:eu-west-1::runtime:powerbench-local-node20.20.2",
    );
    expect(JSON.parse(initStartLine("JSON", at, init))).toMatchObject({
      type: "platform.initStart",
      record: { phase: "init", runtimeVersion: "nodejs:20.v20", functionName: "crud", functionVersion: "3" },
    });
  });

  it("adds Status to the REPORT of a timed-out or crashed invocation, and names streams as Lambda", () => {
    const fields = {
      requestId: "r",
      durationMs: 3000.5,
      billedDurationMs: 3001,
      memorySizeMb: 128,
      maxMemoryUsedMb: 60,
    };
    expect(reportLine("Text", at, { ...fields, status: "timeout" })).toMatch(/\tStatus: timeout\t$/);
    expect(reportLine("Text", at, { ...fields, status: "error", errorType: "Runtime.OutOfMemory" })).toMatch(
      /\tStatus: error\tError Type: Runtime.OutOfMemory\t$/,
    );
    expect(parseReportLine(reportLine("Text", at, { ...fields, status: "timeout" }))).toMatchObject({
      durationMs: 3000.5,
      billedDurationMs: 3001,
    });
    expect(timeoutLine(at, "r", 3004.2)).toBe("2026-10-14T09:21:07.420Z r Task timed out after 3.00 seconds");
    expect(logStreamName(at, "7", "0123456789abcdef0123456789abcdef")).toBe(
      "2026/10/14/[7]0123456789abcdef0123456789abcdef",
    );
  });
});
