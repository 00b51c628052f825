/**
 * The report in real headless Chromium (the headless shell npm installs with @sparticuz/chromium, driven by
 * playwright-core; see test-support/chromium.ts), offline and with
 * every non-file request aborted: no console error, every chart drawn, a screenshot for people to look at
 * (reports/out/screenshot.png; also docs/report-screenshot.png when UPDATE_SCREENSHOT=1).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Results } from "../tuning/results-types.ts";
import { sampleResults } from "../tuning/test-support/sample-results.ts";
import { readVegaAssets } from "./assets.ts";
import { renderReport } from "./render-html.ts";
import { findChromium } from "./test-support/chromium.ts";
import { HOSTILE } from "./test-support/report-data.ts";
import { makeResults, manySettings } from "./test-support/results-fixture.ts";

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
  problems: string[];
  blocked: string[];
  charts: Array<{ id: string; rendered: string | null; svgs: number; markItems: number }>;
  overflowPx: number;
  /** How far each table scrolls sideways (0 = every column in view). */
  tableOverflowPx: number[];
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
      await options.screenshot?.(page);
      return { problems, blocked: [...blocked], charts, overflowPx, tableOverflowPx };
    } finally {
      await page.close();
    }
  }

  it("draws every chart of the sample run with no console error and no request; saves the screenshot", async () => {
    const check = await open(sampleResults(), "sample", {
      screenshot: async (page) => {
        mkdirSync(OUT_DIR, { recursive: true });
        const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
        const shot = path.join(OUT_DIR, "screenshot.png");
        await page.screenshot({
          path: shot,
          fullPage: true,
          clip: { x: 0, y: 0, width: 1366, height: Math.min(height, 2000) },
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
    // the first table (client side, with the thresholds and gate badges) needs no sideways scroll at 1366 px
    expect(check.tableOverflowPx[0]).toBeLessThanOrEqual(0);
    for (const chart of check.charts) {
      expect(chart.rendered, chart.id).toBe("true");
      expect(chart.svgs, chart.id).toBe(1);
      expect(chart.markItems, chart.id).toBeGreaterThan(0);
    }
    expect(check.overflowPx).toBeLessThanOrEqual(0);
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
