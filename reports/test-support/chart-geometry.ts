/**
 * Test helper for the browser test: what the drawn charts look like, measured in the page (bounding boxes of the
 * SVG text, axis labels, legend entries and lines that vega-embed's SVG renderer drew), and the checks of issue
 * 19's chart defects over those measurements. The collector is a page-side expression in a string (the
 * project's type check has no DOM library); the checks are plain functions, so a failure names the chart, the
 * texts and the boxes.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type Point = [number, number];

export interface DrawnText {
  text: string;
  /** Axis-aligned bounding box on the page. */
  box: Box;
  /** The text's own box, rotated as drawn: four corners on the page (rotated axis labels are not boxes). */
  corners: Point[];
}

export interface DrawnAxis {
  orient: "x" | "y" | "?";
  /** vega's aria-label, e.g. "Y-axis titled 'cost per 1M requests (USD)' for a linear scale with values from $0.00 to $4.50" */
  ariaLabel: string;
  title: string;
  labels: DrawnText[];
}

export interface DrawnLegend {
  title: string;
  entries: Array<{ text: string; fill: string | null; stroke: string | null; shape: string | null }>;
}

export interface DrawnChart {
  id: string;
  axes: DrawnAxis[];
  legends: DrawnLegend[];
  /** Text marks in the plot (point labels, bar labels, rule labels), not axes, legends or titles. */
  markTexts: DrawnText[];
  /** Line marks in the plot: their bounding boxes. */
  lines: Box[];
}

/** Page-side: measures every `.chart` (call after `window.reportRendered`). */
export const COLLECT_CHARTS = `(() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height }; };
  const corners = (el) => {
    const b = el.getBBox(); const m = el.getScreenCTM();
    return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
  };
  const drawnText = (t) => ({ text: text(t), box: box(t), corners: corners(t) });
  const text = (el) => (el.textContent || "").trim();
  const shown = (el) => el.getAttribute("opacity") !== "0" && el.closest("[display=none]") === null;
  const inGuide = (el) => el.closest(".role-axis, .role-legend, .role-title") !== null;
  return [...document.querySelectorAll(".chart")].map((chart) => ({
    id: chart.id,
    axes: [...chart.querySelectorAll('g.role-axis[aria-roledescription="axis"]')].map((axis) => {
      const label = axis.getAttribute("aria-label") || "";
      return {
        orient: label.startsWith("X-axis") ? "x" : label.startsWith("Y-axis") ? "y" : "?",
        ariaLabel: label,
        title: [...axis.querySelectorAll("g.role-axis-title text")].map(text).join(" "),
        labels: [...axis.querySelectorAll("g.role-axis-label text")].filter((t) => shown(t) && text(t) !== "").map(drawnText),
      };
    }),
    legends: [...chart.querySelectorAll('g.role-legend[aria-roledescription="legend"]')].map((legend) => {
      const symbols = [...legend.querySelectorAll("g.role-legend-symbol path")];
      const labels = [...legend.querySelectorAll("g.role-legend-label text")];
      return {
        title: [...legend.querySelectorAll("g.role-legend-title text")].map(text).join(" "),
        entries: labels.map((label, i) => ({
          text: text(label),
          fill: symbols[i] ? symbols[i].getAttribute("fill") : null,
          stroke: symbols[i] ? symbols[i].getAttribute("stroke") : null,
          shape: symbols[i] ? symbols[i].getAttribute("d") : null,
        })),
      };
    }),
    markTexts: [...chart.querySelectorAll("g.mark-text.role-mark text")]
      .filter((t) => !inGuide(t) && shown(t) && text(t) !== "")
      .map(drawnText),
    lines: [...chart.querySelectorAll("g.mark-line.role-mark path")].filter((p) => !inGuide(p)).map(box),
  }));
})()`;

/** Overlap of two boxes in px² (0 when they only touch); boxes are shrunk by `slackPx` on each side first. */
export function overlapArea(a: Box, b: Box, slackPx = 0.5): number {
  const w = Math.min(a.x + a.w - slackPx, b.x + b.w - slackPx) - Math.max(a.x + slackPx, b.x + slackPx);
  const h = Math.min(a.y + a.h - slackPx, b.y + b.h - slackPx) - Math.max(a.y + slackPx, b.y + slackPx);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * How deep two convex quadrilaterals overlap, in px (separating axis theorem: the least overlap of their
 * projections on the edges' normals; ≤ 0 when a separating axis exists).
 */
export function penetrationPx(a: Point[], b: Point[]): number {
  let least = Number.POSITIVE_INFINITY;
  for (const poly of [a, b])
    for (let i = 0; i < poly.length; i++) {
      const p = poly[i] as Point;
      const q = poly[(i + 1) % poly.length] as Point;
      const length = Math.hypot(q[0] - p[0], q[1] - p[1]);
      if (length === 0) continue;
      const normal: Point = [(p[1] - q[1]) / length, (q[0] - p[0]) / length];
      const project = (points: Point[]) => points.map(([x, y]) => x * normal[0] + y * normal[1]);
      const pa = project(a);
      const pb = project(b);
      least = Math.min(
        least,
        Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb)),
      );
    }
  return least;
}

/** Pairs of texts whose drawn (possibly rotated) boxes overlap by more than `slackPx`, as "a" × "b". */
export function overlappingTexts(texts: DrawnText[], slackPx = 1): string[] {
  const found: string[] = [];
  for (let i = 0; i < texts.length; i++)
    for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i] as DrawnText;
      const b = texts[j] as DrawnText;
      if (penetrationPx(a.corners, b.corners) > slackPx) found.push(`"${a.text}" × "${b.text}"`);
    }
  return found;
}

/** A number as an axis label prints it: "$4.50", "1,024", "0.1%" → 4.5, 1024, 0.1. */
export function labelValue(text: string): number {
  return Number(text.replace(/[$,%\s]/g, ""));
}

/** #rrggbb or rgb(r, g, b) → CIE L*a*b* (D65), for colour distances people can see. */
export function toLab(color: string): [number, number, number] | undefined {
  let rgb: number[] | undefined;
  const hex = /^#([0-9a-f]{6})$/i.exec(color.trim());
  if (hex?.[1]) rgb = [0, 2, 4].map((i) => Number.parseInt(hex[1]?.slice(i, i + 2) ?? "0", 16));
  const fn = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/i.exec(color.trim());
  if (fn) rgb = [fn[1], fn[2], fn[3]].map(Number);
  if (!rgb) return undefined;
  const lin = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const [r, g, b] = lin;
  const xyz = [
    (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
    0.2126 * r + 0.7152 * g + 0.0722 * b,
    (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
  ].map((t) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 / 116) * t + 16 / 116)) as [
    number,
    number,
    number,
  ];
  return [116 * xyz[1] - 16, 500 * (xyz[0] - xyz[1]), 200 * (xyz[1] - xyz[2])];
}

/** CIE76 ΔE between two colours; Infinity when one cannot be read. ΔE ≈ 2.3 is a just-noticeable difference. */
export function colorDistance(a: string, b: string): number {
  const la = toLab(a);
  const lb = toLab(b);
  if (!la || !lb) return Number.POSITIVE_INFINITY;
  return Math.hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2]);
}
