/**
 * issue 18: a user's function that does not log its DynamoDB consumed capacity was priced at $0 DynamoDB without a
 * word. The warning is written into results.json and shown by the report, summary.md and the terminal summary.
 */
import { describe, expect, it } from "vitest";
import { renderReport } from "../../reports/render-html.ts";
import { renderMarkdown } from "../../reports/render-markdown.ts";
import { renderTerminalSummary } from "../../reports/terminal-summary.ts";
import type { LogFindings } from "../adapters/collect.ts";
import { parseRequestLogLines } from "../adapters/report-lines.ts";
import { parseResults, serializeResults } from "../results/results.ts";
import type { Results } from "../results/results-types.ts";
import { sampleResults } from "../results/test-support/sample-results.ts";
import { dynamoDbMeasurements } from "./measurements.ts";
import {
  dynamodbCapacityWarning,
  httpApiPayloadBoundWarning,
  httpApiPayloadWarning,
  runWarnings,
} from "./run-warnings.ts";

const findings = (lines: string[]): LogFindings => ({
  reports: [],
  requests: parseRequestLogLines(lines),
  timeouts: 0,
  outOfMemory: 0,
  runtimeExits: 0,
});

// A user's function that logs its own request line without capacity, and our service's line (service/log.ts).
const USER_LINE =
  '2026-12-07T04:00:00.000Z\tc0ffee00-0000-4000-8000-000000000001\tINFO\t{"msg":"request","requestId":"c0ffee00-0000-4000-8000-000000000001","status":200}';
const SERVICE_LINE =
  '{"level":"info","msg":"request","requestId":"c0ffee00-0000-4000-8000-000000000002","route":"GET /items/{id}","method":"GET","status":200,"durationMs":4.1,"consumedRcu":0.5,"consumedWcu":0}';

/** The sample run as if its function had logged these lines at every setting. */
function ranLogging(lines: string[]): Results {
  const results = sampleResults();
  for (const s of results.settings) if (s.dynamodb) s.dynamodb = dynamoDbMeasurements(findings(lines));
  const warnings = runWarnings(results.settings);
  if (warnings.length > 0) results.run.warnings = warnings;
  return results;
}

