import { describe, expect, it } from "vitest";
import { validateResults } from "../tuning/results/results.ts";
import { makeResults, manySettings } from "../tuning/results/test-support/results-fixture.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { readVegaAssets } from "./assets.ts";
import { compareResults } from "./compare.ts";
import { jsonForScript } from "./html.ts";
import { renderReport } from "./render-html.ts";
import { allStrings, extractReportData, HOSTILE } from "./test-support/report-data.ts";

const CHART_IDS = [
  "chart-power-tuning",
  "chart-cost-latency",
  "chart-client-percentiles",
  "chart-lambda-percentiles",
  "chart-cold-start-rate",
  "chart-init-duration",
  "chart-cost-breakdown",
  "chart-throughput",
  "chart-p95-over-time",
  "chart-errors",
];

/** Setting ids in a chart's inline data (`values` arrays, layer data included). */
function idsInSpec(spec: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (v: unknown, inValues: boolean): void => {
    if (Array.isArray(v)) {
      for (const item of v) visit(item, inValues);
    } else if (v && typeof v === "object") {
      for (const [key, value] of Object.entries(v)) {
        if (inValues && key === "id" && typeof value === "string") ids.add(value);
        visit(value, inValues || key === "values");
      }
    }
  };
  visit(spec, false);
  return ids;
}

