/**
 * The log store of the CloudWatch Logs emulation: the Lambda emulator appends START/END/REPORT lines and the
 * function's output (LogSink); the AWS endpoint answers FilterLogEvents, GetLogEvents, DescribeLogStreams and
 * DescribeLogGroups (and the few write calls a test or tool needs) from it.
 *
 * Memory is bounded (see DEFAULTS): at most `maxEventsPerGroup` events per group (past it, the oldest stream's
 * oldest events go first, in chunks of a tenth of the cap), `maxGroups` groups, and messages cut to 256 KB as
 * CloudWatch Logs limits them. Events keep their ingestion order within a stream. The reads are in
 * log-reads.ts.
 */
import type { LogEvent, LogSink } from "../contracts.ts";
import { CloudWatchApiError, LogResourceExistsError, LogResourceNotFoundError } from "./errors.ts";
import {
  describeGroups,
  describeStreams,
  type FilterLogEventsInput,
  filterEvents,
  type GetLogEventsInput,
  type Group,
  readStream,
  type Stream,
} from "./log-reads.ts";

export type { FilterLogEventsInput, GetLogEventsInput };

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
    return filterEvents(this.group(input.logGroupName), input);
  }

  /** GetLogEvents: see readStream. */
  getLogEvents(input: GetLogEventsInput) {
    return readStream(this.stream(this.group(input.logGroupName), input.logStreamName), input);
  }

  describeLogStreams(input: Parameters<typeof describeStreams>[2] & { logGroupName: string }) {
    return describeStreams(this.group(input.logGroupName), this.groupArn(input.logGroupName), input);
  }

  describeLogGroups(input: Parameters<typeof describeGroups>[2]) {
    return describeGroups(this.groups.values(), (name) => this.groupArn(name), input);
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

function cut(message: string, maxBytes: number): string {
  if (message.length * 3 <= maxBytes || Buffer.byteLength(message) <= maxBytes) return message;
  return Buffer.from(message).subarray(0, maxBytes).toString("utf8");
}
