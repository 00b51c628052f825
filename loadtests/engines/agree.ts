/**
 * How close two latency figures must be to count as the same measurement, for comparing the load engines
 * with each other and with the server's own timing (loadtests/engines/agree.integration.test.ts, the engine
 * benchmark). Client-side latency adds the loopback round trip and each engine's own overhead (about 1–3 ms
 * measured on an idle 2-core machine, more when the machine is busy) to the server's time, so the tolerance
 * is absolute plus relative. Pure.
 */

/** |a − b| ≤ absMs + relative × b. */
export const ENGINE_TOLERANCE = { absMs: 10, relative: 0.1 } as const;

/** Whether `ms` is within ENGINE_TOLERANCE (or `tolerance`) of `referenceMs`. */
export function withinTolerance(
  ms: number,
  referenceMs: number,
  tolerance: { absMs: number; relative: number } = ENGINE_TOLERANCE,
): boolean {
  return Math.abs(ms - referenceMs) <= tolerance.absMs + tolerance.relative * referenceMs;
}