describe("renderReport", () => {
  it("renders the sample run: every chart, the picks, the failed setting and why, the metadata", () => {
    const results = validateResults(sampleResults());
    const html = renderReport(results, { assets: readVegaAssets(), generatedAt: "2026-11-27T03:00:00Z" });

    const data = extractReportData(html);
    expect(data.charts.map((c) => c.id)).toEqual(CHART_IDS);
    for (const id of CHART_IDS) expect(html).toContain(`<div class="chart" id="${id}">`);
    for (const rec of results.recommendations) expect(html).toContain(rec.reason.replace(/</g, "&lt;"));
    expect(html).toMatch(/<section id="failed">[\s\S]*x86_64-128[\s\S]*Task timed out after 3\.00 seconds/);
    expect(html).toContain("create item: status is 201: expected 201, got 504");
    // the failed setting is in the tables, not in the charts
    for (const chart of data.charts) expect(idsInSpec(chart.spec).has("x86_64-128"), chart.id).toBe(false);
    expect(html).toMatch(/<th scope="row">x86_64-128 <span class="badge failed">failed<\/span>/);
    expect(html).toContain("<dt>run id</dt><dd>2026-11-27T02-09-00Z-ab12</dd>");
    expect(html).toContain("at 2026-11-27T03:00:00Z");
    // how the cost pick moves with the cold-start rate
    expect(html).toMatch(/<section id="cold-start-sensitivity"><h2>Cold-start sensitivity<\/h2>/);
    expect(html).toContain('<th scope="row">5.00 %</th>');
    // the three bundles and the boot script are inline; nothing is loaded from anywhere
    expect(html.match(/<script>/g)).toHaveLength(4);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/);
    expect(html).not.toContain("Task timed out after 3.00 seconds</script>");
  });

  // issue 19 item 5: the verdict, then power-tuning's combined chart, then the rest
  it("opens with the banner, the verdict and the cards, then figure 1; the cold-start table after the figures", () => {
    const results = sampleResults();
    results.run.partial = {
      reason: "interrupted",
      message: "interrupted by SIGINT during x86_64-2048",
      settingsPlanned: results.settings.length + 1,
      settingsRun: results.settings.length,
      notRun: ["x86_64-3008"],
    };
    const html = renderReport(results, { comparison: compareResults(results, sampleResults()) });
    const order = [
      'id="partial"',
      'id="verdict"',
      'id="recommendations"',
      'id="figure-power-tuning"',
      'id="comparison"',
      'id="failed"',
      'id="figure-cost-latency"',
      'id="figure-cost-breakdown"',
      'id="cold-start-sensitivity"',
      'id="tables"',
      'id="metadata"',
    ].map((id) => [id, html.indexOf(id)] as const);
    for (const [id, at] of order) expect(at, id).toBeGreaterThan(0);
    expect([...order].sort((a, b) => a[1] - b[1]).map(([id]) => id)).toEqual(order.map(([id]) => id));
    // nothing but the notes between the cards and figure 1
    const between = html.slice(
      html.indexOf('id="recommendations"'),
      html.indexOf('id="figure-power-tuning"'),
    );
    expect(between.match(/<section/g)).toHaveLength(1);
  });

  it("renders one setting and 24 settings, every setting in the charts and the tables", () => {
    for (const settings of [[{ architecture: "arm64" as const, memoryMb: 512 }], manySettings()]) {
      const results = validateResults(makeResults({ settings }));
      const html = renderReport(results);
      const data = extractReportData(html);
      // a run in which no request failed has no errors panel (a flat zero line said nothing): issue 19, chart 6
      const anyErrors = results.settings.some((s) => s.client?.timeline.some((p) => p.errors > 0));
      const anyP95 = results.settings.some((s) => s.client?.timeline.some((p) => p.p95Ms !== undefined));
      expect(data.charts.map((c) => c.id)).toEqual(
        CHART_IDS.filter(
          (id) => (anyErrors || id !== "chart-errors") && (anyP95 || id !== "chart-p95-over-time"),
        ),
      );
      if (!anyErrors)
        expect(html).toContain("No request failed in any load window, so there is no errors panel.");
      for (const chart of data.charts) {
        expect(idsInSpec(chart.spec).size, `${settings.length} settings: ${chart.id}`).toBe(settings.length);
      }
      for (const s of results.settings) expect(html).toContain(`<th scope="row">${s.id}`);
    }
  });

  it("says why a figure is empty when every setting failed", () => {
    const results = makeResults({
      settings: [{ architecture: "x86_64", memoryMb: 128 }],
      failed: ["x86_64-128"],
    });
    const html = renderReport(validateResults(results));
    expect(extractReportData(html).charts).toEqual([]);
    expect(html.match(/Not drawn: no completed setting has the figures this chart needs/g)).toHaveLength(6);
    expect(html).toContain("out of memory at 128 MB");
  });

  it("notes when CPU scaling was not emulated and when a setting was distorted", () => {
    const results = makeResults({ distorted: ["arm64-1024"] });
    results.run.cpuScaling = { mode: "none", reason: "cgroup cpu controller is read-only" };
    const html = renderReport(validateResults(results));
    expect(html).toMatch(
      /<p class="note">⚠ <strong>CPU scaling was not emulated\.<\/strong>[^<]*Reason: cgroup cpu controller is read-only/,
    );
    expect(html).toContain(
      '<strong>1,024 MB arm64 may be distorted</strong> <span class="id">(arm64-1024)</span>: host CPU above 90 % during the load window',
    );
    expect(renderReport(validateResults(makeResults()))).not.toContain('class="note"');
  });

  it("keeps hostile strings inside the data: no element can be closed or opened from the results", () => {
    // Prepare: script-breaking text in a function name, a failure message, a reason, a tool version and a
    // setting id (ids are drawn, so this one goes into the JSON data of the charts)
    const results = sampleResults();
    results.run.stage.functionName = HOSTILE;
    results.run.toolVersions.evil = HOSTILE;
    const failed = results.settings.find((s) => s.status === "failed");
    const drawn = results.settings.find((s) => s.id === "x86_64-512");
    if (!failed || !drawn) throw new Error("fixture changed");
    failed.failures[0] = { kind: "other", message: HOSTILE };
    drawn.id = `x86_64-512${HOSTILE}`;
    const first = results.recommendations[0];
    if (first) first.reason = HOSTILE;

    // Act
    const html = renderReport(results, { assets: readVegaAssets() });

    // Assess: the hostile text appears only escaped, the data element round-trips, script count unchanged
    expect(html).not.toContain("<script>alert(1)");
    expect(html).not.toContain("<img src=x");
    expect(html).not.toContain("<!-- <img");
    expect(html).toContain("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html.match(/<script/g)).toHaveLength(5);
    const data = extractReportData(html);
    expect(data.charts.map((c) => c.id)).toEqual(CHART_IDS);
    expect(allStrings(data)).toContain(drawn.id);
    expect(idsInSpec(data.charts[0]?.spec)).toContain(drawn.id);
  });

  it("shows the baseline comparison with its regressions", () => {
    const baseline = sampleResults();
    const current = sampleResults();
    const s = current.settings.find((x) => x.id === "arm64-512");
    if (!s?.cost || !s.stats?.costPerMillionUsd) throw new Error("fixture changed");
    s.cost.totalPerMillionUsd *= 1.25;
    const interval = s.stats.costPerMillionUsd;
    s.stats.costPerMillionUsd = { ...interval, low: interval.low * 1.25, high: interval.high * 1.25 };
    const html = renderReport(current, { comparison: compareResults(current, baseline) });
    expect(html).toMatch(
      /<section id="comparison"><h2>Compared with baseline 2026-11-27T02-09-00Z-ab12<\/h2>/,
    );
    expect(html).toMatch(
      /<li><strong>512 MB arm64<\/strong> <span class="id">\(arm64-512\)<\/span>: cost per 1M rose by 25\.0 %/,
    );
    expect(html).toContain('<span class="regression">+25.0 % ▲</span>');
  });
});

