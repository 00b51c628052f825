/**
 * The file edge of results.json: write validates before writing, read validates after reading.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parseResults, ResultsValidationError, serializeResults } from "./results.ts";
import type { Results } from "./results-types.ts";

/**
 * Validate and write results to `path` (parent folders created). Invalid results are not written to `path`:
 * they go to `<path>.invalid.json` so a long run's measurements are not lost, and the error names both.
 */
export async function writeResults(path: string, results: Results): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let text: string;
  try {
    text = serializeResults(results);
  } catch (error) {
    if (!(error instanceof ResultsValidationError)) throw error;
    const invalidPath = `${path}.invalid.json`;
    await writeFile(invalidPath, `${JSON.stringify(results, null, 2)}\n`, "utf8");
    throw new ResultsValidationError(
      error.fieldPath,
      `${error.detail}. Not written to ${path}; the data as it was is in ${invalidPath}.`,
      { cause: error },
    );
  }
  // Whole or not at all: a temp file beside it, then a rename.
  const temp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, "utf8");
    await rename(temp, path);
  } finally {
    await rm(temp, { force: true });
  }
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
