/**
 * CloudWatch Logs over AWS JSON 1.1 (`X-Amz-Target: Logs_20140328.<Operation>`). Reads: FilterLogEvents,
 * GetLogEvents, DescribeLogStreams, DescribeLogGroups. Writes a tool or test may need: CreateLogGroup,
 * CreateLogStream, PutLogEvents, DeleteLogGroup. Filter patterns: see stage/cloudwatch/log-filter.ts.
 */

import type { LogStore } from "../cloudwatch/log-store.ts";
import type { LogEvent } from "../contracts.ts";
import { AwsWireError } from "./errors.ts";
import type { WireResponse } from "./http-io.ts";
import {
  type Body,
  objectAt,
  optionalArray,
  optionalBoolean,
  optionalNumber,
  optionalString,
  requiredString,
} from "./wire-values.ts";

const BAD = "InvalidParameterException";

type Operation = (body: Body, logs: LogStore) => Body;

const operations: Record<string, Operation> = {
  FilterLogEvents: (b, logs) => {
    const logStreamNames = optionalArray(b, "logStreamNames", BAD)?.map((n, i) => {
      if (typeof n !== "string") throw new AwsWireError(BAD, 400, `logStreamNames[${i}] must be a string`);
      return n;
    });
    return logs.filterLogEvents({
      logGroupName: groupName(b),
      ...defined({
        logStreamNames,
        logStreamNamePrefix: optionalString(b, "logStreamNamePrefix", BAD),
        startTime: optionalNumber(b, "startTime", BAD),
        endTime: optionalNumber(b, "endTime", BAD),
        filterPattern: optionalString(b, "filterPattern", BAD),
        limit: optionalNumber(b, "limit", BAD),
        nextToken: optionalString(b, "nextToken", BAD),
      }),
    });
  },
  GetLogEvents: (b, logs) =>
    logs.getLogEvents({
      logGroupName: groupName(b),
      logStreamName: requiredString(b, "logStreamName", BAD),
      ...defined({
        startTime: optionalNumber(b, "startTime", BAD),
        endTime: optionalNumber(b, "endTime", BAD),
        limit: optionalNumber(b, "limit", BAD),
        startFromHead: optionalBoolean(b, "startFromHead", BAD),
        nextToken: optionalString(b, "nextToken", BAD),
      }),
    }),
  DescribeLogStreams: (b, logs) => {
    const orderBy = optionalString(b, "orderBy", BAD);
    if (orderBy !== undefined && orderBy !== "LogStreamName" && orderBy !== "LastEventTime") {
      throw new AwsWireError(BAD, 400, `orderBy must be LogStreamName or LastEventTime, got "${orderBy}"`);
    }
    return logs.describeLogStreams({
      logGroupName: groupName(b),
      ...defined({
        logStreamNamePrefix: optionalString(b, "logStreamNamePrefix", BAD),
        orderBy,
        descending: optionalBoolean(b, "descending", BAD),
        limit: optionalNumber(b, "limit", BAD),
        nextToken: optionalString(b, "nextToken", BAD),
      }),
    });
  },
  DescribeLogGroups: (b, logs) =>
    logs.describeLogGroups(
      defined({
        logGroupNamePrefix: optionalString(b, "logGroupNamePrefix", BAD),
        limit: optionalNumber(b, "limit", BAD),
        nextToken: optionalString(b, "nextToken", BAD),
      }),
    ),
  CreateLogGroup: (b, logs) => {
    logs.createLogGroup(requiredString(b, "logGroupName", BAD));
    return {};
  },
  CreateLogStream: (b, logs) => {
    logs.createLogStream(requiredString(b, "logGroupName", BAD), requiredString(b, "logStreamName", BAD));
    return {};
  },
  DeleteLogGroup: (b, logs) => {
    logs.deleteLogGroup(requiredString(b, "logGroupName", BAD));
    return {};
  },
  PutLogEvents: (b, logs) => {
    const events: LogEvent[] = (optionalArray(b, "logEvents", BAD) ?? []).map((raw, i) => {
      const e = objectAt(raw, `logEvents[${i}]`, BAD);
      const timestampMs = optionalNumber(e, "timestamp", BAD);
      if (timestampMs === undefined)
        throw new AwsWireError(BAD, 400, `logEvents[${i}].timestamp is required (epoch ms)`);
      return { timestampMs, message: requiredString(e, "message", BAD) };
    });
    logs.putLogEvents(
      requiredString(b, "logGroupName", BAD),
      requiredString(b, "logStreamName", BAD),
      events,
    );
    return { nextSequenceToken: String(Date.now()) };
  },
};

/** Runs one CloudWatch Logs operation; unknown names answer UnknownOperationException. */
export function handleLogs(operation: string, body: Body, logs: LogStore): WireResponse {
  const run = operations[operation];
  if (!run) {
    throw new AwsWireError(
      "UnknownOperationException",
      400,
      `CloudWatch Logs operation "${operation}" is not emulated by the local stage: supported are ${Object.keys(operations).join(", ")}`,
    );
  }
  return {
    statusCode: 200,
    headers: { "content-type": "application/x-amz-json-1.1" },
    body: run(body, logs),
  };
}

/** logGroupName, or logGroupIdentifier (a name or an ARN `arn:aws:logs:...:log-group:<name>[:*]`). */
function groupName(b: Body): string {
  const identifier = optionalString(b, "logGroupIdentifier", BAD);
  if (identifier !== undefined) {
    const m = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(identifier);
    return m?.[1] ?? identifier;
  }
  return requiredString(b, "logGroupName", BAD);
}

function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
