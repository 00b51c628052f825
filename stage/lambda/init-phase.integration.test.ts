import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReportLine } from "../../tuning/adapters/report-lines.ts";
import { BootGate } from "./boot-gate.ts";
import { cpuQuotaUs, detectCgroups, INIT_CPU_MB } from "./cgroups.ts";
import { LocalLambda } from "./local-lambda.ts";
import { MemoryLogSink, MemoryMetricSink, TEST_FUNCTIONS_DIR } from "./test-support/memory-sinks.ts";

const { scaling } = detectCgroups();
const code = { LocalPath: TEST_FUNCTIONS_DIR };

interface CpuInitPayload {
  initQuotaUs: number | null;
  invokeQuotaUs: number | null;
}

/** One invocation of `name`; its Init Duration (cold starts only), Duration and payload. */
async function run(lambda: LocalLambda, name: string, iterations: number) {
  const outcome = await lambda.invoke({
    functionName: name,
    payload: JSON.stringify({ iterations }),
    logTail: true,
  });
  if (outcome.status !== "ok") throw new Error(`${name} failed: ${JSON.stringify(outcome)}`);
  const report = parseReportLine(outcome.logTail?.replace(/\n$/, "").split("\n").at(-1) ?? "");
  if (!report) throw new Error(`no REPORT line in ${outcome.logTail}`);
  return { report, payload: JSON.parse(outcome.payload) as CpuInitPayload };
}

describe("INIT as Lambda runs it", () => {
  let lambda: LocalLambda;

  beforeAll(async () => {
    lambda = new LocalLambda({ metricSink: new MemoryMetricSink(), logSink: new MemoryLogSink() });
    for (const memoryMb of [128, 1769]) {
      await lambda.createFunction({
        FunctionName: `init-${memoryMb}`,
        Handler: "cpu-init.handler",
        Code: code,
        MemorySize: memoryMb,
        Timeout: 60,
        // A little CPU work in INIT; the quotas are read from the group, not inferred from its time.
        Environment: { Variables: { INIT_ITERATIONS: "1000" } },
      });
    }
  });
  afterAll(async () => {
    await lambda.close();
  });

  // Read from the environment's own group as INIT and the invocation ran: the structural form of the rule.
  // The time it makes (Init Duration at 128 MB against 1,769 MB) is a figure of `npm run perf -- lambda.perf`.
  it.skipIf(scaling.mode === "none")(
    `runs INIT at one vCPU whatever the memory and applies the memory share before the first invocation (${scaling.mode})`,
    async () => {
      expect(INIT_CPU_MB).toBe(1769);
      expect(cpuQuotaUs(128)).toBeLessThan(cpuQuotaUs(INIT_CPU_MB));
      for (const memoryMb of [128, 1769]) {
        const { report, payload } = await run(lambda, `init-${memoryMb}`, 1);
        expect(report.initDurationMs, `${memoryMb} MB: the first invocation is a cold start`).toBeDefined();
        expect(payload.initQuotaUs, `${memoryMb} MB INIT`).toBe(cpuQuotaUs(INIT_CPU_MB));
        expect(payload.invokeQuotaUs, `${memoryMb} MB invocation`).toBe(cpuQuotaUs(memoryMb));
      }
    },
  );

  it("boots at most maxParallelBoots environments at once; the wait is not Init Duration", async () => {
    const gated = new LocalLambda({
      metricSink: new MemoryMetricSink(),
      logSink: new MemoryLogSink(),
      maxParallelBoots: 1,
    });
    try {
      await gated.createFunction({
        FunctionName: "slow-init",
        Handler: "slow-init.handler",
        Code: code,
        Timeout: 10,
      });
      const startedMs = performance.now();
      const outcomes = await Promise.all(
        [0, 1, 2].map(() => gated.invoke({ functionName: "slow-init", payload: "{}", logTail: true })),
      );
      const elapsedMs = performance.now() - startedMs;
      const inits = outcomes.map((outcome) => {
        if (outcome.status !== "ok") throw new Error(JSON.stringify(outcome));
        const report = parseReportLine(outcome.logTail?.replace(/\n$/, "").split("\n").at(-1) ?? "");
        if (report?.initDurationMs === undefined) throw new Error(`no Init Duration in ${outcome.logTail}`);
        return report.initDurationMs;
      });
      // Three INITs of the same 3 s sleep, one slot: two boots waited for the slot.
      expect(gated.bootGate.waitedBoots).toBe(2);
      // One after the other: the three INITs fit in the wall time end to end (overlapping boots would not).
      const sum = inits.reduce((a, b) => a + b, 0);
      expect(sum, JSON.stringify({ inits, elapsedMs })).toBeLessThanOrEqual(elapsedMs);
      // The wait is not Init Duration: counted, the last boot's would include the two INITs before it and
      // exceed their sum; each reports only its own INIT, shorter than the other two together.
      const longest = Math.max(...inits);
      expect(longest, JSON.stringify(inits)).toBeLessThan(sum - longest);
    } finally {
      await gated.close();
    }
  }, 30_000);

  it("hands a freed boot slot to the longest waiting boot", async () => {
    const gate = new BootGate(1);
    const order: number[] = [];
    const first = await gate.acquire();
    const waiting = [1, 2].map((n) =>
      gate.acquire().then((release) => {
        order.push(n);
        release();
      }),
    );
    first();
    await Promise.all(waiting);
    expect(order).toEqual([1, 2]);
    expect(() => new BootGate(0)).toThrow(/invalid maxParallelBoots 0/);
  });
});
