/**
 * Execution segments as k6-operator hands them to its runners, for spreading one scenario over several k6
 * processes (locally, or as runner pods of a `TestRun`). k6-operator v1.6.0 starts runners 1..n and, when
 * n > 1, gives runner i `--execution-segment=(i-1)/n:i/n` and `--execution-segment-sequence=0,1/n,…,1`
 * (`0` and `1` written as such); these are the same strings. Pure.
 */
import { ConfigError } from "../../errors.ts";

/** Runner `index` (1-based, as k6-operator counts) of `count`. */
export interface ExecutionSegment {
  index: number;
  count: number;
}

function fraction(numerator: number, count: number): string {
  if (numerator === 0) return "0";
  if (numerator === count) return "1";
  return `${numerator}/${count}`;
}

/** The `k6 run` flags of one runner; none for a single runner (the whole test), as k6-operator does. */
export function executionSegmentArgs(segment: ExecutionSegment): string[] {
  const { index, count } = segment;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 1 || index > count) {
    throw new ConfigError(
      "execution segment",
      `expected runner index 1..count with count ≥ 1 (whole numbers), got ${index} of ${count}`,
    );
  }
  if (count === 1) return [];
  const sequence = Array.from({ length: count + 1 }, (_, i) => fraction(i, count)).join(",");
  return [
    `--execution-segment=${fraction(index - 1, count)}:${fraction(index, count)}`,
    `--execution-segment-sequence=${sequence}`,
  ];
}

/** Every runner's segment flags for `count` runners (what a TestRun with `parallelism: count` gets). */
export function runnerSegments(count: number): string[][] {
  return Array.from({ length: count }, (_, i) => executionSegmentArgs({ index: i + 1, count }));
}
