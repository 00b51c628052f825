/**
 * Reads the browser bundles of vega, vega-lite and vega-embed from the installed packages, to inline
 * them in the report. The packages are ESM-only and do not export their build folders, so the files are
 * found from each package's directory (resolved through its package.json location).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { ReportAssetError } from "./errors.ts";
import type { VegaAssets } from "./render-html.ts";

/** The UMD builds: they define the globals `vega`, `vegaLite` and `vegaEmbed` in that order. */
export const BUNDLES = {
  vega: { pkg: "vega", file: "build/vega.min.js" },
  vegaLite: { pkg: "vega-lite", file: "build/vega-lite.min.js" },
  vegaEmbed: { pkg: "vega-embed", file: "build/vega-embed.min.js" },
} as const;

function packageDir(pkg: string): string {
  const require = createRequire(import.meta.url);
  // The main entry resolves for every one of them; walk up to the folder holding package.json.
  let dir = path.dirname(require.resolve(pkg));
  while (path.basename(dir) !== pkg && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The three bundles as source text. Throws ReportAssetError naming the missing file and the fix. */
export function readVegaAssets(): VegaAssets {
  const read = (key: keyof typeof BUNDLES): string => {
    const { pkg, file } = BUNDLES[key];
    let full = `${pkg}/${file}`;
    try {
      full = path.join(packageDir(pkg), file);
      return readFileSync(full, "utf8");
    } catch (error) {
      throw new ReportAssetError(pkg, `expected the browser bundle at ${full}; run npm ci`, { cause: error });
    }
  };
  return { vega: read("vega"), vegaLite: read("vegaLite"), vegaEmbed: read("vegaEmbed") };
}
