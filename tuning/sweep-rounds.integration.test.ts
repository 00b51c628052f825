/**
 * Rounds in rotating order on the real local stage (Lambda emulator, dynalite, the real SDK clients, the
 * built-in engine, Newman): the settings are visited A B, then B A; every round of every setting replays the
 * same request sequence against the same table state (common random numbers hold round by round), the rounds
 * pool into the setting's figures, and the gate and the deliberate cold starts run once per setting.
 */
import { GetAliasCommand, ListVersionsByFunctionCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { createBuiltinEngine } from "../loadtests/engines/builtin/engine.ts";
import { runCollection } from "../postman/run-collection.ts";
import { useStage } from "../test/support/stage.ts";
import { apiLoad } from "./adapters/load-ports.ts";
import { planSettings } from "./config/plan.ts";
import type { SettingResult, SettingRound } from "./results/results-types.ts";
import { type GatePort, runSweep } from "./sweep.ts";

const env = useStage();

describe("rounds in rotating order on the local stage", () => {
  it("rotates the order, replays the same sequence every round, pools the rounds, gates once per setting", async () => {
    const api = apiLoad(createBuiltinEngine({ handleSigint: false }), {
      apiUrl: env.local.stage.apiUrl,
      profile: "baseline",
      seed: 5,
      warmupS: 0.5,
      ratePerSec: 20,
      durationS: 1.5,
      preseedItems: 16,
    });
    const gated: string[] = [];
    const gate: GatePort = async ({ settingId }) => {
      gated.push(settingId);
      return runCollection({
        baseUrl: env.local.stage.apiUrl,
        envVars: { tableName: env.local.stage.tableName },
      });
    };
    const outcome = await runSweep(
      {
        stage: env.local.stage,
        settings: planSettings([512, 1024], ["x86_64"]),
        maxErrorRate: 0,
        discardTopBottom: 0,
        apiType: "REST",
        coldStarts: 1,
        rounds: 2,
      },
      { clients: env.clients, load: api.port, tableState: api.tableState, gate },
    );
    expect(outcome.restoreError).toBeUndefined();
    expect(outcome.cleanupError).toBeUndefined();
    const [a, b] = outcome.settings as [SettingResult, SettingResult];
    expect(outcome.settings.map((s) => [s.id, s.status])).toEqual([
      ["x86_64-512", "ok"],
      ["x86_64-1024", "ok"],
    ]);
    const [a1, a2] = a.rounds as [SettingRound, SettingRound];
    const [b1, b2] = b.rounds as [SettingRound, SettingRound];
    // The order rotates: A B in round 1, B A in round 2, and the windows follow it.
    expect([a1.round, a1.position, b1.round, b1.position]).toEqual([1, 1, 1, 2]);
    expect([b2.round, b2.position, a2.round, a2.position]).toEqual([2, 1, 2, 2]);
    expect(a1.window.endMs).toBeLessThanOrEqual(b1.window.startMs);
    expect(b1.window.endMs).toBeLessThanOrEqual(b2.window.startMs);
    expect(b2.window.endMs).toBeLessThanOrEqual(a2.window.startMs);

    // Common random numbers, round by round: the same requests and the same DynamoDB units in every round.
    const rounds = [a1, a2, b1, b2];
    for (const r of rounds) {
      expect(r.requests).toBe(a1.requests);
      expect(r.errorCount).toBe(0);
      expect(r.readRequestUnits).toBe(a1.readRequestUnits);
      expect(r.writeRequestUnits).toBe(a1.writeRequestUnits);
      expect(r.costPerMillionUsd).toBeGreaterThan(0);
    }
    expect(a1.writeRequestUnits).toBeGreaterThan(0);

    // Pooled: the setting's figures are its rounds together, exactly the measured invocations priced.
    for (const s of [a, b]) {
      const [r1, r2] = s.rounds as [SettingRound, SettingRound];
      expect(s.client?.requests).toBe(r1.requests + r2.requests);
      expect(s.lambda?.invocations).toBe(s.client?.requests);
      expect(s.lambda?.attribution).toBe("request-ids");
      expect(s.checks).toEqual({ invocationsEqualRequests: true, lambdaP99WithinClientP99: true });
      expect(s.dynamodb?.writeRequestUnits).toBe((r1.writeRequestUnits ?? 0) + (r2.writeRequestUnits ?? 0));
      expect(s.logs?.bytes).toBe((r1.logBytes ?? 0) + (r2.logBytes ?? 0));
      expect(s.window).toEqual({ startMs: r1.window.startMs, endMs: r2.window.endMs });
      expect(s.phaseMs?.load).toBeCloseTo((r1.phaseMs.load ?? 0) + (r2.phaseMs.load ?? 0), 6);
      // The gate and the deliberate cold starts ran on the setting's first round only.
      expect(r1.phaseMs.gate).toBeGreaterThan(0);
      expect(r2.phaseMs.gate).toBeUndefined();
      expect(r2.phaseMs.coldStarts).toBeUndefined();
      expect(s.gate?.passed).toBe(true);
      expect(s.lambda?.init?.coldStartsMeasured).toBeGreaterThanOrEqual(1);
    }
    expect(a.dynamodb?.readRequestUnits).toBe(b.dynamodb?.readRequestUnits);
    expect(gated).toEqual(["x86_64-512", "x86_64-1024"]);

    // Restored: the alias on version 1, every version the rounds used deleted.
    const fn = env.local.stage.functionName;
    const alias = await env.clients.lambda.send(
      new GetAliasCommand({ FunctionName: fn, Name: env.local.stage.alias }),
    );
    expect(alias.FunctionVersion).toBe("1");
    const versions = await env.clients.lambda.send(new ListVersionsByFunctionCommand({ FunctionName: fn }));
    expect(versions.Versions?.map((v) => v.Version)).toEqual(["$LATEST", "1"]);
  }, 180_000);
});
