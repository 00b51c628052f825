/**
 * The log store of the CloudWatch Logs emulation: the Lambda emulator appends START/END/REPORT lines and the
 * function's output (LogSink); the AWS endpoint answers FilterLogEvents, GetLogEvents, DescribeLogStreams and
 * DescribeLogGroups (and the few write calls a test or tool needs) from it.
 *
 * Memory is bounded (see DEFAULTS): at most `maxEventsPerGroup` events per group (past it, the oldest stream's
 * oldest events go first, in chunks of a tenth of the cap), `maxGroups` groups, and messages cut to 256 KB as
 * CloudWatch Logs limits them. Events keep their ingestion order within a stream; reads across streams order
 * by timestamp, then ingestion.
 */
import type { LogEvent, LogSink } from "../contracts.ts";
import {
  CloudWatchApiError,
  InvalidParameterError,
  LogResourceExistsError,
  LogResourceNotFoundError,
} from "./errors.ts";
import { compileFilterPattern } from "./log-filter.ts";
import { decodeToken, encodeToken, pageByOffset, readLimit } from "./page-token.ts";

export const DEFAULTS = {
  /** Events kept per log group. @default 100,000 */
  maxEventsPerGroup: 100_000,
  /** Log groups kept; appends to further groups are dropped and counted. @default 1,000 */
  maxGroups: 1000,
  /** Longest message kept, in bytes (CloudWatch Logs' event size limit); longer ones are cut. @default 262,144 */
  maxMessageBytes: 256 * 1024,
  /** For ARNs. @default "us-east-1" */
  region: "us-east-1",
  /** For ARNs. @default "000000000000" */
  accountId: "000000000000",
} as const;