describe("the SLO card", () => {
  const sloCard = (html: string) =>
    (/<article class="card[^"]*" data-strategy="slo"><h3>([\s\S]*?)<\/h3>/.exec(html)?.[1] ?? "").replace(
      /<[^>]+>/g,
      "",
    );

  // issue 19 audit: a run without an SLO said "no setting qualifies", as if settings had been tried and failed
  it("says the SLO was not set, and how to set it, when the run had none", () => {
    const results = sampleResults();
    delete results.run.slo;
    const slo = results.recommendations.find((r) => r.strategy === "slo");
    if (slo) Object.assign(slo, { settingId: null, indistinguishableFrom: [] });
    expect(sloCard(renderReport(results))).toBe(
      "Cheapest within the SLO: not set (--slo-p99, --slo-error-rate)",
    );
    results.run.slo = {};
    expect(sloCard(renderReport(results))).toBe(
      "Cheapest within the SLO: not set (--slo-p99, --slo-error-rate)",
    );
  });

  it("says no setting qualifies when an SLO was set and none meets it", () => {
    const results = sampleResults();
    results.run.slo = { p99Ms: 1 };
    const slo = results.recommendations.find((r) => r.strategy === "slo");
    if (slo) Object.assign(slo, { settingId: null, indistinguishableFrom: [] });
    expect(sloCard(renderReport(results))).toBe("Cheapest within the SLO: no setting qualifies");
  });
});

describe("jsonForScript", () => {
  it("escapes <, >, & and the line separators, and parses back to the same value", () => {
    const value = { a: HOSTILE, b: "x & y > z", c: "\u2028\u2029" };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  // issue 19: the cards were titled by setting id ("x86_64-256"); a reader wants the answer
  it("titles each recommendation card with its answer, the architecture only when more than one ran", () => {
    const two = renderReport(sampleResults());
    const cards = [
      ...two.matchAll(/<article class="card[^"]*" data-strategy="(\w+)"><h3>([\s\S]*?)<\/h3>/g),
    ].map((m) => [m[1], (m[2] ?? "").replace(/<[^>]+>/g, "")]);
    expect(cards).toEqual([
      ["cost", "Lowest cost: 512 MB arm64"],
      ["speed", "Fastest (p95): 2,048 MB x86_64"],
      ["balanced", "Balanced cost and speed: 2,048 MB x86_64"],
      ["slo", "Cheapest within the SLO: 1,024 MB x86_64"],
    ]);
    const one = makeResults({
      settings: [128, 256, 512].map((memoryMb) => ({ architecture: "x86_64" as const, memoryMb })),
    });
    const html = renderReport(validateResults(one));
    const titles = [...html.matchAll(/<h3>([\s\S]*?)<\/h3>/g)].map((m) =>
      (m[1] ?? "").replace(/<[^>]+>/g, ""),
    );
    const cardTitles = titles.filter((t) => /^(Lowest|Fastest|Balanced|Cheapest)/.test(t));
    expect(cardTitles.length).toBeGreaterThan(0);
    for (const title of cardTitles) {
      expect(title).toMatch(
        /: (\d{1,3}(,\d{3})? MB|no setting qualifies|not set \(--slo-p99, --slo-error-rate\))$/,
      );
      expect(title).not.toMatch(/x86_64|arm64/);
    }
    // no headline anywhere names a setting by its id
    for (const heading of two.matchAll(/<(h[1-3]|strong)>([\s\S]*?)<\/\1>/g))
      expect(heading[2], heading[0]).not.toMatch(/\b(x86_64|arm64)-\d+/);
  });
});
