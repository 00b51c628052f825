/**
 * Lines of k6's JSON output (`k6 run --out json=<file>`) in the documented shape: a "Metric" line declares a
 * metric, a "Point" line is one sample {time, value, tags}. Written for the tests from k6's documentation of
 * the format; not output of a real k6 run (the real runs are in the *.integration.test.ts files with k6).
 *
 * The requests, by second of their start (sample time − duration) from the first one's: second 0 has four
 * reads (10, 20, 30, 40 ms), second 1 a create (15 ms) and a read answered 503 (an error: expected_response
 * "false"), second 2 none, second 3 a list (25 ms).
 */

const requestTags = (op: string, status: number, expected: boolean) => ({
  expected_response: String(expected),
  group: "",
  method: op === "create" ? "POST" : "GET",
  name: op === "read" ? "GET /items/{id}" : op === "create" ? "POST /items" : "GET /items",
  op,
  proto: "HTTP/1.1",
  scenario: "baseline",
  status: String(status),
  url: "http://127.0.0.1:3000/prod/items",
});

const point = (metric: string, time: string, value: number, tags: Record<string, string> | null) =>
  JSON.stringify({ type: "Point", data: { time, value, tags }, metric });

/** One request as k6 writes it: an http_reqs point, an http_req_duration point and an http_req_failed point. */
function request(time: string, durationMs: number, op: string, status: number): string[] {
  const expected = status < 400;
  const tags = requestTags(op, status, expected);
  return [
    point("http_reqs", time, 1, tags),
    point("http_req_duration", time, durationMs, tags),
    point("http_req_failed", time, expected ? 0 : 1, tags),
  ];
}

export function sampleJsonOutputLines(): string[] {
  return [
    JSON.stringify({
      type: "Metric",
      data: { type: "gauge", contains: "default", tainted: null, thresholds: [], submetrics: null },
      metric: "vus",
    }),
    point("vus", "2026-11-27T03:00:00.000000000Z", 1, null),
    JSON.stringify({
      type: "Metric",
      data: {
        type: "trend",
        contains: "time",
        tainted: null,
        thresholds: ["p(95)<500", "p(99)<1000"],
        submetrics: null,
      },
      metric: "http_req_duration",
    }),
    ...request("2026-11-27T03:00:00.250312500Z", 10, "read", 200),
    ...request("2026-11-27T03:00:00.500000000Z", 20, "read", 200),
    // A time zone offset, as k6 writes local time: the same instant as 03:00:00.750 UTC.
    ...request("2026-11-27T04:00:00.750000000+01:00", 30, "read", 200),
    ...request("2026-11-27T03:00:01.100000000Z", 40, "read", 200),
    ...request("2026-11-27T03:00:01.300000000Z", 15, "create", 201),
    ...request("2026-11-27T03:00:01.900000000Z", 35, "read", 503),
    point("vus", "2026-11-27T03:00:02.000000000Z", 1, null),
    ...request("2026-11-27T03:00:03.400000000Z", 25, "list", 200),
  ];
}