export type LogStoreOptions = Partial<{
  -readonly [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends number ? number : string;
}>;

interface StoredEvent {
  timestampMs: number;
  message: string;
  ingestionTimeMs: number;
  seq: number;
}

interface Stream {
  name: string;
  creationTimeMs: number;
  events: StoredEvent[];
  firstEventTimestampMs?: number;
  lastEventTimestampMs?: number;
  lastIngestionTimeMs?: number;
  storedBytes: number;
}

interface Group {
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

export class LogStore implements LogSink {
  readonly options: typeof DEFAULTS;
  private readonly groups = new Map<string, Group>();
  private seq = 0;
  /** Events dropped because the group cap was reached. */
  droppedEvents = 0;

  constructor(
    options: LogStoreOptions = {},
    /** Clock for ingestion times; tests may pass a fake. */
    private readonly nowMs: () => number = Date.now,
  ) {
    this.options = { ...DEFAULTS, ...options } as typeof DEFAULTS;
  }

  /** LogSink: appends events, creating the group and stream as needed. */
  append(logGroupName: string, logStreamName: string, events: LogEvent[]): void {
    let group = this.groups.get(logGroupName);
    if (!group) {
      if (this.groups.size >= this.options.maxGroups) {
        this.droppedEvents += events.length;
        return;
      }
      group = this.addGroup(logGroupName);
    }
    const stream = group.streams.get(logStreamName) ?? this.addStream(group, logStreamName);
    const ingestionTimeMs = this.nowMs();
    for (const e of events) {
      const message = cut(e.message, this.options.maxMessageBytes);
      stream.events.push({ timestampMs: e.timestampMs, message, ingestionTimeMs, seq: ++this.seq });
      stream.storedBytes += Buffer.byteLength(message);
      stream.firstEventTimestampMs = Math.min(stream.firstEventTimestampMs ?? e.timestampMs, e.timestampMs);
      stream.lastEventTimestampMs = Math.max(stream.lastEventTimestampMs ?? e.timestampMs, e.timestampMs);
    }
    stream.lastIngestionTimeMs = ingestionTimeMs;
    group.eventCount += events.length;
    if (group.eventCount > this.options.maxEventsPerGroup) this.evict(group);
  }

  createLogGroup(logGroupName: string): void {
    if (this.groups.has(logGroupName))
      throw new LogResourceExistsError("The specified log group already exists");
    if (this.groups.size >= this.options.maxGroups) {
      throw new CloudWatchApiError(
        "LimitExceededException",
        400,
        `the local stage keeps at most ${this.options.maxGroups} log groups: delete one first`,
      );
    }
    this.addGroup(logGroupName);
  }

  createLogStream(logGroupName: string, logStreamName: string): void {
    const group = this.group(logGroupName);
    if (group.streams.has(logStreamName))
      throw new LogResourceExistsError("The specified log stream already exists");
    this.addStream(group, logStreamName);
  }

  deleteLogGroup(logGroupName: string): void {
    this.group(logGroupName);
    this.groups.delete(logGroupName);
  }

  /** PutLogEvents: like append, but the group and stream must exist, as on AWS. */
  putLogEvents(logGroupName: string, logStreamName: string, events: LogEvent[]): void {
    this.stream(this.group(logGroupName), logStreamName);
    this.append(logGroupName, logStreamName, events);
  }

  filterLogEvents(input: FilterLogEventsInput) {
    const group = this.group(input.logGroupName);
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
      ...(found.length > limit && last
        ? { nextToken: encodeToken({ t: last.timestampMs, s: last.seq }) }
        : {}),
    };
  }

  /**
   * GetLogEvents: one stream, [startTime, endTime). Without a token it reads the newest `limit` events, or the
   * oldest with startFromHead. Tokens are "f/<seq>" (events after) and "b/<seq>" (events before); at the end of
   * the stream the forward token comes back unchanged, as CloudWatch Logs does.
   */
  getLogEvents(input: GetLogEventsInput) {
    const stream = this.stream(this.group(input.logGroupName), input.logStreamName);
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

  describeLogStreams(input: {
    logGroupName: string;
    logStreamNamePrefix?: string;
    orderBy?: "LogStreamName" | "LastEventTime";
    descending?: boolean;
    limit?: number;
    nextToken?: string;
  }) {
    const group = this.group(input.logGroupName);
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
        arn: `${this.groupArn(group.name)}:log-stream:${s.name}`,
        storedBytes: s.storedBytes,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  describeLogGroups(input: { logGroupNamePrefix?: string; limit?: number; nextToken?: string }) {
    const limit = readLimit(input.limit, 50, 50, BAD);
    const groups = [...this.groups.values()]
      .filter((g) => input.logGroupNamePrefix === undefined || g.name.startsWith(input.logGroupNamePrefix))
      .sort((a, b) => cmp(a.name, b.name));
    const { page, nextToken } = pageByOffset(groups, limit, input.nextToken, BAD);
    return {
      logGroups: page.map((g) => ({
        logGroupName: g.name,
        creationTime: g.creationTimeMs,
        metricFilterCount: 0,
        arn: `${this.groupArn(g.name)}:*`,
        logGroupArn: this.groupArn(g.name),
        storedBytes: [...g.streams.values()].reduce((sum, s) => sum + s.storedBytes, 0),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private groupArn(name: string): string {
    return `arn:aws:logs:${this.options.region}:${this.options.accountId}:log-group:${name}`;
  }

  private group(name: string): Group {
    const group = this.groups.get(name);
    if (!group) throw new LogResourceNotFoundError(`The specified log group does not exist: ${name}`);
    return group;
  }

  private stream(group: Group, name: string): Stream {
    const stream = group.streams.get(name);
    if (!stream)
      throw new LogResourceNotFoundError(`The specified log stream does not exist: ${group.name} / ${name}`);
    return stream;
  }

  private addGroup(name: string): Group {
    const group: Group = { name, creationTimeMs: this.nowMs(), streams: new Map(), eventCount: 0 };
    this.groups.set(name, group);
    return group;
  }

  private addStream(group: Group, name: string): Stream {
    const stream: Stream = { name, creationTimeMs: this.nowMs(), events: [], storedBytes: 0 };
    group.streams.set(name, stream);
    return stream;
  }

  /** Drops the oldest events (oldest stream first) until the group is a tenth below its cap. */
  private evict(group: Group): void {
    const target = this.options.maxEventsPerGroup - Math.floor(this.options.maxEventsPerGroup / 10);
    while (group.eventCount > target) {
      let oldest: Stream | undefined;
      for (const s of group.streams.values()) {
        const head = s.events[0];
        if (head && (!oldest || head.seq < (oldest.events[0]?.seq ?? Number.POSITIVE_INFINITY))) oldest = s;
      }
      if (!oldest) break;
      const removed = oldest.events.splice(0, Math.min(oldest.events.length, group.eventCount - target));
      for (const e of removed) oldest.storedBytes -= Buffer.byteLength(e.message);
      group.eventCount -= removed.length;
      oldest.firstEventTimestampMs = oldest.events[0]?.timestampMs;
    }
  }
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

function cut(message: string, maxBytes: number): string {
  if (message.length * 3 <= maxBytes || Buffer.byteLength(message) <= maxBytes) return message;
  return Buffer.from(message).subarray(0, maxBytes).toString("utf8");
}
