/**
 * CloudWatch over AWS JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`), as the installed
 * @aws-sdk/client-cloudwatch sends it (it is also awsQuery-compatible: errors carry `x-amzn-query-error`).
 * Operations: GetMetricData, ListMetrics, PutMetricData. Metric math (Expression) is not emulated.
 */
import type { MetricStore } from "../cloudwatch/metric-store.ts";
import { AwsWireError } from "./errors.ts";
import type { WireResponse } from "./http-io.ts";
import {
  type Body,
  objectAt,
  optionalArray,
  optionalNumber,
  optionalString,
  requiredString,
  timestampMs,
} from "./wire-values.ts";

const BAD = "InvalidParameterValueException";
const MISSING = "MissingRequiredParameterException";
const MAX_QUERIES = 500;
const ID = /^[a-z][a-zA-Z0-9_]*$/;

type Operation = (body: Body, metrics: MetricStore) => Body;

const operations: Record<string, Operation> = {
  GetMetricData: getMetricData,
  ListMetrics: listMetrics,
  PutMetricData: putMetricData,
};

/** Runs one CloudWatch operation; unknown names answer UnknownOperationException. */
export function handleCloudWatch(operation: string, body: Body, metrics: MetricStore): WireResponse {
  const run = operations[operation];
  if (!run) {
    throw new AwsWireError(
      "UnknownOperationException",
      400,
      `CloudWatch operation "${operation}" is not emulated by the local stage: supported are ${Object.keys(operations).join(", ")}`,
    );
  }
  return {
    statusCode: 200,
    headers: { "content-type": "application/x-amz-json-1.0" },
    body: run(body, metrics),
  };
}

function getMetricData(body: Body, metrics: MetricStore): Body {
  const queries = optionalArray(body, "MetricDataQueries", BAD);
  if (!queries || queries.length === 0 || queries.length > MAX_QUERIES) {
    throw new AwsWireError(
      BAD,
      400,
      `MetricDataQueries must hold 1 to ${MAX_QUERIES} queries, got ${queries?.length ?? 0}`,
    );
  }
  const startMs = timestampMs(body, "StartTime", BAD);
  const endMs = timestampMs(body, "EndTime", BAD);
  if (startMs === undefined || endMs === undefined) {
    throw new AwsWireError(MISSING, 400, "StartTime and EndTime are required by GetMetricData");
  }
  const scanBy = optionalString(body, "ScanBy", BAD) ?? "TimestampDescending";
  if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
    throw new AwsWireError(
      BAD,
      400,
      `ScanBy must be TimestampDescending or TimestampAscending, got "${scanBy}"`,
    );
  }
  const ids = new Set<string>();
  const results: Body[] = [];
  queries.forEach((raw, i) => {
    const q = objectAt(raw, `MetricDataQueries[${i}]`, BAD);
    const id = requiredString(q, "Id", BAD);
    if (!ID.test(id)) {
      throw new AwsWireError(
        BAD,
        400,
        `Id "${id}" is invalid: it must start with a lowercase letter and hold only letters, digits and _`,
      );
    }
    if (ids.has(id))
      throw new AwsWireError(BAD, 400, `Id "${id}" is used by more than one query: Ids must be unique`);
    ids.add(id);
    if (q["Expression"] !== undefined) {
      throw new AwsWireError(
        BAD,
        400,
        `query "${id}": metric math (Expression) is not emulated by the local stage: use MetricStat`,
      );
    }
    if (q["MetricStat"] === undefined)
      throw new AwsWireError(MISSING, 400, `query "${id}": MetricStat is required`);
    const ms = objectAt(q["MetricStat"], `query "${id}" MetricStat`, BAD);
    const metric = objectAt(ms["Metric"], `query "${id}" MetricStat.Metric`, BAD);
    const period = optionalNumber(ms, "Period", BAD);
    if (period === undefined)
      throw new AwsWireError(MISSING, 400, `query "${id}": MetricStat.Period is required`);
    const metricName = requiredString(metric, "MetricName", BAD);
    const unit = optionalString(ms, "Unit", BAD);
    const result = metrics.query({
      namespace: requiredString(metric, "Namespace", BAD),
      metricName,
      dimensions: readDimensions(metric, `query "${id}"`),
      stat: requiredString(ms, "Stat", BAD),
      periodSeconds: period,
      startMs,
      endMs,
      scanBy,
      ...(unit !== undefined ? { unit } : {}),
    });
    if (q["ReturnData"] === false) return;
    results.push({
      Id: id,
      Label: optionalString(q, "Label", BAD) ?? metricName,
      Timestamps: result.timestampsMs.map((t) => t / 1000),
      Values: result.values,
      StatusCode: "Complete",
      Messages: [],
    });
  });
  return { MetricDataResults: results, Messages: [] };
}

