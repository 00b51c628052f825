import { describe, expect, it } from "vitest";
import type { Results } from "../../tuning/results/results-types.ts";
import { makeResults, manySettings } from "../../tuning/results/test-support/results-fixture.ts";
import { renderSvg } from "../test-support/render-svg.ts";
import { coldStartRows } from "./cold-starts.ts";
import { costLatencyLabels, costLatencyRows } from "./cost-latency.ts";
import { buildFigures } from "./index.ts";
import { timelineRows } from "./timeline.ts";

/** The marks each chart must draw for a results object with `n` completed settings. */
function expectedMarks(n: number, slo: boolean): Record<string, Record<string, number>> {
  return {
    // error bars: one rule + two tick rects per setting; line: one item per point
    // cost and p95 on two axes: each with its error bars, line and points
    "chart-power-tuning": { rule: 2 * n, rect: 4 * n, line: 2 * n, symbol: 2 * n },
    // points + their memory labels + picks rings/labels; the SLO rule when set
    "chart-cost-latency": slo ? { rule: 1 } : {},
    "chart-client-percentiles": { symbol: 5 * n, rule: 2 * n },
    "chart-lambda-percentiles": { symbol: 6 * n, rule: 2 * n },
    "chart-cold-start-rate": { rect: n, text: n },
    "chart-init-duration": { rect: 2 * n },
    "chart-cost-breakdown": { rect: 7 * n + 2 * n, rule: n }, // stacked bars (7 components) + interval ticks
    // window labels, and a dashed rule between two windows
    "chart-throughput": { text: n, rule: n - 1 },
    "chart-p95-over-time": { rule: n - 1 },
    "chart-errors": { rule: n - 1 },
  };
}

async function renderAll(results: Results) {
  const rendered = new Map<string, Awaited<ReturnType<typeof renderSvg>>>();
  for (const figure of buildFigures(results)) {
    for (const chart of figure.charts) rendered.set(chart.id, await renderSvg(chart.spec));
  }
  return rendered;
}

