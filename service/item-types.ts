/**
 * The shapes of what a client sends once validated: attribute values, items and patches. Kept apart from
 * validation.ts (which builds them and re-exports them) so update-expression.ts, which validation.ts
 * imports, can use them without importing it back. Types only.
 */
import type { ExactNumber } from "./exact-number.ts";

export type AttributeValue =
  | string
  | ExactNumber
  | boolean
  | null
  | AttributeValue[]
  | { [name: string]: AttributeValue };
export type Attributes = Record<string, AttributeValue>;
export interface Item extends Attributes {
  id: string;
}

/** A partial update: attributes to set and names to remove. */
export interface Patch {
  set: Attributes;
  remove: string[];
}
