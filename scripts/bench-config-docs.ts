/**
 * Writes the bench config's JSON Schema (tuning/config/bench-config.schema.json) and docs/config.md from the one
 * option table (tuning/config/bench-options.ts). Run after changing an option: `npx tsx scripts/bench-config-docs.ts`;
 * tuning/config/bench-options.test.ts fails while either file differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderBenchConfigSchema, renderConfigDoc } from "../tuning/config/bench-options.ts";

const root = new URL("..", import.meta.url);
for (const [file, text] of [
  ["tuning/config/bench-config.schema.json", renderBenchConfigSchema()],
  ["docs/config.md", renderConfigDoc()],
] as const) {
  writeFileSync(fileURLToPath(new URL(file, root)), text);
  console.log(`wrote ${file}`);
}