function readDimensions(metric: Body, where: string): Record<string, string> {
  const list = optionalArray(metric, "Dimensions", BAD) ?? [];
  if (list.length > 30)
    throw new AwsWireError(BAD, 400, `${where}: at most 30 dimensions, got ${list.length}`);
  const dims: Record<string, string> = {};
  for (const [i, raw] of list.entries()) {
    const d = objectAt(raw, `${where} Dimensions[${i}]`, BAD);
    dims[requiredString(d, "Name", BAD)] = requiredString(d, "Value", BAD);
  }
  return dims;
}

function listMetrics(body: Body, metrics: MetricStore): Body {
  const filters = (optionalArray(body, "Dimensions", BAD) ?? []).map((raw, i) => {
    const d = objectAt(raw, `Dimensions[${i}]`, BAD);
    const value = optionalString(d, "Value", BAD);
    return { name: requiredString(d, "Name", BAD), ...(value !== undefined ? { value } : {}) };
  });
  const namespace = optionalString(body, "Namespace", BAD);
  const metricName = optionalString(body, "MetricName", BAD);
  const found = metrics.listMetrics({
    dimensions: filters,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(metricName !== undefined ? { metricName } : {}),
  });
  const offset = Number(optionalString(body, "NextToken", BAD) ?? 0);
  if (!Number.isInteger(offset) || offset < 0)
    throw new AwsWireError("InvalidNextToken", 400, "NextToken is not one this endpoint returned");
  const page = found.slice(offset, offset + 500);
  return {
    Metrics: page.map((m) => ({
      Namespace: m.namespace,
      MetricName: m.metricName,
      Dimensions: Object.entries(m.dimensions).map(([Name, Value]) => ({ Name, Value })),
    })),
    ...(offset + page.length < found.length ? { NextToken: String(offset + page.length) } : {}),
  };
}

function putMetricData(body: Body, metrics: MetricStore): Body {
  const namespace = requiredString(body, "Namespace", BAD);
  const data = optionalArray(body, "MetricData", BAD) ?? [];
  const nowMs = Date.now();
  data.forEach((raw, i) => {
    const d = objectAt(raw, `MetricData[${i}]`, BAD);
    if (d["StatisticValues"] !== undefined) {
      throw new AwsWireError(
        BAD,
        400,
        `MetricData[${i}]: StatisticValues are not emulated by the local stage: send Value or Values`,
      );
    }
    const metricName = requiredString(d, "MetricName", BAD);
    const dimensions = readDimensions(d, `MetricData[${i}]`);
    const unit = optionalString(d, "Unit", BAD) ?? "None";
    const at = timestampMs(d, "Timestamp", BAD) ?? nowMs;
    const values = optionalArray(d, "Values", BAD) ?? [];
    const counts = optionalArray(d, "Counts", BAD) ?? [];
    const single = optionalNumber(d, "Value", BAD);
    const points: [number, number][] = single !== undefined ? [[single, 1]] : [];
    values.forEach((v, j) => {
      const count = counts[j] ?? 1;
      if (
        typeof v !== "number" ||
        typeof count !== "number" ||
        !Number.isInteger(count) ||
        count < 1 ||
        count > 10_000
      ) {
        throw new AwsWireError(
          BAD,
          400,
          `MetricData[${i}]: Values[${j}] must be a number with a whole Count from 1 to 10000`,
        );
      }
      points.push([v, count]);
    });
    for (const [value, count] of points) {
      for (let c = 0; c < count; c++)
        metrics.put({ namespace, metricName, dimensions, value, unit, timestampMs: at });
    }
  });
  return {};
}
