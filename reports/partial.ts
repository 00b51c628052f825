/**
 * The words for a partial run (results.run.partial): what ran, what did not, why. Pure; the HTML banner, the
 * Markdown summary and the terminal summary all print this one sentence.
 */
import type { Results } from "../tuning/results/results-types.ts";

/** e.g. "Partial run: interrupted by SIGINT during x86_64-512. 1 of 3 settings ran (x86_64-256); not run: …" */
export function partialRunText(results: Pick<Results, "run" | "settings">): string | undefined {
  const partial = results.run.partial;
  if (!partial) return undefined;
  const notRun = new Set(partial.notRun);
  const ran = results.settings.filter((s) => !notRun.has(s.id)).map((s) => s.id);
  return (
    `Partial run: ${partial.message}. ${partial.settingsRun} of ${partial.settingsPlanned} settings ran` +
    `${ran.length > 0 ? ` (${ran.join(", ")})` : ""}; not run: ${partial.notRun.join(", ") || "none"}. ` +
    "The picks are among the settings that ran only; run the sweep again for an answer."
  );
}
