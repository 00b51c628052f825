/**
 * Test helper: compile a Vega-Lite spec with vega-lite and render it to SVG in Node with vega's headless
 * View (renderer "none"), then count the marks by class.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export interface RenderedSvg {
  svg: string;
  /** Mark type → number of drawn items, e.g. { symbol: 7, line: 2, text: 7 }. */
  markItems: Record<string, number>;
  warnings: string[];
}

/** Counts the drawn items of each mark group (`<g class="mark-symbol role-mark ...">` and its children). */
function countMarkItems(view: vega.View): Record<string, number> {
  const counts: Record<string, number> = {};
  // biome-ignore lint/suspicious/noExplicitAny: the scenegraph is untyped in vega's typings
  const visit = (node: any): void => {
    if (!node) return;
    if (node.marktype && Array.isArray(node.items)) {
      const isGuide = typeof node.role === "string" && /axis|legend|title|frame|scope/.test(node.role);
      if (!isGuide && node.marktype !== "group") {
        counts[node.marktype] = (counts[node.marktype] ?? 0) + node.items.length;
      }
    }
    for (const item of node.items ?? []) visit(item);
  };
  // biome-ignore lint/suspicious/noExplicitAny: see above
  visit((view.scenegraph() as any).root);
  return counts;
}

export async function renderSvg(spec: TopLevelSpec): Promise<RenderedSvg> {
  const warnings: string[] = [];
  const logger = {
    level: () => logger,
    error: (...args: unknown[]) => {
      throw new Error(`vega-lite error: ${args.join(" ")}`);
    },
    warn: (...args: unknown[]) => {
      warnings.push(args.join(" "));
      return logger;
    },
    info: () => logger,
    debug: () => logger,
  };
  // biome-ignore lint/suspicious/noExplicitAny: vega-lite's logger type is its own LoggerInterface
  const compiled = compile(spec, { logger: logger as any }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    return { svg, markItems: countMarkItems(view), warnings };
  } finally {
    view.finalize();
  }
}
