/**
 * A partial run (Ctrl-C, SIGTERM) is marked in results.json (run.partial), in the report (a banner before
 * everything else) and in summary.md (issue 19, "Interrupted runs").
 */
import { describe, expect, it } from "vitest";
import { recommend } from "../tuning/core/strategies.ts";
import { validateResults } from "../tuning/results/results.ts";
import type { Results } from "../tuning/results/results-types.ts";
import { sampleResults } from "../tuning/results/test-support/sample-results.ts";
import { partialRunText } from "./partial.ts";
import { renderReport } from "./render-html.ts";
import { renderMarkdown } from "./render-markdown.ts";

function interrupted(): Results {
  const results = sampleResults();
  // Two settings ran before SIGINT came during the third: results.json holds those two, the rest not run.
  const ran = results.settings.slice(0, 2).map((s) => s.id);
  const notRun = results.settings.slice(2).map((s) => s.id);
  results.settings = results.settings.slice(0, 2);
  results.recommendations = recommend(results.settings, { balancedWeight: 0.5 });
  results.run.partial = {
    reason: "interrupted",
    message: `interrupted by SIGINT during ${notRun[0]}`,
    settingsPlanned: ran.length + notRun.length,
    settingsRun: ran.length,
    notRun,
  };
  return results;
}

describe("a partial run", () => {
  it("passes the schema with run.partial, and says what ran and what did not", () => {
    const results = validateResults(interrupted());
    const planned = sampleResults().settings.map((s) => s.id);
    const text = partialRunText(results) ?? "";
    expect(text).toBe(
      `Partial run: interrupted by SIGINT during ${planned[2]}. 2 of ${planned.length} settings ran ` +
        `(${planned.slice(0, 2).join(", ")}); not run: ${planned.slice(2).join(", ")}. ` +
        "The picks are among the settings that ran only; run the sweep again for an answer.",
    );
    // the fixture says what it holds: the settings that ran are the ones in results.settings
    expect(results.run.partial?.settingsRun).toBe(results.settings.length);
    expect(text).toContain("The picks are among the settings that ran only");
    expect(partialRunText(sampleResults())).toBeUndefined();
  });

  it("opens the report with a banner, and summary.md with the same sentence", () => {
    const results = interrupted();
    const html = renderReport(results);
    const banner = html.indexOf('<section class="banner partial"');
    expect(banner).toBeGreaterThan(0);
    expect(banner).toBeLessThan(html.indexOf('id="verdict"'));
    expect(banner).toBeLessThan(html.indexOf('id="recommendations"'));
    expect(html).toContain("<strong>Partial run:</strong> interrupted by SIGINT");
    const markdown = renderMarkdown(results);
    expect(markdown.split("\n").slice(0, 6).join("\n")).toContain("> **Partial run: interrupted by SIGINT");
    expect(renderReport(sampleResults())).not.toContain("banner partial");
  });
});
