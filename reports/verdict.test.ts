/**
 * The report opens with a verdict written from the numbers (issue 19: "The report has no one-line answer"):
 * the sample run is a small CRUD API where API Gateway is most of the bill and memory barely moves it.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_PRICE_TABLE } from "../tuning/core/price-table.ts";
import { runPriceTable } from "../tuning/results/build-results.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { renderReport } from "./render-html.ts";
import { renderMarkdown } from "./render-markdown.ts";
import { verdictOf } from "./verdict.ts";

describe("verdictOf", () => {
  it("says how much memory moves the bill and what dominates it, from the numbers", () => {
    const results = sampleResults();
    const ok = results.settings.filter((s) => s.status === "ok" && s.cost);
    const costs = ok.map((s) => s.cost?.totalPerMillionUsd ?? 0);
    const spread = (Math.max(...costs) - Math.min(...costs)) / Math.min(...costs);
    const verdict = verdictOf(results);
    expect(verdict?.headline).toBe(
      `Memory moves this API's bill by ${(spread * 100).toFixed(1)} % ($4.327 to $4.433 per 1M requests over 6 settings): API Gateway is 81 % of it.`,
    );
  });

  // issue 19 audit: a run whose settings the host's load distorted stated its figures flatly
  it("says in the headline how many settings the host's load distorted", () => {
    const results = sampleResults();
    const ok = results.settings.filter((s) => s.status === "ok" && s.cost);
    const [first, second] = ok;
    if (!first || !second) throw new Error("fixture changed");
    first.distorted = { reason: "the host's CPUs were 97 % busy during the load window" };
    second.hostContention = {
      oversubscribed: true,
      meanCpuShareDemand: 1.4,
      peakCpuShareDemand: 2.1,
      hostCpuWaitShare: 0.3,
      reason: "waiting for the host",
    };
    expect(verdictOf(results)?.headline).toMatch(
      new RegExp(
        `: API Gateway is 81 % of it \\(2 of ${ok.length} settings distorted by host load: see the run panel\\)\\.$`,
      ),
    );
    // contention that did not oversubscribe the host is no caveat
    delete first.distorted;
    second.hostContention = { ...second.hostContention, oversubscribed: false };
    expect(verdictOf(results)?.headline).toMatch(/: API Gateway is 81 % of it\.$/);
  });

  it("one sentence per strategy, in the recommendations' order, with memory sizes people read", () => {
    const verdict = verdictOf(sampleResults());
    expect(verdict?.strategies.map((s) => s.strategy)).toEqual(["cost", "speed", "balanced", "slo"]);
    expect(verdict?.strategies[0]?.text).toBe("For cost, 512 MB arm64: $4.327 per 1M requests, p95 69.0 ms.");
    expect(verdict?.strategies[1]?.text).toMatch(
      /^For latency, 2,048 MB x86_64 gives p95 28\.0 ms at \+2\.5 % cost \(not distinguishable from 1,769 MB x86_64\)\.$/,
    );
    expect(verdict?.strategies[3]?.text).toMatch(
      /^SLO \(p99 ≤ 80\.0 ms, errors ≤ 0\.1 %\): 1,024 MB x86_64 is the cheapest/,
    );
    for (const s of verdict?.strategies ?? []) expect(s.text).not.toMatch(/x86_64-\d|arm64-\d/);
  });

  it("names the API type as the bigger lever, with the price table's HTTP API price and source", () => {
    const verdict = verdictOf(sampleResults());
    const http = DEFAULT_PRICE_TABLE.regions["us-east-1"]?.apiGateway?.HTTP;
    expect(verdict?.lever?.text).toMatch(
      /^The bigger lever is the API type: .* API Gateway \$1\.000 instead of \$3\.500 per 1M/,
    );
    expect(verdict?.lever?.source).toBe(
      `price table ${DEFAULT_PRICE_TABLE.version}, us-east-1: ${http?.source}`,
    );
  });

  it("prices the lever with the run region's figures, at the run's monthly volume, and not where HTTP is unsourced", () => {
    const ireland = sampleResults();
    ireland.run.stage.region = "eu-west-1";
    expect(verdictOf(ireland)?.lever?.text).toMatch(/API Gateway \$1\.110 instead of \$3\.500 per 1M/);
    const monthly = sampleResults();
    monthly.run.priceTable.monthlyRequests = 400_000_000; // REST's second tier ($2.80), HTTP's second ($0.90)
    expect(verdictOf(monthly)?.lever?.text).toMatch(/API Gateway \$0\.9000 instead of \$2\.800 per 1M/);
    // A table whose Frankfurt REST price is sourced and HTTP API price is not (as a user's table may be).
    const noHttp = structuredClone(DEFAULT_PRICE_TABLE);
    const frankfurtPrices = noHttp.regions["eu-central-1"];
    if (frankfurtPrices?.apiGateway) delete frankfurtPrices.apiGateway.HTTP;
    const frankfurt = sampleResults();
    frankfurt.run.stage.region = "eu-central-1";
    expect(verdictOf(frankfurt)?.lever?.text).toMatch(/API Gateway \$1\.200 instead of \$3\.700 per 1M/);
    expect(verdictOf(frankfurt, noHttp)?.lever).toBeUndefined();
  });

  // issue 18: the lever was priced from the snapshot even when the run used the user's --price-table
  it("prices the lever from the table the run used (recorded in results.json), never the snapshot's", () => {
    const mine = structuredClone(DEFAULT_PRICE_TABLE);
    mine.version = "my-prices-2026-12";
    mine.origin = "my-prices.json";
    const usEast1 = mine.regions["us-east-1"]?.apiGateway;
    if (!usEast1?.HTTP || !usEast1.REST) throw new Error("snapshot changed");
    usEast1.HTTP = { ...usEast1.HTTP, tiers: [{ upTo: null, usd: 0.5 }], source: "my negotiated rate" };
    usEast1.REST = { ...usEast1.REST, tiers: [{ upTo: null, usd: 3 }] };
    const results = sampleResults();
    results.run.priceTable = runPriceTable({ table: mine }, "us-east-1");
    expect(results.run.priceTable).toMatchObject({
      version: "my-prices-2026-12",
      origin: "my-prices.json",
      apiGateway: { HTTP: { perMillionUsd: 0.5, source: "my negotiated rate" }, REST: { perMillionUsd: 3 } },
    });
    // rendered later, without the user's file at hand: the recorded prices, not the snapshot's $1.00 / $3.50
    const lever = verdictOf(results)?.lever;
    expect(lever?.text).toMatch(/API Gateway \$0\.5000 instead of \$3\.000 per 1M/);
    expect(lever?.source).toBe("price table my-prices-2026-12, us-east-1: my negotiated rate");
    // a file that does not record its prices and was priced with another table: no lever rather than a guess
    const older = sampleResults();
    older.run.priceTable = { version: "my-prices-2026-12", region: "us-east-1" };
    expect(verdictOf(older)?.lever).toBeUndefined();
    expect(verdictOf(older, mine)?.lever?.text).toMatch(/API Gateway \$0\.5000 instead of \$3\.000 per 1M/);
    // the table records no HTTP API price for the region: no lever
    const noHttp = sampleResults();
    noHttp.run.priceTable = {
      ...results.run.priceTable,
      apiGateway: { REST: { perMillionUsd: 3, source: "x" } },
    };
    expect(verdictOf(noHttp)?.lever).toBeUndefined();
  });

  it("no lever when the API is already an HTTP API, or when memory moves the bill more", () => {
    const http = sampleResults();
    http.run.stage.apiType = "HTTP";
    expect(verdictOf(http)?.lever).toBeUndefined();
    const computeHeavy = sampleResults();
    for (const s of computeHeavy.settings) {
      if (!s.cost) continue;
      s.cost.lambdaComputePerMillionUsd *= s.memoryMb / 8; // memory now moves the bill by dollars
      s.cost.totalPerMillionUsd =
        s.cost.lambdaComputePerMillionUsd +
        s.cost.lambdaRequestsPerMillionUsd +
        s.cost.apiGatewayPerMillionUsd +
        s.cost.dynamodbPerMillionUsd;
    }
    const verdict = verdictOf(computeHeavy);
    expect(verdict?.lever).toBeUndefined();
    expect(verdict?.headline).toMatch(/Lambda compute is \d+ % of it\.$/);
  });

  it("prints the per-request cost as a plain decimal, not in exponent notation", () => {
    const html = renderReport(sampleResults());
    expect(html).not.toMatch(/\$\d\.\d+e-\d/);
    expect(html).toContain("$0.000004");
  });

  it("the client table opens with pass/fail badges for the thresholds and the Newman gate", () => {
    const html = renderReport(sampleResults());
    const clientSection = html.slice(html.indexOf("<h3>Client side (load engine)</h3>"));
    const clientTable = clientSection.slice(
      clientSection.indexOf("<table"),
      clientSection.indexOf("</table>"),
    );
    expect(clientTable).toMatch(
      /<th scope="col">setting<\/th><th scope="col">thresholds<\/th><th scope="col">Newman gate<\/th>/,
    );
    expect(clientTable).toContain('<span class="badge pass">pass</span>');
    expect(clientTable).toMatch(/<span class="badge failed">fail<\/span> \d+\/\d+/);
  });

  it("opens the report (before the recommendation cards) and summary.md", () => {
    const results = sampleResults();
    const html = renderReport(results);
    expect(html.indexOf('<section id="verdict"')).toBeGreaterThan(0);
    expect(html.indexOf('<section id="verdict"')).toBeLessThan(html.indexOf('<section id="recommendations"'));
    expect(html).toContain("Memory moves this API&#39;s bill by 2.5 %");
    const markdown = renderMarkdown(results);
    expect(markdown.indexOf("**Memory moves this API's bill by 2.5 %")).toBeLessThan(
      markdown.indexOf("## Recommendations"),
    );
    expect(markdown).toContain("- For cost, 512 MB arm64");
  });
});
