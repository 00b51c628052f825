/**
 * The esbuild bundles of the deployable code. Today one bundle: the service's Lambda handler
 * (service/handler.ts → dist/service/index.mjs, the CodeUri of service/template.yaml). The AWS SDK is bundled
 * in, so the bundle does not depend on the SDK version a Lambda runtime happens to ship.
 *
 * Built by `npm run build` (scripts/build.ts) and, on first use, by the local stage (stage/stage.ts).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

export interface BundleSpec {
  /** Entry file, relative to the project root. */
  entry: string;
  /** Output file, relative to the output root (default `dist`). */
  outfile: string;
}

/** Every bundle `npm run build` produces; add entries here. */
export const BUNDLES: readonly BundleSpec[] = [{ entry: "service/handler.ts", outfile: "service/index.mjs" }];

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface BuildOptions {
  /** Output root directory. @default "<project>/dist" */
  outDir?: string;
  /** @default BUNDLES */
  bundles?: readonly BundleSpec[];
}

/** Builds the bundles; returns the absolute paths written. Throws esbuild's error when a bundle fails. */
export async function buildBundles(options: BuildOptions = {}): Promise<string[]> {
  const outDir = options.outDir ?? path.join(PROJECT_ROOT, "dist");
  const written: string[] = [];
  for (const bundle of options.bundles ?? BUNDLES) {
    const outfile = path.join(outDir, bundle.outfile);
    await esbuild.build({
      entryPoints: [path.join(PROJECT_ROOT, bundle.entry)],
      outfile,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node22",
      minify: true,
      sourcemap: "external",
      legalComments: "linked",
      logLevel: "warning",
      // Some bundled CommonJS dependencies call require() for Node built-ins; ESM output needs a real require.
      banner: {
        js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
      },
    });
    written.push(outfile);
  }
  return written;
}
