/**
 * Writes tuning/results/results-types.ts from tuning/results/results.schema.json (tuning/results/results-typegen.ts). Run after
 * changing the schema: `npx tsx scripts/results-types.ts`; tuning/results/results-typegen.test.ts fails while the file
 * differs from what this writes.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import schema from "../tuning/results/results.schema.json" with { type: "json" };
import { renderResultsTypes } from "../tuning/results/results-typegen.ts";

const file = "tuning/results/results-types.ts";
writeFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), renderResultsTypes(schema));
console.log(`wrote ${file}`);
