/**
 * The reads of the CloudWatch Logs emulation over the log store's groups and streams: FilterLogEvents,
 * GetLogEvents, DescribeLogStreams, DescribeLogGroups, with their paging. Reads across streams order by
 * timestamp, then ingestion.
 */
import { InvalidParameterError } from "./errors.ts";
import { compileFilterPattern } from "./log-filter.ts";
import { decodeToken, encodeToken, pageByOffset, readLimit } from "./page-token.ts";

export interface StoredEvent {
  timestampMs: number;
  message: string;
  ingestionTimeMs: number;
  seq: number;
}

export interface Stream {
  name: string;
  creationTimeMs: number;
  events: StoredEvent[];
  firstEventTimestampMs?: number;
  lastEventTimestampMs?: number;
  lastIngestionTimeMs?: number;
  storedBytes: number;
}

export interface Group {
  name: string;
  creationTimeMs: number;
  streams: Map<string, Stream>;
  eventCount: number;
}

/** Input of FilterLogEvents, as CloudWatch Logs names it (times in epoch ms). */
export interface FilterLogEventsInput {
  logGroupName: string;
  logStreamNames?: string[];
  logStreamNamePrefix?: string;
  startTime?: number;
  endTime?: number;
  filterPattern?: string;
  limit?: number;
  nextToken?: string;
}

export interface GetLogEventsInput {
  logGroupName: string;
  logStreamName: string;
  startTime?: number;
  endTime?: number;
  limit?: number;
  startFromHead?: boolean;
  nextToken?: string;
}

const BAD = "InvalidParameterException" as const;

export function filterEvents(group: Group, input: FilterLogEventsInput) {
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterError(
      BAD,
      "logStreamNames and logStreamNamePrefix cannot both be given: pick one",
    );
  }
  const limit = readLimit(input.limit, 10_000, 10_000, BAD);
  const matches = compileFilterPattern(input.filterPattern);
  const after = input.nextToken === undefined ? undefined : decodeToken(input.nextToken, ["t", "s"], BAD);
  const found: (StoredEvent & { stream: string })[] = [];
  for (const stream of group.streams.values()) {
    if (input.logStreamNames && !input.logStreamNames.includes(stream.name)) continue;
    if (input.logStreamNamePrefix !== undefined && !stream.name.startsWith(input.logStreamNamePrefix))
      continue;
    for (const e of stream.events) {
      if (input.startTime !== undefined && e.timestampMs < input.startTime) continue;
      if (input.endTime !== undefined && e.timestampMs > input.endTime) continue;
      if (after && compareEvents(e, { timestampMs: after.t, seq: after.s }) <= 0) continue;
      if (matches(e.message)) found.push({ ...e, stream: stream.name });
    }
  }
  found.sort(compareEvents);
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map((e) => ({
      logStreamName: e.stream,
      timestamp: e.timestampMs,
      message: e.message,
      ingestionTime: e.ingestionTimeMs,
      eventId: eventId(e.seq),
    })),
    searchedLogStreams: [],
    ...(found.length > limit && last ? { nextToken: encodeToken({ t: last.timestampMs, s: last.seq }) } : {}),
  };
}

/**
 * GetLogEvents: one stream, [startTime, endTime). Without a token it reads the newest `limit` events, or the
 * oldest with startFromHead. Tokens are "f/<seq>" (events after) and "b/<seq>" (events before); at the end of
 * the stream the forward token comes back unchanged, as CloudWatch Logs does.
 */
