/**
 * CloudWatch Logs (AWS JSON 1.1) through the real @aws-sdk/client-cloudwatch-logs: the filter patterns a tuner
 * uses for REPORT lines, pagination, GetLogEvents tokens, the Describe calls and their errors. REPORT lines read
 * back are parsed with the tuner's own parser (tuning/adapters/report-lines.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { type AwsEndpoint, startAwsEndpoint } from "./endpoint.ts";
import { localClients } from "./test-support/clients.ts";

const fixtures = path.resolve(import.meta.dirname, "../../../shared/fixtures/lambda-logs");
const fixtureLines = (file: string) =>
  readFileSync(path.join(fixtures, file), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "");

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const GROUP = "/aws/lambda/crud";
const logs = new LogStore();
let lambda: LocalLambda;
let endpoint: AwsEndpoint;
let clients: ReturnType<typeof localClients>;

beforeAll(async () => {
  // Two streams as Lambda names them, 30 invocations each: START / END / REPORT, plus JSON-format records.
  for (const [s, version] of [
    ["1", "3"],
    ["2", "4"],
  ] as const) {
    const stream = `2026/01/01/[${version}]0123456789abcdef${s}`;
    for (let i = 0; i < 30; i++) {
      const at = T0 + i * 1000 + Number(s);
      const id = `req-${s}-${String(i).padStart(2, "0")}`;
      logs.append(GROUP, stream, [
        { timestampMs: at, message: `START RequestId: ${id} Version: ${version}` },
        { timestampMs: at + 1, message: `END RequestId: ${id}` },
        {
          timestampMs: at + 2,
          message: `REPORT RequestId: ${id}\tDuration: ${i + 1}.50 ms\tBilled Duration: ${i + 2} ms\tMemory Size: 512 MB\tMax Memory Used: 70 MB\t`,
        },
      ]);
    }
  }
  logs.append(
    "/aws/lambda/json-fn",
    "2026/01/01/[$LATEST]json",
    fixtureLines("report-json.jsonl").map((message, i) => ({ timestampMs: T0 + i, message })),
  );
  lambda = new LocalLambda({ metricSink: new MetricStore(), logSink: new LogStore(), cpuScaling: "off" });
  endpoint = await startAwsEndpoint({ lambda, metrics: new MetricStore(), logs });
  clients = localClients(endpoint.url);
});
afterAll(async () => {
  clients.destroy();
  await endpoint.close();
  await lambda.close();
});

describe("FilterLogEvents", () => {
  it('finds the REPORT lines with "REPORT RequestId" in a window, and the tuner\'s parser reads them', async () => {
    const out = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: GROUP,
        filterPattern: '"REPORT RequestId"',
        startTime: T0 + 10_000,
        endTime: T0 + 19_999,
      }),
    );
    expect(out.events).toHaveLength(20);
    expect(out.nextToken).toBeUndefined();
    const timestamps = (out.events ?? []).map((e) => e.timestamp ?? 0);
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    const reports = (out.events ?? []).map((e) => parseReportLine(e.message ?? ""));
    expect(reports.every((r) => r?.format === "text" && r.memorySizeMb === 512)).toBe(true);
    expect(reports[0]).toMatchObject({ requestId: "req-1-10", durationMs: 11.5, billedDurationMs: 12 });
    expect(out.events?.[0]?.logStreamName).toBe("2026/01/01/[3]0123456789abcdef1");
  });

  it("finds JSON platform.report records with a JSON pattern", async () => {
    const out = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: "/aws/lambda/json-fn",
        filterPattern: '{ $.type = "platform.report" }',
      }),
    );
    const expected = fixtureLines("report-json.jsonl").filter(
      (l) => JSON.parse(l).type === "platform.report",
    );
    expect(out.events?.map((e) => e.message)).toEqual(expected);
    expect(parseReportLine(out.events?.[0]?.message ?? "")?.format).toBe("json");
  });

  it("pages with limit and nextToken without losing or repeating events", async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const out = await clients.logs.send(
        new FilterLogEventsCommand({
          logGroupName: GROUP,
          filterPattern: "?START ?END",
          limit: 7,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      seen.push(...(out.events ?? []).map((e) => e.message ?? ""));
      nextToken = out.nextToken;
      pages++;
    } while (nextToken && pages < 50);
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect(pages).toBe(Math.ceil(120 / 7));
  });

  it("filters by stream names and prefix", async () => {
    const byName = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: GROUP,
        logStreamNames: ["2026/01/01/[4]0123456789abcdef2"],
        filterPattern: "REPORT",
      }),
    );
    expect(byName.events).toHaveLength(30);
    const byPrefix = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupName: GROUP,
        logStreamNamePrefix: "2026/01/01/[3]",
        filterPattern: "REPORT",
      }),
    );
    expect(byPrefix.events).toHaveLength(30);
  });

  it("answers InvalidParameterException for an unsupported pattern and ResourceNotFoundException for a missing group", async () => {
    const bad = await clients.logs
      .send(new FilterLogEventsCommand({ logGroupName: GROUP, filterPattern: "[ip, user]" }))
      .catch((e) => e);
    expect(bad).toBeInstanceOf(InvalidParameterException);
    expect((bad as Error).message).toMatch(/space-delimited patterns/);
    const missing = await clients.logs
      .send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/nope" }))
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    const token = await clients.logs
      .send(new FilterLogEventsCommand({ logGroupName: GROUP, nextToken: "not-a-token" }))
      .catch((e) => e);
    expect(token).toBeInstanceOf(InvalidParameterException);
  });
});

describe("GetLogEvents, Describe*, and the write calls", () => {
  it("reads a stream from the head and from the tail with forward and backward tokens", async () => {
    const stream = "2026/01/01/[3]0123456789abcdef1";
    const head = await clients.logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, startFromHead: true, limit: 4 }),
    );
    expect(head.events?.map((e) => e.message?.slice(0, 5))).toEqual(["START", "END R", "REPOR", "START"]);
    const next = await clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: stream,
        limit: 4,
        nextToken: head.nextForwardToken,
      }),
    );
    expect(next.events?.[0]?.message).toBe("END RequestId: req-1-01");
    const tail = await clients.logs.send(
      new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, limit: 3 }),
    );
    expect(tail.events?.map((e) => e.message?.slice(0, 5))).toEqual(["START", "END R", "REPOR"]);
    expect(tail.events?.[2]?.message).toContain("req-1-29");
    const end = await clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: stream,
        nextToken: tail.nextForwardToken,
      }),
    );
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(tail.nextForwardToken);
    const back = await clients.logs.send(
      new GetLogEventsCommand({
        logGroupName: GROUP,
        logStreamName: stream,
        limit: 1,
        nextToken: tail.nextBackwardToken,
      }),
    );
    expect(back.events?.[0]?.message).toContain("REPORT RequestId: req-1-28");
  });

  it("describes streams (by name, by last event time, paged) and groups", async () => {
    const streams = await clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
    expect(streams.logStreams?.map((s) => s.logStreamName)).toEqual([
      "2026/01/01/[3]0123456789abcdef1",
      "2026/01/01/[4]0123456789abcdef2",
    ]);
    expect(streams.logStreams?.[0]).toMatchObject({
      firstEventTimestamp: T0 + 1,
      lastEventTimestamp: T0 + 29_003,
    });
    const latest = await clients.logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        orderBy: "LastEventTime",
        descending: true,
        limit: 1,
      }),
    );
    expect(latest.logStreams?.[0]?.logStreamName).toBe("2026/01/01/[4]0123456789abcdef2");
    expect(latest.nextToken).toBeDefined();
    const second = await clients.logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        orderBy: "LastEventTime",
        descending: true,
        limit: 1,
        nextToken: latest.nextToken,
      }),
    );
    expect(second.logStreams?.[0]?.logStreamName).toBe("2026/01/01/[3]0123456789abcdef1");
    const groups = await clients.logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: "/aws/lambda/" }),
    );
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual([GROUP, "/aws/lambda/json-fn"]);
  });

  it("creates a group and stream, puts events, reads them back, deletes the group", async () => {
    await clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/test/put" }));
    await expect(
      clients.logs.send(new CreateLogGroupCommand({ logGroupName: "/test/put" })),
    ).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    await expect(
      clients.logs.send(
        new PutLogEventsCommand({
          logGroupName: "/test/put",
          logStreamName: "s",
          logEvents: [{ timestamp: T0, message: "x" }],
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await clients.logs.send(new CreateLogStreamCommand({ logGroupName: "/test/put", logStreamName: "s" }));
    await clients.logs.send(
      new PutLogEventsCommand({
        logGroupName: "/test/put",
        logStreamName: "s",
        logEvents: [
          { timestamp: T0, message: "hello REPORT" },
          { timestamp: T0 + 1, message: "bye" },
        ],
      }),
    );
    const out = await clients.logs.send(
      new FilterLogEventsCommand({ logGroupName: "/test/put", filterPattern: "REPORT" }),
    );
    expect(out.events?.map((e) => e.message)).toEqual(["hello REPORT"]);
    await clients.logs.send(new DeleteLogGroupCommand({ logGroupName: "/test/put" }));
    await expect(
      clients.logs.send(new DescribeLogStreamsCommand({ logGroupName: "/test/put" })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
