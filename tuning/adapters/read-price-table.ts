/**
 * Reads a user's price table (`--price-table file.json`, config `priceTable`) from disk: the edge where the
 * file is read; validation is price-file.ts. Every failure is one line naming the file.
 */
import { readFileSync } from "node:fs";
import type { PriceTable } from "../core/price-table.ts";
import { PriceFileError, priceTableFromFile } from "../core/prices/price-file.ts";

/** @example readPriceTable("my-prices.json").regions["eu-west-3"] */
export function readPriceTable(path: string): PriceTable {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PriceFileError(
      `cannot read the price table "${path}" (${code}): expected a JSON file in the format of tuning/core/prices/snapshot.json (docs/cost-model.md)`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PriceFileError(
      `price table ${path} is not valid JSON (${(error as Error).message.split("\n")[0]}): fix the file`,
    );
  }
  return priceTableFromFile(data, path);
}
