/**
 * The report in real headless Chromium (the headless shell npm installs with @sparticuz/chromium, driven by
 * playwright-core; see test-support/chromium.ts), offline and with
 * every non-file request aborted: no console error, every chart drawn, a screenshot for people to look at
 * (reports/out/screenshot.png, full-page ones per report; also docs/report-screenshot.png when
 * UPDATE_SCREENSHOT=1). Issue 19's chart defects are checked on the drawn SVG, by geometry: labels that
 * overlap, memory sizes missing from the power-tuning x axis, a cost axis that does not start at zero without
 * saying so, legends listing architectures that did not run, percentiles that look alike, flat zero lines and
 * "0.000000" labels, tables that scroll sideways at 1,400 px, e-notation, the verdict.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Results } from "../tuning/results/results-types.ts";
import { makeResults, manySettings } from "../tuning/results/test-support/results-fixture.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { readVegaAssets } from "./assets.ts";
import { renderReport } from "./render-html.ts";
import { okSettings } from "./settings.ts";
import {
  COLLECT_CHARTS,
  colorDistance,
  type DrawnChart,
  labelValue,
  overlappingTexts,
} from "./test-support/chart-geometry.ts";
import { findChromium } from "./test-support/chromium.ts";
import { HOSTILE } from "./test-support/report-data.ts";

const ROOT = path.resolve(import.meta.dirname, "..");
const OUT_DIR = path.join(ROOT, "reports", "out");
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

interface PageCheck {
  drawn: DrawnChart[];
  /** The page's visible text (tables, cards, verdict) and the charts' SVG text. */
  text: string;
  /** The verdict's headline and its top, and the top of the first recommendation card (px). */
  verdict: { headline: string; topPx: number; firstCardTopPx: number } | null;
  /** The sections present on the page, top to bottom (their ids), for the page-order check. */
  sectionOrder: string[];
  problems: string[];
  blocked: string[];
  charts: Array<{ id: string; rendered: string | null; svgs: number; markItems: number }>;
  overflowPx: number;
  /** How far each table scrolls sideways (0 = every column in view). */
  tableOverflowPx: number[];
}

/**
 * Issue 19's chart defects, measured on the drawn page: check name → what is wrong (empty when nothing is).
 * Each check has failed on purpose once (docs/report.md, "The browser test").
 */
