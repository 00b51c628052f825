/**
 * GitHub Actions' job summary: when `GITHUB_STEP_SUMMARY` names a file, the run's summary.md (verdict,
 * recommendations, regressions against the baseline) is appended to it, so a pull request shows the answer
 * on its checks page. Outside Actions it does nothing.
 */
import { appendFileSync, readFileSync } from "node:fs";

/** Appends the Markdown file to $GITHUB_STEP_SUMMARY when set; returns whether it did. */
export function appendStepSummary(markdownPath: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const target = env.GITHUB_STEP_SUMMARY;
  if (!target) return false;
  appendFileSync(target, `${readFileSync(markdownPath, "utf8").trimEnd()}\n\n`);
  return true;
}
