/**
 * The one place numbers become text (pure): the HTML and Markdown reports, the terminal summary, the
 * shareable summary, the strategies' reasons and the dry-run plan all print costs, durations, rates and
 * counts through these functions, so one figure reads the same everywhere. Every function prints "–" for a
 * missing value, so a table cell never shows "undefined" or "NaN".
 */

export const MISSING = "–";

function isNumber(value: number | undefined | null): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** Milliseconds: 1 decimal below 100 ms, none above. */
export function formatMs(valueMs: number | undefined | null): string {
  if (!isNumber(valueMs)) return MISSING;
  return `${valueMs < 100 ? valueMs.toFixed(1) : Math.round(valueMs).toLocaleString("en-US")} ms`;
}

/** US dollars with 4 significant digits (costs per 1M requests span $0.0x to $x00). */
export function formatUsd(valueUsd: number | undefined | null): string {
  if (!isNumber(valueUsd)) return MISSING;
  if (valueUsd === 0) return "$0";
  const abs = Math.abs(valueUsd);
  const digits = abs >= 1000 ? 0 : Math.max(2, 3 - Math.floor(Math.log10(abs)));
  return `$${valueUsd.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
}

/** A fraction (0.0123) as a percentage ("1.23 %"). */
export function formatRate(fraction: number | undefined | null): string {
  if (!isNumber(fraction)) return MISSING;
  const pct = fraction * 100;
  return `${pct === 0 ? "0" : pct < 0.1 ? pct.toFixed(3) : pct.toFixed(2)} %`;
}

/** A plain count or measure, with thousands separators and at most `digits` decimals. */
export function formatNumber(value: number | undefined | null, digits = 1): string {
  if (!isNumber(value)) return MISSING;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}

/** A fraction as a percentage with `digits` decimals (0.734 → "73 %"): shares, not error rates. */
export function formatPercent(fraction: number | undefined | null, digits = 0): string {
  if (!isNumber(fraction)) return MISSING;
  return `${formatNumber(fraction * 100, digits)} %`;
}

/** A rate per second (7.000000000000001 → "7/s", 2.5 → "2.5/s"). */
export function formatPerSecond(value: number | undefined | null, digits = 1): string {
  if (!isNumber(value)) return MISSING;
  return `${formatNumber(value, digits)}/s`;
}

/** A wall time in seconds, coarse: 42 → "42 s", 150 → "2 min 30 s", 7260 → "2 h 1 min". */
export function formatDuration(seconds: number | undefined | null): string {
  if (!isNumber(seconds)) return MISSING;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}`;
}

/** A signed relative change (0.124 → "+12.4 %"). */
export function formatSignedPct(fraction: number | undefined | null): string {
  if (!isNumber(fraction)) return MISSING;
  const pct = fraction * 100;
  return `${pct > 0 ? "+" : ""}${pct.toFixed(1)} %`;
}

/** A signed change in percentage points (0.004 → "+0.40 pp"). */
export function formatSignedPp(fraction: number | undefined | null): string {
  if (!isNumber(fraction)) return MISSING;
  const pp = fraction * 100;
  return `${pp > 0 ? "+" : ""}${pp.toFixed(2)} pp`;
}

/** A confidence interval as "[low, high] (95 %)" with the given value formatter. */
export function formatInterval(
  interval: { low: number; high: number; level: number } | undefined,
  format: (value: number) => string,
): string {
  if (!interval) return MISSING;
  return `[${format(interval.low)}, ${format(interval.high)}] (${Math.round(interval.level * 100)} %)`;
}
