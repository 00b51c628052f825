/**
 * What every chart of the report shares: schema, responsive width, sizes, colours, the tooltip. Pure.
 */
import type { Config } from "vega-lite";
import type { Results } from "../../tuning/results/results-types.ts";
import { ARCHITECTURE_COLORS, ARCHITECTURES, okSettings } from "../settings.ts";

export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** Charts take the width of their container (responsive) and a fixed height. */
export const CHART_HEIGHT_PX = 260;

export const CHART_CONFIG: Config = {
  font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#e8e8e8" },
  // the same y-axis width in every chart, so stacked panels line up
  axisY: { minExtent: 44 },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: "bottom", direction: "horizontal", columns: 6 },
  title: { fontSize: 14, anchor: "start" },
};

/** The common top-level properties of every spec. */
export function base(description: string) {
  return {
    $schema: VEGA_LITE_SCHEMA,
    description,
    width: "container" as const,
    height: CHART_HEIGHT_PX,
    autosize: { type: "fit-x" as const, contains: "padding" as const },
    config: CHART_CONFIG,
  };
}

/**
 * Colour by architecture, the same colours in every chart; the legend lists only the architectures given
 * (the ones that ran), so a run without arm64 shows no arm64 entry.
 */
export function architectureColor(present: readonly string[]) {
  const domain = ARCHITECTURES.filter((a) => present.includes(a));
  return {
    field: "architecture",
    type: "nominal" as const,
    title: "architecture",
    scale: {
      domain: domain.length > 0 ? domain : [...ARCHITECTURES],
      range:
        domain.length > 0
          ? domain.map((a) => ARCHITECTURE_COLORS[ARCHITECTURES.indexOf(a)])
          : [...ARCHITECTURE_COLORS],
    },
  };
}

/** Colour by the architectures of the completed settings (the legend lists those only). */
export function colorByArchitecture(results: Results) {
  return architectureColor(okSettings(results).map((s) => s.architecture));
}

/**
 * The angle of a nominal setting axis's labels: level while they fit side by side in a half-width panel
 * (about 60 characters in all, e.g. six "1,024 MB"), else -45° so "1,024 MB x86_64" labels do not overprint.
 */
export function settingLabelAngle(labels: readonly string[]): number {
  const chars = labels.reduce((sum, label) => sum + label.length + 2, 0);
  return labels.length > 6 || chars > 60 ? -45 : 0;
}
