/**
 * Test helper: read the chart data back out of a rendered report the way a browser does: the JSON element
 * ends at the first "</script" after its start tag.
 */
import type { TopLevelSpec } from "vega-lite";

/** Text that would close the script element, open another, open a comment and inject an element. */
export const HOSTILE = "</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)>";

const START = '<script type="application/json" id="report-data">';

export function extractReportData(html: string): { charts: Array<{ id: string; spec: TopLevelSpec }> } {
  const start = html.indexOf(START);
  if (start < 0) throw new Error("report has no report-data element");
  const end = html.toLowerCase().indexOf("</script", start + START.length);
  return JSON.parse(html.slice(start + START.length, end));
}

/** Every string anywhere in a JSON value. */
export function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(allStrings);
  return [];
}
