/**
 * k6 end-of-test summary data in the documented handleSummary shape (metrics[name] = {type, contains, values,
 * thresholds?}; state.testRunDurationMs), as the CRUD scenario would produce for a short baseline run. Written
 * for the tests from k6's documentation of the format; not output of a real k6 run (those are in the k6 integration tests).
 */
import type { K6SummaryData } from "../engines/k6/summary.ts";

const trend = (
  avg: number,
  min: number,
  med: number,
  max: number,
  p90: number,
  p95: number,
  p99: number,
  p999: number,
  count: number,
) => ({
  type: "trend" as const,
  contains: "time" as const,
  values: { avg, min, med, max, "p(90)": p90, "p(95)": p95, "p(99)": p99, "p(99.9)": p999, count },
});
const counter = (count: number, rate: number) => ({
  type: "counter" as const,
  contains: "default" as const,
  values: { count, rate },
});

export function sampleSummary(options: { p95ThresholdOk?: boolean } = {}): K6SummaryData {
  const p95Ok = options.p95ThresholdOk ?? true;
  return {
    root_group: { name: "", path: "", id: "d41d8cd98f00b204e9800998ecf8427e", groups: [], checks: [] },
    options: {
      summaryTrendStats: ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "p(99.9)", "count"],
    },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 10012.5 },
    metrics: {
      http_reqs: { ...counter(500, 49.94), thresholds: undefined },
      iterations: counter(500, 49.94),
      dropped_iterations: counter(3, 0.3),
      http_req_failed: {
        type: "rate",
        contains: "default",
        values: { rate: 0.004, passes: 2, fails: 498 },
        thresholds: { "rate<0.01": { ok: true } },
      },
      http_req_duration: {
        ...trend(12.5, 2.1, 10.2, 180.4, 20.3, 31.7, 95.2, 170.9, 500),
        thresholds: { "p(95)<500": { ok: p95Ok }, "p(99)<1000": { ok: true } },
      },
      "http_req_duration{op:create}": {
        ...trend(15, 3, 12, 90, 25, 35, 80, 89, 100),
        thresholds: { "max>=0": { ok: true } },
      },
      "http_req_duration{op:read}": {
        ...trend(10, 2.1, 9, 180.4, 18, 28, 96, 170, 250),
        thresholds: { "max>=0": { ok: true } },
      },
      "http_req_duration{op:list}": {
        ...trend(20, 5, 18, 60, 30, 40, 55, 59, 50),
        thresholds: { "max>=0": { ok: true } },
      },
      "http_req_duration{op:update}": {
        ...trend(13, 3, 11, 70, 22, 30, 65, 69, 75),
        thresholds: { "max>=0": { ok: true } },
      },
      "http_req_duration{op:delete}": {
        ...trend(12, 3, 10, 50, 20, 25, 45, 49, 25),
        thresholds: { "max>=0": { ok: true } },
      },
      "http_reqs{op:create}": { ...counter(100, 9.99), thresholds: { "count>=0": { ok: true } } },
      "http_reqs{op:read}": { ...counter(250, 24.97), thresholds: { "count>=0": { ok: true } } },
      "http_reqs{op:list}": { ...counter(50, 4.99), thresholds: { "count>=0": { ok: true } } },
      "http_reqs{op:update}": { ...counter(75, 7.49), thresholds: { "count>=0": { ok: true } } },
      "http_reqs{op:delete}": { ...counter(25, 2.5), thresholds: { "count>=0": { ok: true } } },
      pb_status_create_201: counter(100, 9.99),
      pb_status_read_200: counter(246, 24.57),
      pb_status_read_404: counter(2, 0.2),
      pb_status_read_503: counter(2, 0.2),
      pb_status_list_200: counter(50, 4.99),
      pb_status_update_200: counter(75, 7.49),
      pb_status_delete_204: counter(25, 2.5),
      pb_error_read_server_error: counter(2, 0.2),
      checks: { type: "rate", contains: "default", values: { rate: 0.996, passes: 498, fails: 2 } },
      vus: { type: "gauge", contains: "default", values: { value: 1, min: 1, max: 6 } },
      data_received: { type: "counter", contains: "data", values: { count: 120_000, rate: 11_985 } },
    },
  };
}
