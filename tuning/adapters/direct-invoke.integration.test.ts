/**
 * The direct-invoke mode (power-tuning's way) through the sweep on the real local stage.
 */

import { fileURLToPath } from "node:url";
import {
  CreateAliasCommand,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { useStage } from "../../test/support/stage.ts";
import { DIRECT_DEFAULTS } from "../config/bench-config.ts";
import { planSettings } from "../config/plan.ts";
import { splitPayloads } from "../core/payload-split.ts";
import { runSweep } from "../sweep.ts";
import { directLoadPort } from "./direct-invoke.ts";

const env = useStage();

function sweep(
  direct: Partial<typeof DIRECT_DEFAULTS>,
  memoryMb = [512],
  stage = env.local.stage,
  maxErrorRate = 0.01,
  discardTopBottom = 0,
) {
  return runSweep(
    {
      stage,
      settings: planSettings(memoryMb, ["x86_64"]),
      maxErrorRate,
      discardTopBottom,
      apiType: null,
      invokesVersion: true,
      warmup: false,
    },
    {
      clients: env.clients,
      load: directLoadPort(env.clients.lambda, stage, { ...DIRECT_DEFAULTS, ...direct }),
    },
  );
}

/**
 * Registers a test function on the stage (code from a local directory, the stage's way, which the SDK's
 * CreateFunction cannot carry), then publishes version 1 and the alias `live` through the real SDK client.
 */
async function register(
  functionName: string,
  handler: string,
  timeoutS = 10,
): Promise<typeof env.local.stage> {
  await env.local.lambda.createFunction({
    FunctionName: functionName,
    Runtime: "nodejs22.x",
    Handler: handler,
    Timeout: timeoutS,
    Code: { LocalPath: fileURLToPath(new URL("../../stage/lambda/test-functions", import.meta.url)) },
  });
  await waitUntilFunctionActiveV2(
    { client: env.clients.lambda, maxWaitTime: 30 },
    { FunctionName: functionName },
  );
  const v1 = await env.clients.lambda.send(new PublishVersionCommand({ FunctionName: functionName }));
  await env.clients.lambda.send(
    new CreateAliasCommand({ FunctionName: functionName, Name: "live", FunctionVersion: v1.Version }),
  );
  return { ...env.local.stage, functionName };
}

describe("direct-invoke mode", () => {
  it("splits weighted payloads as power-tuning: floor(weight × num / total) in order, the last takes the rest", () => {
    const split = splitPayloads(
      [
        { payload: "a", weight: 3 },
        { payload: "b", weight: 1 },
        { payload: "c", weight: 1 },
      ],
      11,
    );
    // a: floor(3 × 11 / 5) = 6; b: floor(11 / 5) = 2; c: the remaining 3.
    expect(split.join("")).toBe("aaaaaabbccc");
    expect(() =>
      splitPayloads(
        [
          { payload: "a", weight: 100 },
          { payload: "b", weight: 1 },
        ],
        50,
      ),
    ).toThrow(/direct\.payloads\[1\]\.weight.*increase direct\.invocations or the weight/);
    expect(() =>
      splitPayloads(
        [
          { payload: "a", weight: 1 },
          { payload: "b", weight: 1 },
        ],
        1,
      ),
    ).toThrow(/at least one invocation per payload/);
  });

  it("invokes the version N times in parallel; REPORT lines and CloudWatch count them; no API Gateway cost", async () => {
    const outcome = await sweep({
      invocations: 12,
      parallelism: 4,
      payloads: [{ payload: { operation: "ping" }, weight: 1 }],
    });
    const s = outcome.settings[0];
    expect(s?.status).toBe("ok");
    expect(s?.client?.requests).toBe(12);
    expect(s?.lambda?.invocations).toBe(12);
    expect(s?.lambda?.reportCount).toBe(12);
    expect(s?.cost?.apiGatewayPerMillionUsd).toBe(0);
    expect(s?.apiGateway).toBeUndefined();
    expect(outcome.restoreError).toBeUndefined();
  });

  it("cost is what AWS bills (the plain mean), inside its own interval; power-tuning's trimmed figure sits beside it", async () => {
    const outcome = await sweep({ invocations: 10 }, [256], env.local.stage, 0.01, 0.2);
    const s = outcome.settings[0];
    const total = s?.cost?.totalPerMillionUsd ?? -1;
    expect(s?.stats?.costPerMillionUsd?.low).toBeLessThanOrEqual(total);
    expect(s?.stats?.costPerMillionUsd?.high).toBeGreaterThanOrEqual(total);
    expect(s?.powerTuningCompatibleCostPerMillionUsd).toBeGreaterThan(0);
    expect(s?.lambda?.billedDurationMs.trimmedMean).toBeDefined();
  });

  it("only-cold-starts: every invocation on a fresh environment, versions cleaned up after", async () => {
    const outcome = await sweep({ invocations: 3, onlyColdStarts: true });
    const s = outcome.settings[0];
    expect(s?.lambda?.reportCount).toBe(3);
    expect(s?.lambda?.coldStarts).toBe(3);
    expect(s?.lambda?.initDurationMs?.mean).toBeGreaterThan(0);
    const versions = await env.clients.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: env.local.stage.functionName }),
    );
    expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
  });

  it("function errors fail the setting unless their type is allowed", async () => {
    const thrower = await register("Thrower", "throws.handler"); // always throws TypeError
    const failing = await sweep({ invocations: 3 }, [256], thrower);
    expect(failing.settings[0]?.status).toBe("failed");
    expect(failing.settings[0]?.client?.errorRate).toBe(1);
    expect(failing.settings[0]?.lambda?.errors).toBe(3);
    const tolerated = await sweep({ invocations: 3, allowedErrorTypes: ["TypeError"] }, [256], thrower);
    expect(tolerated.settings[0]?.status).toBe("ok");
    expect(tolerated.settings[0]?.client?.errorRate).toBe(0);
  });

  it("a setting whose invocations time out or run out of memory is recorded with that failure", async () => {
    const once = (payload: unknown) => ({ invocations: 1, payloads: [{ payload, weight: 1 }] });
    const slow = await sweep(
      once({ sleepMs: 5000 }),
      [128],
      await register("Sleeper", "sleeps.handler", 1),
      0.5,
    );
    expect(slow.settings[0]?.failures.map((f) => f.kind)).toContain("timeout");
    const hog = await sweep(once({ limitMb: 1024 }), [128], await register("Hog", "allocates.handler"), 0.5);
    expect(hog.settings[0]?.failures.map((f) => f.kind)).toContain("oom");
    expect(hog.restoreError).toBeUndefined();
  });
});