function chartDefects(check: PageCheck, results: Results): Record<string, string[]> {
  const ran = okSettings(results);
  const archsThatRan = [...new Set(ran.map((s) => s.architecture))];
  const sizes = [...new Set(ran.map((s) => s.memoryMb))].sort((a, b) => a - b);
  const defects: Record<string, string[]> = {
    "labels in a plot overlap": [],
    "axis labels overlap": [],
    "memory sizes missing from the power-tuning x axis": [],
    "cost axis does not start at zero and does not say so": [],
    "legend lists an architecture that did not run": [],
    "percentile symbols look alike": [],
    "zero-decimals axis labels or a degenerate axis": [],
    "flat line on the zero baseline": [],
    "tables scroll sideways": [],
    "e-notation in the page": [],
    "verdict missing or below the cards": [],
    "page order: not banner, verdict, cards, chart 1, ..., the cold-start table after the figures": [],
  };
  for (const chart of check.drawn) {
    for (const pair of overlappingTexts(chart.markTexts))
      defects["labels in a plot overlap"]?.push(`${chart.id}: ${pair}`);
    for (const axis of chart.axes) {
      for (const pair of overlappingTexts(axis.labels))
        defects["axis labels overlap"]?.push(`${chart.id} ${axis.orient}: ${pair}`);
      const values = axis.labels.map((l) => labelValue(l.text));
      if (/cost/i.test(axis.title) && !values.includes(0) && !/not from \$0/.test(axis.title))
        defects["cost axis does not start at zero and does not say so"]?.push(
          `${chart.id}: "${axis.title}" labels ${axis.labels.map((l) => l.text).join(", ")}`,
        );
      const zeros = axis.labels.filter((l) => /^[-$]?0\.0{4,}/.test(l.text));
      const numeric = values.filter((v) => Number.isFinite(v));
      if (zeros.length > 0 || (axis.orient === "y" && numeric.length > 0 && new Set(numeric).size < 2))
        defects["zero-decimals axis labels or a degenerate axis"]?.push(
          `${chart.id} ${axis.orient}: ${axis.labels.map((l) => l.text).join(", ")}`,
        );
      const zero = axis.orient === "y" ? axis.labels.find((l) => labelValue(l.text) === 0) : undefined;
      if (zero) {
        const zeroY = zero.box.y + zero.box.h / 2;
        for (const line of chart.lines)
          if (line.h < 1 && Math.abs(line.y - zeroY) < 3)
            defects["flat line on the zero baseline"]?.push(`${chart.id}: a line at y=${line.y.toFixed(0)}`);
      }
    }
    if (chart.id === "chart-power-tuning") {
      const x = chart.axes.find((a) => a.orient === "x");
      const labelled = new Set((x?.labels ?? []).map((l) => labelValue(l.text)));
      const missing = sizes.filter((mb) => !labelled.has(mb));
      if (missing.length > 0)
        defects["memory sizes missing from the power-tuning x axis"]?.push(
          `missing ${missing.join(", ")}; labelled ${[...labelled].join(", ")}`,
        );
    }
    for (const legend of chart.legends) {
      if (legend.title === "architecture") {
        const listed = legend.entries.map((e) => e.text);
        if (listed.join() !== archsThatRan.join())
          defects["legend lists an architecture that did not run"]?.push(
            `${chart.id}: lists ${listed.join(", ")}; ran ${archsThatRan.join(", ")}`,
          );
      }
      if (legend.title === "statistic") {
        const entries = legend.entries;
        for (let i = 0; i < entries.length; i++)
          for (let j = i + 1; j < entries.length; j++) {
            const a = entries[i];
            const b = entries[j];
            if (!a || !b) continue;
            // each statistic has a colour of its own (ΔE ≥ 20: clearly different, not shades) and a shape
            const distance = colorDistance(a.fill ?? a.stroke ?? "", b.fill ?? b.stroke ?? "");
            if (distance < 20 || a.shape === b.shape)
              defects["percentile symbols look alike"]?.push(
                `${chart.id}: ${a.text} ${a.fill} vs ${b.text} ${b.fill} (ΔE ${distance.toFixed(0)}${a.shape === b.shape ? ", same shape" : ""})`,
              );
          }
      }
    }
  }
  check.tableOverflowPx.forEach((px, i) => {
    if (px > 0) defects["tables scroll sideways"]?.push(`table ${i + 1} scrolls ${px} px`);
  });
  // a number in e-notation, not a hex run id or git revision that happens to hold "8e51"
  for (const m of check.text.matchAll(/(?<![\w.-])\$?\d+(\.\d+)?e[-+]?\d+(?![\w.])/gi))
    defects["e-notation in the page"]?.push(m[0]);
  const v = check.verdict;
  if (
    !v ||
    !/^Memory moves this API's bill by [\d.,]+ %|^One setting ran/.test(v.headline) ||
    v.topPx >= v.firstCardTopPx
  )
    defects["verdict missing or below the cards"]?.push(JSON.stringify(v));
  // issue 19 item 5: the verdict, then power-tuning's combined chart, then the rest
  const order = check.sectionOrder;
  const at = (id: string) => order.indexOf(id);
  const chart1 = at("figure-power-tuning");
  const lastFigure = Math.max(...order.map((id, i) => (id.startsWith("figure-") ? i : -1)));
  const beforeChart1 = order.slice(0, chart1).filter((id) => !["partial", "verdict", "notes"].includes(id));
  if (
    chart1 < 0 ||
    at("verdict") > at("recommendations") ||
    (at("partial") >= 0 && at("partial") !== 0) ||
    beforeChart1.join() !== "recommendations" ||
    (at("cold-start-sensitivity") >= 0 && at("cold-start-sensitivity") < lastFigure)
  )
    defects[
      "page order: not banner, verdict, cards, chart 1, ..., the cold-start table after the figures"
    ]?.push(order.join(" < "));
  return defects;
}

