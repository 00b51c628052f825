/**
 * The `--seed` flag of every command that runs the workload: a whole number from 0 to 2^32 - 1, the range
 * the seeded PRNG (loadtests/random.ts) takes as is. Larger values would be cut to 32 bits in silence and
 * the recorded seed would not be the one given.
 */
import { ConfigError } from "./errors.ts";

export const MAX_SEED = 2 ** 32 - 1;

/** The seed's range as a command-line number (scripts/command.ts numberFlag): soak and fuzz take what bench takes. */
export const SEED_RANGE = { integer: true, min: 0, max: MAX_SEED } as const;

/**
 * @example parseSeed("42") // 42; parseSeed("x") throws 'invalid --seed: expected a whole number from 0 to 4294967295, got "x"'
 */
export function parseSeed(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < 0 || value > MAX_SEED) {
    throw new ConfigError("--seed", `expected a whole number from 0 to ${MAX_SEED}, got "${text}"`);
  }
  return value;
}
