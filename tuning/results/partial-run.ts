/**
 * Whether a sweep measured every planned setting, and if not, what results.json says about it
 * (`run.partial`). Pure. A setting cut short by the interruption counts as not run: its figures are partial.
 */
import type { PartialRun, SettingResult } from "./results-types.ts";

const CUT_SHORT = /^(aborted|interrupted during its load window)/;

/** A setting the interruption cut short (its measurements are incomplete). */
export function wasCutShort(setting: Pick<SettingResult, "failures">): boolean {
  return (setting.failures ?? []).some((f) => CUT_SHORT.test(f.message));
}

/**
 * `run.partial` of a sweep, or undefined when every planned setting was measured.
 * @example partialRun(["x86_64-256", "x86_64-512"], measured, { aborted: true, reason: "SIGINT" })
 */
export function partialRun(
  plannedIds: readonly string[],
  measured: ReadonlyArray<Pick<SettingResult, "id" | "failures">>,
  stop: { aborted: boolean; reason?: string },
): PartialRun | undefined {
  const complete = new Set(measured.filter((s) => !wasCutShort(s)).map((s) => s.id));
  const notRun = plannedIds.filter((id) => !complete.has(id));
  if (!stop.aborted && notRun.length === 0) return undefined;
  const during = measured.find((s) => wasCutShort(s))?.id ?? notRun[0];
  return {
    reason: "interrupted",
    message: `interrupted${stop.reason ? ` by ${stop.reason}` : ""}${during ? ` during ${during}` : " after the last setting"}`,
    settingsPlanned: plannedIds.length,
    settingsRun: plannedIds.length - notRun.length,
    notRun,
  };
}