/** Expects every check of `chartDefects` to come back empty, reporting each one that does not (soft). */
function expectNoDefects(check: PageCheck, results: Results, page: string): void {
  for (const [name, found] of Object.entries(chartDefects(check, results)))
    expect.soft(found, `${page}: ${name}`).toEqual([]);
}

describe("the report in headless Chromium, offline", () => {
  let browser: Browser;
  let context: BrowserContext;
  let dir = "";
  const blocked: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-browser-"));
    // Never skipped: no Chromium is a failure that names the fix.
    const found = await findChromium();
    if (!found.found) throw new Error(found.reason);
    browser = await chromium.launch({
      executablePath: found.executablePath,
      args: CHROMIUM_ARGS,
    });
    context = await browser.newContext({ offline: true, viewport: { width: 1366, height: 900 } });
    // Prove the page needs no network: every request that is not a local file is aborted and recorded.
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      blocked.push(url);
      return route.abort();
    });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(
    results: Results,
    name: string,
    options: { screenshot?: (page: Page) => Promise<void>; widthPx?: number } = {},
  ): Promise<PageCheck> {
    const file = path.join(dir, `${name}.html`);
    writeFileSync(file, renderReport(results, { assets: readVegaAssets() }));
    const page = await context.newPage();
    if (options.widthPx) await page.setViewportSize({ width: options.widthPx, height: 800 });
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning")
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("dialog", (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    try {
      await page.goto(pathToFileURL(file).href);
      // Page-side expressions as strings: the project's type check has no DOM library.
      await page.evaluate("window.reportRendered");
      const charts = await page.$$eval(".chart", (elements) =>
        elements.map((element) => ({
          id: element.id,
          rendered: element.getAttribute("data-rendered"),
          svgs: element.querySelectorAll("svg.marks").length,
          // drawn items: the children of each mark group (axes, legends and titles excluded)
          markItems: [...element.querySelectorAll("g.role-mark")]
            .filter((g) => !g.closest(".role-axis, .role-legend, .role-title"))
            .reduce((sum, g) => sum + g.childElementCount, 0),
        })),
      );
      const overflowPx = Number(
        await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
      );
      const tableOverflowPx = await page.$$eval(".table-wrap", (wraps) =>
        wraps.map((w) => w.scrollWidth - w.clientWidth),
      );
      const drawn = (await page.evaluate(COLLECT_CHARTS)) as DrawnChart[];
      const text = String(
        await page.evaluate(
          "document.body.innerText + '\\n' + [...document.querySelectorAll('svg text')].map((t) => t.textContent).join('\\n')",
        ),
      );
      const verdict = (await page.evaluate(`(() => {
        const headline = document.querySelector("#verdict .headline");
        const card = document.querySelector("#recommendations .card");
        if (!headline || !card) return null;
        return { headline: headline.textContent, topPx: headline.getBoundingClientRect().top,
          firstCardTopPx: card.getBoundingClientRect().top };
      })()`)) as PageCheck["verdict"];
      // every top-level section, top to bottom by where it is drawn
      const sectionOrder = (await page.evaluate(`[...document.querySelectorAll("main > section")]
        .map((s) => ({ id: s.id, top: s.getBoundingClientRect().top }))
        .sort((a, b) => a.top - b.top).map((s) => s.id)`)) as string[];
      await options.screenshot?.(page);
      mkdirSync(OUT_DIR, { recursive: true });
      await page.screenshot({ path: path.join(OUT_DIR, `screenshot-${name}-full.png`), fullPage: true });
      return {
        drawn,
        text,
        verdict,
        sectionOrder,
        problems,
        blocked: [...blocked],
        charts,
        overflowPx,
        tableOverflowPx,
      };
    } finally {
      await page.close();
    }
  }

  it("draws every chart of the sample run at 1,400 px with none of issue 19's defects; saves the screenshots", async () => {
    const results = sampleResults();
    const check = await open(results, "sample", {
      widthPx: 1400,
      screenshot: async (page) => {
        mkdirSync(OUT_DIR, { recursive: true });
        const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
        const shot = path.join(OUT_DIR, "screenshot.png");
        await page.screenshot({
          path: shot,
          fullPage: true,
          clip: { x: 0, y: 0, width: 1400, height: Math.min(height, 2000) },
        });
        await page.screenshot({ path: path.join(OUT_DIR, "screenshot-full.png"), fullPage: true });
        // one picture per figure and table section, for a reviewer to check each chart at full size
        for (const section of await page.locator("section.figure, #tables").all()) {
          const id = (await section.getAttribute("id")) ?? "section";
          await section.screenshot({ path: path.join(OUT_DIR, `screenshot-${id}.png`) });
        }
        if (process.env.UPDATE_SCREENSHOT === "1")
          copyFileSync(shot, path.join(ROOT, "docs", "report-screenshot.png"));
      },
    });

    expect(check.problems).toEqual([]);
    expect(check.blocked).toEqual([]);
    expect(check.charts.map((c) => c.id)).toHaveLength(10);
    for (const chart of check.charts) {
      expect(chart.rendered, chart.id).toBe("true");
      expect(chart.svgs, chart.id).toBe(1);
      expect(chart.markItems, chart.id).toBeGreaterThan(0);
    }
    expect(check.overflowPx).toBeLessThanOrEqual(0);
    // the checks measured something: every chart's texts, the axes, the legends
    expect(check.drawn.map((c) => c.id)).toEqual(check.charts.map((c) => c.id));
    expect(check.drawn.find((c) => c.id === "chart-cost-latency")?.markTexts.length).toBeGreaterThan(4);
    expect(check.tableOverflowPx.length).toBeGreaterThan(3);
    // the order check saw the sections it orders
    expect(check.sectionOrder).toEqual(
      expect.arrayContaining([
        "verdict",
        "recommendations",
        "figure-power-tuning",
        "failed",
        "cold-start-sensitivity",
      ]),
    );
    expectNoDefects(check, results, "sample");
  });

  it("a run of one architecture without errors: legends name only it, no empty errors plot, no defect", async () => {
    const results = makeResults({
      settings: [128, 256, 512, 1024, 1536, 2048].map((memoryMb) => ({
        architecture: "x86_64" as const,
        memoryMb,
      })),
    });
    for (const s of results.settings) for (const point of s.client?.timeline ?? []) point.errors = 0;
    const check = await open(results, "x86-only", { widthPx: 1400 });
    expect(check.problems).toEqual([]);
    expect(check.drawn.some((c) => c.legends.some((l) => l.title === "architecture"))).toBe(true);
    expectNoDefects(check, results, "x86-only");
  });

  it("draws 24 settings on a small laptop screen and keeps hostile strings as text (no dialog, no error)", async () => {
    const results = makeResults({ settings: manySettings(), failed: ["x86_64-128"] });
    results.run.stage.functionName = HOSTILE;
    const failed = results.settings.find((s) => s.id === "x86_64-128");
    if (failed) failed.failures = [{ kind: "other", message: HOSTILE }];
    const check = await open(results, "many", { widthPx: 1024 });
    expect(check.problems).toEqual([]);
    expect(check.blocked).toEqual([]);
    for (const chart of check.charts) {
      expect(chart.rendered, chart.id).toBe("true");
      expect(chart.markItems, chart.id).toBeGreaterThan(0);
    }
    expect(check.overflowPx).toBeLessThanOrEqual(0);
    // 24 settings at 1,024 px: the charts' defects too (the tables may scroll at this width, not at 1,400)
    expectNoDefects({ ...check, tableOverflowPx: [] }, results, "many");
  });

  it("would notice a request: a page that loads vega from a CDN is caught by the route", async () => {
    const file = path.join(dir, "cdn.html");
    writeFileSync(file, '<!doctype html><script src="https://cdn.jsdelivr.net/npm/vega@6"></script>');
    const page = await context.newPage();
    try {
      await page.goto(pathToFileURL(file).href);
      expect(blocked).toContain("https://cdn.jsdelivr.net/npm/vega@6");
    } finally {
      await page.close();
    }
  });
});
