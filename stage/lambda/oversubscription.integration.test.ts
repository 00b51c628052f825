/**
 * Host oversubscription, on purpose: more CPU-bound environments at 1,769 MB (one core each) than the host
 * has cores. The stage must say so (CpuShareDemand above 1) and measure what it cost (HostCpuWait: the time
 * the environments waited for the host's CPU beyond their quota), instead of only reporting longer Durations.
 */
import os from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { detectCgroups } from "./cgroups.ts";
import { LOCAL_STAGE_NAMESPACE } from "./invocation-metrics.ts";
import { LocalLambda } from "./local-lambda.ts";
import { MemoryLogSink, MemoryMetricSink, TEST_FUNCTIONS_DIR } from "./test-support/memory-sinks.ts";

const { scaling } = detectCgroups();
const cores = os.availableParallelism();
const metrics = new MemoryMetricSink();
const lambda = new LocalLambda({ metricSink: metrics, logSink: new MemoryLogSink() });

afterAll(async () => {
  await lambda.close();
});

const local = (name: string) =>
  metrics.data
    .filter((d) => d.namespace === LOCAL_STAGE_NAMESPACE && d.metricName === name)
    .filter((d) => Object.keys(d.dimensions).length === 1)
    .map((d) => d.value);

describe.skipIf(scaling.mode === "none")(`host oversubscription (${cores} cores, ${scaling.mode})`, () => {
  it("reports the CPU shares in demand over the host's cores, and the host CPU wait they caused", async () => {
    await lambda.createFunction({
      FunctionName: "cpu",
      Handler: "cpu-bound.handler",
      Code: { LocalPath: TEST_FUNCTIONS_DIR },
      MemorySize: 1769,
      Timeout: 60,
    });
    // One invocation alone first: a share of 1/cores.
    await lambda.invoke({ functionName: "cpu", payload: '{"iterations":1000}' });
    expect(lambda.takePeakCpuDemand()).toBeCloseTo(1 / cores, 6);

    // cores + 1 environments started first, so the busy loops below run together from their first moment
    // (booted on demand, the later ones would start while the first runs alone, and overlap less).
    await Promise.all(
      Array.from({ length: cores + 1 }, () =>
        lambda.invoke({ functionName: "cpu", payload: '{"iterations":1000}' }),
      ),
    );
    lambda.takePeakCpuDemand();
    // cores + 1 warm environments, one core each, for a few hundred ms of CPU each.
    const outcomes = await Promise.all(
      Array.from({ length: cores + 1 }, () =>
        lambda.invoke({ functionName: "cpu", payload: '{"iterations":60000000}' }),
      ),
    );
    for (const outcome of outcomes) expect(outcome.status).toBe("ok");
    expect(lambda.takePeakCpuDemand()).toBeGreaterThan(1);
    expect(Math.max(...local("CpuShareDemand"))).toBeGreaterThan(1);

    // cores + 1 busy loops on `cores` cores: together they waited at least 1/(cores+1) of their time.
    const durations = metrics.values("Duration", { FunctionName: "cpu" }).slice(-(cores + 1));
    const waits = local("HostCpuWait").slice(-(cores + 1));
    expect(waits).toHaveLength(cores + 1);
    const waitShare = waits.reduce((a, b) => a + b, 0) / durations.reduce((a, b) => a + b, 0);
    expect(waitShare, JSON.stringify({ durations, waits })).toBeGreaterThan(0.5 / (cores + 1));
  }, 60_000);
});