describe("the DynamoDB capacity warning", () => {
  it("counts the request log lines that carry consumed capacity", () => {
    expect(dynamoDbMeasurements(findings([USER_LINE, USER_LINE])).requestsWithCapacity).toBe(0);
    expect(dynamoDbMeasurements(findings([USER_LINE, SERVICE_LINE])).requestsWithCapacity).toBe(1);
    expect(dynamoDbMeasurements(findings([])).requestsWithCapacity).toBe(0);
  });

  it("warns when no setting's function logged capacity, naming the fields and the fix", () => {
    const results = ranLogging([USER_LINE]);
    const ok = results.settings.filter((s) => s.status === "ok" && (s.lambda?.invocations ?? 0) > 0);
    const warning = dynamodbCapacityWarning(results.settings);
    expect(warning?.code).toBe("dynamodb-capacity-not-logged");
    expect(warning?.settings).toEqual(ok.map((s) => s.id));
    expect(warning?.message).toMatch(
      /^DynamoDB is priced at \$0: the function logged no DynamoDB consumed capacity \(\d+ request log lines in \d+ measured invocations, none with consumedRcu or consumedWcu\)\. If it uses DynamoDB, call it with ReturnConsumedCapacity: "TOTAL" and log one JSON line per request, \{"msg":"request","requestId":"<Lambda request id>","consumedRcu":<read units>,"consumedWcu":<write units>\}/,
    );
    // a function that writes no request line at all
    expect(dynamodbCapacityWarning(ranLogging([]).settings)?.message).toMatch(
      /\(no request log line in \d+ measured invocations\)/,
    );
  });

  it("no warning when the function logs capacity (even 0 units), or for a file that predates the count", () => {
    expect(runWarnings(ranLogging([SERVICE_LINE]).settings)).toEqual([]);
    const zero = SERVICE_LINE.replace('"consumedRcu":0.5', '"consumedRcu":0');
    expect(runWarnings(ranLogging([zero]).settings)).toEqual([]);
    expect(runWarnings(sampleResults().settings)).toEqual([]);
  });

  it("travels in results.json and is shown in the terminal summary, summary.md and the report", () => {
    const results = parseResults(serializeResults(ranLogging([USER_LINE])));
    const message = results.run.warnings?.[0]?.message ?? "";
    expect(message).toContain("ReturnConsumedCapacity");
    expect(renderTerminalSummary(results)).toContain(`warning: ${message}.`);
    expect(renderMarkdown(results)).toContain(
      "> **Warning:** DynamoDB is priced at $0: the function logged no",
    );
    const html = renderReport(results);
    expect(html).toContain(
      "<strong>DynamoDB is priced at $0:</strong> the function logged no DynamoDB consumed",
    );
    expect(html).toContain("ReturnConsumedCapacity: &quot;TOTAL&quot;");
    for (const text of [renderTerminalSummary(sampleResults()), renderMarkdown(sampleResults())])
      expect(text).not.toContain("DynamoDB is priced at $0");
  });

  describe("the HTTP API payload warning (issue 18)", () => {
    it("warns when an HTTP API's body sizes were not measured (k6), not for a REST API or measured bodies", () => {
      const results = sampleResults(); // no payload recorded: as a k6 run
      const warning = httpApiPayloadWarning(results.settings, "HTTP");
      expect(warning?.code).toBe("http-api-payload-not-measured");
      expect(warning?.message).toMatch(
        /^HTTP API priced at one metered call per request: .*k6 needs its JSON output \(--out json\)/,
      );
      expect(httpApiPayloadWarning(results.settings, "REST")).toBeUndefined();
      expect(runWarnings(results.settings, null)).toEqual([]);
      for (const s of results.settings)
        if (s.client)
          s.client.payload = {
            requests: s.client.requests,
            requestBytes: 100,
            responseBytes: 100,
            maxExchangeBytes: 80,
            exchangesBy512KiB: { "1": s.client.requests },
          };
      expect(httpApiPayloadWarning(results.settings, "HTTP")).toBeUndefined();
      expect(
        parseResults(serializeResults(results)).settings.find((s) => s.client)?.client?.payload,
      ).toBeDefined();
    });

    it("warns when a k6 script's calls are only bounded above one per request, with the bound and the fix", () => {
      const results = sampleResults();
      const bounded = (exchangesBy512KiB: Record<string, number>) => {
        for (const s of results.settings)
          if (s.client)
            s.client.payload = {
              requests: 100,
              requestBytes: 70_000_000,
              responseBytes: 30_000,
              maxExchangeBytes: 700_000,
              exchangesBy512KiB,
              source: "k6-iteration-bytes",
            };
      };
      bounded({ "1": 90, "2": 10 });
      const warning = httpApiPayloadBoundWarning(results.settings, "HTTP");
      expect(warning?.code).toBe("http-api-payload-bounded");
      expect(warning?.message).toMatch(
        /^HTTP API priced at an upper bound of 1\.1 metered calls per request: the k6 script recorded no body sizes, .*data_sent \+ data_received, HTTP headers included.*n \+ floor\(B \/ 512 KiB\).*recordLambdaRequestId\(res\)/,
      );
      expect(warning?.settings).toEqual(results.settings.filter((s) => s.client).map((s) => s.id));
      expect(runWarnings(results.settings, "HTTP").map((w) => w.code)).toEqual(["http-api-payload-bounded"]);
      expect(httpApiPayloadBoundWarning(results.settings, "REST")).toBeUndefined();
      // the file keeps the source; the report shows the warning
      const parsed = parseResults(serializeResults(results));
      expect(parsed.settings.find((s) => s.client)?.client?.payload?.source).toBe("k6-iteration-bytes");
      parsed.run.warnings = runWarnings(parsed.settings, "HTTP");
      expect(renderReport(parsed)).toContain(
        "<strong>HTTP API priced at an upper bound of 1.1 metered calls",
      );
      // A bound of one call per request is exact (every answered request is at least one call): no warning.
      bounded({ "1": 100 });
      expect(httpApiPayloadBoundWarning(results.settings, "HTTP")).toBeUndefined();
    });
  });
});
