/**
 * `npm run build`: the esbuild bundles of the deployable code (service/bundle.ts).
 *
 * Usage: npm run build
 */
import path from "node:path";
import { buildBundles } from "../service/bundle.ts";

const written = await buildBundles();
for (const file of written) console.log(`build: wrote ${path.relative(process.cwd(), file)}`);
