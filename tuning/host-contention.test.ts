import { describe, expect, it } from "vitest";
import { assessHostContention, OVERSUBSCRIBED_WAIT_SHARE } from "./host-contention.ts";

describe("host oversubscription verdict", () => {
  it("is oversubscribed when the shares exceed the host's cores, and says by how much Durations waited", () => {
    const verdict = assessHostContention({ peakCpuShareDemand: 1.5, hostCpuWaitMs: 300, durationMs: 1000 });
    expect(verdict).toMatchObject({ oversubscribed: true, peakCpuShareDemand: 1.5, hostCpuWaitShare: 0.3 });
    expect(verdict.reason).toBe(
      "the environments' CPU shares reached 150 % of the host's cores and 30.0 % of the Durations was waiting for the host's CPU: Durations are inflated by about that share",
    );
  });

  it("is oversubscribed when other processes made the environments wait, even within the shares", () => {
    const waited = (OVERSUBSCRIBED_WAIT_SHARE + 0.01) * 1000;
    expect(
      assessHostContention({ peakCpuShareDemand: 0.5, hostCpuWaitMs: waited, durationMs: 1000 })
        .oversubscribed,
    ).toBe(true);
  });

  it("is not oversubscribed within the shares and with little waiting", () => {
    expect(assessHostContention({ peakCpuShareDemand: 0.9, hostCpuWaitMs: 10, durationMs: 1000 })).toEqual({
      oversubscribed: false,
      peakCpuShareDemand: 0.9,
      hostCpuWaitShare: 0.01,
    });
    expect(
      assessHostContention({ peakCpuShareDemand: 0, hostCpuWaitMs: 0, durationMs: 0 }).hostCpuWaitShare,
    ).toBe(0);
  });
});
