/**
 * The UpdateItem request of a patch: `SET #a = :a, ... REMOVE #b, ...` with every name and value behind a
 * placeholder, checked against DynamoDB's 4 KB limit on an expression's length before any call. dynalite does
 * not enforce that limit, AWS does (ValidationException "Expression size has exceeded the maximum allowed
 * size"), so the service refuses such a patch itself with the reason and the fix. Pure module.
 */
import { ValidationError } from "./errors.ts";
import type { AttributeValue, Patch } from "./item-types.ts";

/** DynamoDB's limit on the length of any one expression string (UpdateExpression here), in bytes. */
export const MAX_EXPRESSION_BYTES = 4 * 1024;

/** The key condition every patch carries: the item must exist. */
const CONDITION = "attribute_exists(#id)";

export interface UpdateRequestParts {
  updateExpression: string;
  conditionExpression: string;
  names: Record<string, string>;
  values: Record<string, AttributeValue> | undefined;
}

/**
 * Builds the expression of a patch; ValidationError when it would pass DynamoDB's 4 KB limit.
 *
 * @example buildUpdate({ set: { n: "x" }, remove: ["old"] }).updateExpression // "SET #s0 = :s0 REMOVE #r0"
 */
export function buildUpdate(patch: Patch): UpdateRequestParts {
  const names: Record<string, string> = { "#id": "id" };
  const values: Record<string, AttributeValue> = {};
  const setClauses: string[] = [];
  const removeClauses: string[] = [];
  Object.entries(patch.set).forEach(([name, value], i) => {
    const key = i.toString(36);
    names[`#s${key}`] = name;
    values[`:s${key}`] = value;
    setClauses.push(`#s${key} = :s${key}`);
  });
  patch.remove.forEach((name, i) => {
    const key = i.toString(36);
    names[`#r${key}`] = name;
    removeClauses.push(`#r${key}`);
  });
  const updateExpression = [
    setClauses.length > 0 ? `SET ${setClauses.join(", ")}` : "",
    removeClauses.length > 0 ? `REMOVE ${removeClauses.join(", ")}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  if (updateExpression.length > MAX_EXPRESSION_BYTES) {
    const count = setClauses.length + removeClauses.length;
    throw new ValidationError(
      `the update changes ${count} attributes: its update expression would be ${updateExpression.length} bytes, ` +
        `over DynamoDB's ${MAX_EXPRESSION_BYTES}-byte expression limit; change at most ~${maxAttributesPerUpdate()} attributes per update, or PUT the whole item`,
    );
  }
  return {
    updateExpression,
    conditionExpression: CONDITION,
    names,
    values: setClauses.length > 0 ? values : undefined,
  };
}

/** How many SET clauses fit in one expression (placeholders of up to 3 base-36 digits). */
export function maxAttributesPerUpdate(): number {
  let count = 0;
  let length = "SET ".length;
  while (true) {
    const key = count.toString(36);
    const clause = `#s${key} = :s${key}`.length + (count > 0 ? 2 : 0);
    if (length + clause > MAX_EXPRESSION_BYTES) return count;
    length += clause;
    count++;
  }
}
