/**
 * Deliberate cold starts against the local stage's real Lambda API: each fresh version is waited for with the
 * bounded poller (commit c571c76), so an endpoint lost between the publish and the invoke ends them at once
 * instead of a waiter polling for 2 minutes.
 */

import {
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTcpSwitch, type TcpSwitch } from "../../test/faults/tcp-switch.ts";
import { useStage } from "../../test/support/stage.ts";
import { sleep } from "../../test/support/wait.ts";
import { type AwsClients, createAwsClients } from "../adapters/aws-clients.ts";
import { forceColdStarts } from "./cold-starts.ts";

const env = useStage({ cpuScaling: "off" });
let cut: TcpSwitch;
let throughCut: AwsClients;
let nonce = 0;
beforeAll(async () => {
  const aws = new URL(env.local.stage.awsEndpoint as string);
  cut = await startTcpSwitch({ host: aws.hostname, port: Number(aws.port) });
  throughCut = createAwsClients(
    { ...env.local.stage, awsEndpoint: cut.endpoint },
    { requestTimeoutMs: 300, connectionTimeoutMs: 300, maxAttempts: 1 },
  );
});
afterAll(async () => {
  throughCut?.destroy();
  await cut?.close();
});

/** A fresh version of the stage's function (an environment nudge, then PublishVersion), past the cut. */
async function publishFresh(): Promise<string> {
  const FunctionName = env.local.stage.functionName;
  nonce += 1;
  const current = await env.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
  const Variables = { ...current.Environment?.Variables, COLD_START_TEST_NONCE: String(nonce) };
  await env.clients.lambda.send(
    new UpdateFunctionConfigurationCommand({ FunctionName, Environment: { Variables } }),
  );
  for (let i = 0; i < 100; i++) {
    try {
      const published = await env.clients.lambda.send(new PublishVersionCommand({ FunctionName }));
      if (published.Version) return published.Version;
    } catch (error) {
      if ((error as Error).name !== "ResourceConflictException") throw error;
    }
    await sleep(50);
  }
  throw new Error("could not publish a version");
}

describe("forceColdStarts", () => {
  it("publishes, waits for and invokes each fresh version once", async () => {
    const outcome = await forceColdStarts(env.clients.lambda, env.local.stage.functionName, 2, publishFresh);
    expect(outcome.error).toBeUndefined();
    expect(outcome.versions).toHaveLength(2);
    expect(new Set(outcome.versions).size).toBe(2);
  }, 60_000);

  it("an endpoint lost after the publish ends the cold starts with the poll's error, not a 2-minute wait", async () => {
    try {
      const outcome = await forceColdStarts(throughCut.lambda, env.local.stage.functionName, 1, async () => {
        const version = await publishFresh();
        await cut.set("blackhole");
        return version;
      });
      expect(outcome.versions).toEqual([]);
      expect(outcome.error).toMatch(/time|socket|ECONN/i);
    } finally {
      await cut.set("forward");
    }
  }, 20_000);
});
