import { afterAll, describe, expect, it } from "vitest";
import { parseReportLine } from "../../tuning/report-log.ts";
import { cpuQuotaUs, detectCgroups } from "./cgroups.ts";
import { LocalLambda } from "./local-lambda.ts";
import { MemoryLogSink, MemoryMetricSink, TEST_FUNCTIONS_DIR } from "./test-support/memory-sinks.ts";

// Decided when the file is collected, so the skip shows up with its reason.
const { scaling } = detectCgroups();
const lambda = new LocalLambda({ metricSink: new MemoryMetricSink(), logSink: new MemoryLogSink() });

afterAll(async () => {
  await lambda.close();
});

async function durationMs(qualifier: string, iterations: number): Promise<number> {
  const outcome = await lambda.invoke({
    functionName: "cpu",
    qualifier,
    payload: JSON.stringify({ iterations }),
    logTail: true,
  });
  if (outcome.status !== "ok") throw new Error(`cpu-bound invocation failed: ${JSON.stringify(outcome)}`);
  const report = outcome.logTail?.replace(/\n$/, "").split("\n").at(-1) ?? "";
  const duration = parseReportLine(report)?.durationMs;
  if (duration === undefined) throw new Error(`no Duration in ${report}`);
  return duration;
}

describe("CPU scaling with memory", () => {
  it("computes the CFS quota as memory/1769 of one CPU, capped at the machine", () => {
    expect(cpuQuotaUs(128, 2)).toBe(7236);
    expect(cpuQuotaUs(1769, 2)).toBe(100_000);
    expect(cpuQuotaUs(3538, 2)).toBe(200_000);
    expect(cpuQuotaUs(10240, 2)).toBe(200_000);
  });

  it.runIf(scaling.mode === "none")("records why CPU is not scaled on this machine", () => {
    expect(lambda.cpuScaling.mode).toBe("none");
    expect(lambda.cpuScaling.reason).toMatch(/\S/);
  });

  it.skipIf(scaling.mode === "none")(
    `a CPU-bound function is 8×–20× slower at 128 MB than at 1,769 MB (ideal 13.8×; ${scaling.mode})`,
    async () => {
      expect(lambda.cpuScaling.mode).toBe(scaling.mode);
      await lambda.createFunction({
        FunctionName: "cpu",
        Handler: "cpu-bound.handler",
        Code: { LocalPath: TEST_FUNCTIONS_DIR },
        MemorySize: 1769,
        Timeout: 60,
      });
      await lambda.publishVersion("cpu", {});
      await lambda.updateFunctionConfiguration("cpu", { MemorySize: 128 });
      while ((await lambda.getFunctionConfiguration("cpu"))["LastUpdateStatus"] !== "Successful") {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await lambda.publishVersion("cpu", {});
      const iterations = 20_000_000;
      // Warm both environments (cold start, JIT) with a little work first.
      await durationMs("1", 1000);
      await durationMs("2", 1000);
      // The machine is shared: the least disturbed run of each size is the closest to its CPU share.
      const fullCpu: number[] = [];
      for (let run = 0; run < 4; run++) fullCpu.push(await durationMs("1", iterations));
      const slice: number[] = [];
      for (let run = 0; run < 2; run++) slice.push(await durationMs("2", iterations));
      const ratio = Math.min(...slice) / Math.min(...fullCpu);
      expect(
        ratio,
        `Durations 128 MB ${slice.join(", ")} ms; 1769 MB ${fullCpu.join(", ")} ms`,
      ).toBeGreaterThan(8);
      expect(ratio).toBeLessThan(20);
    },
  );
});
