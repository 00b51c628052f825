/**
 * The file edge of results.json: write validates before writing, read validates after reading.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseResults, ResultsValidationError, serializeResults } from "./results.ts";
import type { Results } from "./results-types.ts";

/** Validate and write results to `path` (parent folders created). Nothing is written when invalid. */
export async function writeResults(path: string, results: Results): Promise<void> {
  const text = serializeResults(results);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text, "utf8");
}

/** Read and validate results from `path`; errors name the file. */
export async function readResults(path: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ResultsValidationError(
      "",
      `could not read ${path}: ${(error as Error).message}. Run \`npm run bench\` first or pass the path of a results.json.`,
      { cause: error },
    );
  }
  try {
    return parseResults(text);
  } catch (error) {
    if (error instanceof ResultsValidationError) {
      throw new ResultsValidationError(error.fieldPath, `${error.detail} (in ${path})`, {
        cause: error,
      });
    }
    throw error;
  }
}
