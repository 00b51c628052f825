import { describe, expect, it } from "vitest";
import { hostCpuWaitMs } from "./run-queue.ts";

describe("the host's CPU wait in an invocation's Duration", () => {
  it("is the run-queue wait beyond the quota's throttling for an invocation that mostly waits on I/O", () => {
    const figures = { durationMs: 40, runQueueWaitMs: 12, throttledMs: 2, onCpuMs: 3, memoryMb: 1769 };
    expect(hostCpuWaitMs(figures)).toBe(10);
  });

  it("keeps a CPU-bound invocation below 1,769 MB at its CPU time over its share at least", () => {
    // 270 ms of CPU at 1,024 MB (0.579 of a core) takes 466 ms undisturbed. Waiting 400 ms for the host in a
    // 700 ms Duration left quota unused, so it was throttled only 150 ms: 700 − 250 would say 450 ms.
    const figures = { durationMs: 700, runQueueWaitMs: 400, throttledMs: 150, onCpuMs: 270, memoryMb: 1024 };
    expect(hostCpuWaitMs(figures)).toBeCloseTo(700 - (270 * 1769) / 1024, 6);
  });

  it("is never negative nor more than the Duration", () => {
    expect(
      hostCpuWaitMs({ durationMs: 5, runQueueWaitMs: 0, throttledMs: 3, onCpuMs: 5, memoryMb: 128 }),
    ).toBe(0);
    expect(
      hostCpuWaitMs({ durationMs: 5, runQueueWaitMs: 50, throttledMs: 0, onCpuMs: 0, memoryMb: 3008 }),
    ).toBe(5);
  });
});