export function readStream(stream: Stream, input: GetLogEventsInput) {
  const limit = readLimit(input.limit, 10_000, 10_000, BAD);
  const inRange = stream.events.filter(
    (e) =>
      (input.startTime === undefined || e.timestampMs >= input.startTime) &&
      (input.endTime === undefined || e.timestampMs < input.endTime),
  );
  let page: StoredEvent[];
  let cursor: number | undefined;
  const token = input.nextToken;
  if (token !== undefined) {
    const m = /^([fb])\/(\d+)$/.exec(token);
    if (!m?.[2]) {
      throw new InvalidParameterError(
        BAD,
        `invalid nextToken ${JSON.stringify(token.slice(0, 80))}: expected a nextForwardToken or nextBackwardToken from a previous GetLogEvents`,
      );
    }
    cursor = Number(m[2]);
    const c = cursor;
    page =
      m[1] === "f"
        ? inRange.filter((e) => e.seq > c).slice(0, limit)
        : inRange.filter((e) => e.seq < c).slice(-limit);
  } else {
    page = input.startFromHead ? inRange.slice(0, limit) : inRange.slice(-limit);
  }
  const first = page[0]?.seq ?? cursor ?? 0;
  const last = page[page.length - 1]?.seq ?? cursor ?? 0;
  return {
    events: page.map((e) => ({
      timestamp: e.timestampMs,
      message: e.message,
      ingestionTime: e.ingestionTimeMs,
    })),
    nextForwardToken: `f/${String(last).padStart(20, "0")}`,
    nextBackwardToken: `b/${String(first).padStart(20, "0")}`,
  };
}

export function describeStreams(
  group: Group,
  groupArn: string,
  input: {
    logStreamNamePrefix?: string;
    orderBy?: "LogStreamName" | "LastEventTime";
    descending?: boolean;
    limit?: number;
    nextToken?: string;
  },
) {
  const limit = readLimit(input.limit, 50, 50, BAD);
  if (input.orderBy === "LastEventTime" && input.logStreamNamePrefix !== undefined) {
    throw new InvalidParameterError(
      BAD,
      "logStreamNamePrefix cannot be used with orderBy LastEventTime: drop one of them",
    );
  }
  const streams = [...group.streams.values()].filter(
    (s) => input.logStreamNamePrefix === undefined || s.name.startsWith(input.logStreamNamePrefix),
  );
  if (input.orderBy === "LastEventTime") {
    streams.sort(
      (a, b) => (a.lastEventTimestampMs ?? 0) - (b.lastEventTimestampMs ?? 0) || cmp(a.name, b.name),
    );
  } else streams.sort((a, b) => cmp(a.name, b.name));
  if (input.descending) streams.reverse();
  const { page, nextToken } = pageByOffset(streams, limit, input.nextToken, BAD);
  return {
    logStreams: page.map((s) => ({
      logStreamName: s.name,
      creationTime: s.creationTimeMs,
      firstEventTimestamp: s.firstEventTimestampMs,
      lastEventTimestamp: s.lastEventTimestampMs,
      lastIngestionTime: s.lastIngestionTimeMs,
      arn: `${groupArn}:log-stream:${s.name}`,
      storedBytes: s.storedBytes,
    })),
    ...(nextToken ? { nextToken } : {}),
  };
}

export function describeGroups(
  all: Iterable<Group>,
  groupArn: (name: string) => string,
  input: { logGroupNamePrefix?: string; limit?: number; nextToken?: string },
) {
  const limit = readLimit(input.limit, 50, 50, BAD);
  const groups = [...all]
    .filter((g) => input.logGroupNamePrefix === undefined || g.name.startsWith(input.logGroupNamePrefix))
    .sort((a, b) => cmp(a.name, b.name));
  const { page, nextToken } = pageByOffset(groups, limit, input.nextToken, BAD);
  return {
    logGroups: page.map((g) => ({
      logGroupName: g.name,
      creationTime: g.creationTimeMs,
      metricFilterCount: 0,
      arn: `${groupArn(g.name)}:*`,
      logGroupArn: groupArn(g.name),
      storedBytes: [...g.streams.values()].reduce((sum, s) => sum + s.storedBytes, 0),
    })),
    ...(nextToken ? { nextToken } : {}),
  };
}

function compareEvents(
  a: { timestampMs: number; seq: number },
  b: { timestampMs: number; seq: number },
): number {
  return a.timestampMs - b.timestampMs || a.seq - b.seq;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function eventId(seq: number): string {
  return String(seq).padStart(56, "0");
}