describe("Vega-Lite specs", () => {
  it("compile with vega-lite and render to SVG in Node with the expected marks", async () => {
    // Prepare: 8 settings, one failed, an SLO on p99
    const results = makeResults({ failed: ["arm64-256"] });
    results.run.slo = { p99Ms: 60 };
    const ok = results.settings.filter((s) => s.status === "ok").length;

    // Act
    const rendered = await renderAll(results);

    // Assess
    const expected = expectedMarks(ok, true);
    expect([...rendered.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [id, marks] of Object.entries(expected)) {
      const out = rendered.get(id);
      expect(out?.svg, id).toMatch(/^<svg /);
      expect(out?.warnings, id).toEqual([]);
      for (const [mark, count] of Object.entries(marks))
        expect(out?.markItems[mark], `${id} ${mark}`).toBe(count);
    }
    const scatter = rendered.get("chart-cost-latency");
    const points = costLatencyRows(results);
    const picked = points.filter((p) => p.picks !== "").length;
    // points + rings of the picks; one label per point (a pick's names memory and strategies) + the SLO label
    expect(scatter?.markItems.symbol).toBe(points.length + picked);
    expect(scatter?.markItems.text).toBe(points.length + 1);
    expect(scatter?.svg).toMatch(/\d+ MB: (cost|speed|balanced|slo)/);
    expect(scatter?.svg).toContain("SLO p99 60 ms");
    const timelinePoints = results.settings.reduce((sum, s) => sum + (s.client?.timeline.length ?? 0), 0);
    expect(rendered.get("chart-errors")?.markItems.rect).toBe(timelinePoints);
  });

  it("draw every setting of a 24-setting sweep and a single setting", async () => {
    for (const settings of [manySettings(), [{ architecture: "arm64" as const, memoryMb: 1024 }]]) {
      const results = makeResults({ settings });
      const rendered = await renderAll(results);
      const expected = expectedMarks(settings.length, false);
      const anyErrors = results.settings.some((s) => s.client?.timeline.some((p) => p.errors > 0));
      expect(rendered.has("chart-errors")).toBe(anyErrors);
      if (!anyErrors) delete expected["chart-errors"];
      const anyP95 = results.settings.some((s) => s.client?.timeline.some((p) => p.p95Ms !== undefined));
      expect(rendered.has("chart-p95-over-time")).toBe(anyP95);
      if (!anyP95) delete expected["chart-p95-over-time"];
      for (const [id, marks] of Object.entries(expected)) {
        for (const [mark, count] of Object.entries(marks)) {
          expect(rendered.get(id)?.markItems[mark], `${settings.length} settings: ${id} ${mark}`).toBe(count);
        }
      }
      expect(rendered.get("chart-cost-latency")?.markItems.rule ?? 0).toBe(0);
      // beyond 12 points only the frontier and the picks are labelled; a pick has one label (memory and strategies);
      // labels that would overprint are left out (the browser test measures that none overlap)
      const rows = costLatencyRows(results);
      const candidates =
        rows.length > 12 ? rows.filter((r) => r.onFrontier || r.picks !== "").length : rows.length;
      const labels = costLatencyLabels(results);
      const labelled = labels.memory.length + labels.picks.length;
      expect(labelled).toBeLessThanOrEqual(candidates);
      expect(labels.picks).toEqual(rows.filter((r) => r.picks !== ""));
      expect(rendered.get("chart-cost-latency")?.markItems.text).toBe(labelled);
    }
  });

  it("leave a figure empty, with a reason, when no setting completed", () => {
    const results = makeResults({
      settings: [{ architecture: "x86_64", memoryMb: 128 }],
      failed: ["x86_64-128"],
    });
    const figures = buildFigures(results);
    expect(figures).toHaveLength(6);
    for (const figure of figures) {
      expect(figure.charts).toEqual([]);
      expect(figure.emptyReason).toMatch(/no completed setting/);
    }
  });

  it("charts no trailing second that only holds late starts (it would draw a drop to zero)", () => {
    const results = makeResults();
    const setting = results.settings.find((s) => s.client && s.client.timeline.length > 0);
    if (!setting?.client) throw new Error("fixture without a timeline");
    const points = setting.client.timeline.length;
    const last = setting.client.timeline[points - 1]?.second ?? 0;
    setting.client.timeline.push({ second: last + 1, requests: 0, errors: 0, sent: 1 });
    const rows = timelineRows(results).filter((r) => r.id === setting.id);
    expect(rows).toHaveLength(points);
    expect(rows.at(-1)?.second).toBe(last);
  });
});

describe("chart defects of issue 19", () => {
  /** Every object in a spec with the given key. */
  function findAll(node: unknown, key: string, found: unknown[] = []): unknown[] {
    if (Array.isArray(node)) for (const item of node) findAll(item, key, found);
    else if (node && typeof node === "object") {
      for (const [k, v] of Object.entries(node)) {
        if (k === key) found.push(v);
        findAll(v, key, found);
      }
    }
    return found;
  }

  it("chart 1 is one chart, cost and p95 on two axes from zero, every memory size labelled", () => {
    const results = makeResults({});
    const figure = buildFigures(results).find((f) => f.id === "power-tuning");
    expect(figure?.charts.map((c) => c.id)).toEqual(["chart-power-tuning"]);
    const spec = figure?.charts[0]?.spec;
    expect(findAll(spec, "resolve")).toEqual([{ scale: { y: "independent" } }]);
    const yScales = findAll(spec, "y")
      .filter((y): y is { scale?: { zero?: boolean }; axis?: { orient?: string } } => typeof y === "object")
      .filter((y) => y.axis?.orient);
    expect(new Set(yScales.map((y) => y.axis?.orient))).toEqual(new Set(["left", "right"]));
    for (const y of yScales) expect(y.scale?.zero).toBe(true);
    const sizes = [...new Set(results.settings.filter((s) => s.status === "ok").map((s) => s.memoryMb))].sort(
      (a, b) => a - b,
    );
    for (const x of findAll(spec, "x") as Array<{ axis?: { values?: number[]; labelOverlap?: boolean } }>) {
      expect(x.axis?.values).toEqual(sizes);
      expect(x.axis?.labelOverlap).toBe(false);
    }
  });

  it("no legend lists an architecture that did not run", () => {
    const results = makeResults({});
    results.settings = results.settings.filter((s) => s.architecture === "x86_64");
    results.recommendations = [];
    for (const figure of buildFigures(results)) {
      for (const chart of figure.charts) {
        const colors = (
          findAll(chart.spec, "color") as Array<{ field?: string; scale?: { domain?: string[] } }>
        ).filter((c) => c.field === "architecture");
        for (const c of colors) expect(c.scale?.domain, chart.id).toEqual(["x86_64"]);
      }
    }
  });

  it("chart 3 tells p90, p95, p99 apart by hue and shape; chart 4 prints short labels", () => {
    const results = makeResults({});
    const figures = buildFigures(results);
    const client = figures.flatMap((f) => f.charts).find((c) => c.id === "chart-client-percentiles");
    expect(JSON.stringify(client?.spec)).not.toContain("viridis");
    const colors = (
      findAll(client?.spec, "color") as Array<{ field?: string; scale?: { range?: string[] } }>
    ).filter((c) => c.field === "statistic");
    expect(colors.length).toBeGreaterThan(0);
    for (const c of colors) expect(new Set(c.scale?.range).size).toBe(c.scale?.range?.length);
    const shapes = (findAll(client?.spec, "shape") as Array<{ field?: string }>).filter(
      (s) => s.field === "statistic",
    );
    expect(shapes.length).toBeGreaterThan(0);
    for (const row of coldStartRows(results)) expect(row.label).toMatch(/^\d+$/);
  });

  // issue 19 audit: charts 3 and 5 labelled their x axis "x86_64-256" while the cards say "256 MB"
  it("charts 3 and 5 label the settings as the cards do: memory, the architecture only when two ran", async () => {
    const one = makeResults({
      settings: [256, 1024].map((memoryMb) => ({ architecture: "x86_64" as const, memoryMb })),
    });
    const two = makeResults({});
    for (const [results, expected] of [
      [one, ["256 MB", "1,024 MB"]],
      [two, null],
    ] as const) {
      const rendered = await renderAll(results);
      for (const id of ["chart-client-percentiles", "chart-lambda-percentiles", "chart-cost-breakdown"]) {
        const svg = rendered.get(id)?.svg ?? "";
        expect(svg, id).not.toMatch(/(x86_64|arm64)-\d+/);
        if (expected) for (const label of expected) expect(svg, id).toContain(`>${label}<`);
        else expect(svg, id).toMatch(/>\d{1,3}(,\d{3})? MB (x86_64|arm64)</);
      }
    }
  });
});
