import { describe, expect, it } from "vitest";
import {
  assessHostContention,
  describeCapacity,
  OVERSUBSCRIBED_WAIT_SHARE,
  withCapacity,
} from "./host-contention.ts";

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

describe("the capacity cap of a setting", () => {
  it("says how many ran at once, why, and what waiting for the cap cost the callers", () => {
    const cap = describeCapacity({
      invocationCap: 1,
      environmentCores: 1,
      capacityWaitMs: 60,
      invocations: 300,
      waitedInvocations: 30,
      memoryMb: 3008,
    });
    expect(cap).toEqual({
      invocationCap: 1,
      environmentCores: 1,
      meanCapacityWaitMs: 0.2,
      waitedShare: 0.1,
      reason:
        "at most 1 invocation at once: each wants 1.000 of a core (3008/1769, at most one) and the environments " +
        "share 1 core (the host's less one for the API front, dynalite and the load engine); further ones waited " +
        "0.20 ms on average before they started, outside their Duration",
    });
  });

  it("names the share of a small setting and has no figures to divide without invocations", () => {
    const cap = describeCapacity({
      invocationCap: 13,
      environmentCores: 1,
      capacityWaitMs: 0,
      invocations: 0,
      waitedInvocations: 0,
      memoryMb: 128,
    });
    expect(cap.reason).toMatch(/^at most 13 invocations at once: each wants 0\.072 of a core \(128\/1769/);
    expect(cap.meanCapacityWaitMs).toBe(0);
    expect(cap.waitedShare).toBe(0);
  });
});

describe("the capacity queue in the verdict", () => {
  const quiet = assessHostContention({
    meanCpuShareDemand: 0.5,
    peakCpuShareDemand: 1,
    hostCpuWaitMs: 20,
    durationMs: 1000,
  });
  const capacity = describeCapacity({
    invocationCap: 1,
    environmentCores: 1,
    capacityWaitMs: 150,
    invocations: 300,
    waitedInvocations: 60,
    memoryMb: 1769,
  });

  it("a short queue keeps the verdict and adds the cap", () => {
    const verdict = withCapacity(quiet, capacity, { capacityWaitMs: 50, durationMs: 1000 });
    expect(verdict).toEqual({ ...quiet, capacity });
    expect(verdict.oversubscribed).toBe(false);
  });

  it("a queue longer than 10 % of the Durations makes the setting oversubscribed, saying why", () => {
    const verdict = withCapacity(quiet, capacity, { capacityWaitMs: 150, durationMs: 1000 });
    expect(verdict.oversubscribed).toBe(true);
    expect(verdict.reason).toBe(
      "the invocations waited 15 % of their Durations in all for the host's capacity (1 at once): the callers' latency is inflated by that queue",
    );
    expect(OVERSUBSCRIBED_WAIT_SHARE).toBe(0.1);
  });
});
