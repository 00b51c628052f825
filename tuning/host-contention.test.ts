import { describe, expect, it } from "vitest";
import { assessHostContention, OVERSUBSCRIBED_WAIT_SHARE } from "./host-contention.ts";

describe("host oversubscription verdict", () => {
  it("is oversubscribed when the shares exceed the host's cores, and says by how much Durations waited", () => {
    const verdict = assessHostContention({
      meanCpuShareDemand: 1.25,
      peakCpuShareDemand: 1.5,
      hostCpuWaitMs: 300,
      durationMs: 1000,
    });
    expect(verdict).toMatchObject({ oversubscribed: true, peakCpuShareDemand: 1.5, hostCpuWaitShare: 0.3 });
    expect(verdict.reason).toBe(
      "the busy environments' CPU shares were 125 % of the host's cores on average (peak 150 %) and 30 % of the Durations was waiting for the host's CPU: Durations are inflated by about that share",
    );
  });

  it("is oversubscribed when other processes made the environments wait, even within the shares", () => {
    const waited = (OVERSUBSCRIBED_WAIT_SHARE + 0.01) * 1000;
    expect(
      assessHostContention({
        meanCpuShareDemand: 0.5,
        peakCpuShareDemand: 0.5,
        hostCpuWaitMs: waited,
        durationMs: 1000,
      }).oversubscribed,
    ).toBe(true);
  });

  it("is not oversubscribed within the shares on average (a peak above is reported) and with little waiting", () => {
    const figures = { meanCpuShareDemand: 0.6, peakCpuShareDemand: 1.7, hostCpuWaitMs: 10, durationMs: 1000 };
    expect(assessHostContention(figures)).toEqual({
      oversubscribed: false,
      meanCpuShareDemand: 0.6,
      peakCpuShareDemand: 1.7,
      hostCpuWaitShare: 0.01,
    });
    const none = { meanCpuShareDemand: 0, peakCpuShareDemand: 0, hostCpuWaitMs: 0, durationMs: 0 };
    expect(assessHostContention(none).hostCpuWaitShare).toBe(0);
  });
});
