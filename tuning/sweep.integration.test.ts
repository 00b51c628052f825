/**
 * The sweep against the real local stage: real Lambda emulator, real AWS SDK clients, the built-in engine,
 * Newman. Loads are short; what is asserted is agreement between independent measurements and that the
 * function is always restored.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  ListVersionsByFunctionCommand,
  UpdateAliasCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { createBuiltinEngine } from "../loadtests/engines/builtin/engine.ts";
import { runCollection } from "../postman/run-collection.ts";
import { useStage } from "../test/support/stage.ts";
import { apiLoad } from "./adapters/load-ports.ts";
import { planSettings } from "./config/plan.ts";
import { type LoadPort, runSweep, type SweepOptions } from "./sweep.ts";

const env = useStage();

function options(memoryMb: number[], extra: Partial<SweepOptions> = {}): SweepOptions {
  return {
    stage: env.local.stage,
    settings: planSettings(memoryMb, ["x86_64"]),
    maxErrorRate: 0.5,
    discardTopBottom: 0,
    apiType: "REST",
    ...extra,
  };
}

function load(durationS = 2): LoadPort {
  return apiLoad(createBuiltinEngine({ handleSigint: false }), {
    apiUrl: env.local.stage.apiUrl,
    profile: "baseline",
    seed: 3,
    warmupS: 0.5,
    ratePerSec: 15,
    durationS,
  }).port;
}

/** The function is as the stage registered it: template memory, alias on version 1, no other versions. */
async function expectRestored(memoryMb: number): Promise<void> {
  const fn = env.local.stage.functionName;
  const config = await env.clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn }));
  expect(config.MemorySize).toBe(memoryMb);
  const alias = await env.clients.lambda.send(
    new GetAliasCommand({ FunctionName: fn, Name: env.local.stage.alias }),
  );
  expect(alias.FunctionVersion).toBe("1");
  const versions = await env.clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
  expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
}

async function originalMemory(): Promise<number> {
  const config = await env.clients.lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: env.local.stage.functionName }),
  );
  return config.MemorySize ?? 0;
}

describe("sweep on the local stage", () => {
  it("measures each setting through the API; CloudWatch, REPORT lines and the engine agree; restores", async () => {
    const memoryBefore = await originalMemory();
    const outcome = await runSweep(options([128, 512]), {
      clients: env.clients,
      load: load(),
      gate: () =>
        runCollection({ baseUrl: env.local.stage.apiUrl, envVars: { tableName: env.local.stage.tableName } }),
    });
    expect(outcome.aborted).toBe(false);
    expect(outcome.restoreError).toBeUndefined();
    expect(outcome.settings.map((s) => s.id)).toEqual(["x86_64-128", "x86_64-512"]);
    for (const s of outcome.settings) {
      const answered = Object.entries(s.client?.operations ?? {}).reduce(
        (n, [, op]) => n + (op?.requests ?? 0),
        0,
      );
      expect(s.client?.requests).toBeGreaterThan(0);
      expect(answered).toBe(s.client?.requests);
      // Three independent counts of the same invocations.
      expect(s.lambda?.invocations).toBe(s.client?.requests);
      expect(s.lambda?.reportCount).toBe(s.client?.requests);
      expect(s.apiGateway?.count).toBe(s.client?.requests);
      expect(s.dynamodb?.requests).toBe(s.client?.requests);
      expect(s.cost?.totalPerMillionUsd).toBeGreaterThan(0);
      expect(s.stats?.billedDurationMeanMs?.low).toBeLessThanOrEqual(s.lambda?.billedDurationMs.mean ?? -1);
      expect(s.gate?.passed).toBe(true);
      // A new version starts cold: the warm-up absorbed at least one cold start, and its Init Duration is kept.
      expect(s.lambda?.warmup?.coldStarts).toBeGreaterThanOrEqual(1);
      expect(s.lambda?.initDurationMs?.mean).toBeGreaterThan(0);
    }
    // The version each setting ran on kept its own memory size.
    expect(outcome.settings[0]?.version).not.toBe(outcome.settings[1]?.version);
    await expectRestored(memoryBefore);
  });

  it("a setting whose load fails is recorded and the sweep goes on", async () => {
    const memoryBefore = await originalMemory();
    const real = load(1);
    const faulty: LoadPort = async (request) => {
      if (request.settingId === "x86_64-256" && request.kind === "measure")
        throw new Error("injected load failure");
      return real(request);
    };
    const outcome = await runSweep(options([256, 1024]), { clients: env.clients, load: faulty });
    expect(outcome.settings[0]).toMatchObject({
      status: "failed",
      failures: [{ kind: "load", message: "injected load failure" }],
    });
    expect(outcome.settings[1]?.client?.requests).toBeGreaterThan(0);
    await expectRestored(memoryBefore);
  });

  it("a CloudWatch query that fails is recorded, the sweep finishes and restores", async () => {
    const memoryBefore = await originalMemory();
    // CloudWatch unreachable: a closed port on loopback, one attempt.
    const broken = new CloudWatchClient({
      region: env.local.stage.region,
      endpoint: "http://127.0.0.1:1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
    try {
      const outcome = await runSweep(options([512]), {
        clients: { ...env.clients, cloudwatch: broken },
        load: load(1),
      });
      expect(outcome.settings[0]?.status).toBe("failed");
      expect(outcome.settings[0]?.failures[0]?.kind).toBe("collect");
      expect(outcome.settings[0]?.client?.requests).toBeGreaterThan(0);
    } finally {
      broken.destroy();
    }
    await expectRestored(memoryBefore);
  });

  it("an abort in the middle of a setting stops the sweep, restores and deletes the versions it made", async () => {
    const memoryBefore = await originalMemory();
    const controller = new AbortController();
    const outcome = await runSweep(
      options([128, 256, 512], {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === "load" && p.settingId === "x86_64-128") setTimeout(() => controller.abort(), 300);
        },
      }),
      { clients: env.clients, load: load(5) },
    );
    expect(outcome.aborted).toBe(true);
    expect(outcome.settings.length).toBeLessThan(3);
    await expectRestored(memoryBefore);
  });
  it("auto-apply leaves the alias on the winner's version, with its memory", async () => {
    const fn = env.local.stage.functionName;
    const memoryBefore = await originalMemory();
    const outcome = await runSweep(
      options([256, 512], { applyAtEnd: (settings) => settings.find((s) => s.id === "x86_64-512") }),
      { clients: env.clients, load: load(1) },
    );
    expect(outcome.applied?.settingId).toBe("x86_64-512");
    const alias = await env.clients.lambda.send(
      new GetAliasCommand({ FunctionName: fn, Name: env.local.stage.alias }),
    );
    expect(alias.FunctionVersion).toBe(outcome.applied?.version);
    const applied = await env.clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: fn, Qualifier: outcome.applied?.version }),
    );
    expect(applied.MemorySize).toBe(512);
    // Put the stage back for the tests that follow: alias on 1, memory as before, the applied version gone.
    await env.clients.lambda.send(
      new UpdateAliasCommand({ FunctionName: fn, Name: env.local.stage.alias, FunctionVersion: "1" }),
    );
    await env.clients.lambda.send(
      new DeleteFunctionCommand({ FunctionName: fn, Qualifier: outcome.applied?.version }),
    );
    await env.clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: fn, MemorySize: memoryBefore }),
    );
    await waitUntilFunctionUpdatedV2({ client: env.clients.lambda, maxWaitTime: 30 }, { FunctionName: fn });
    await expectRestored(memoryBefore);
  });
});
