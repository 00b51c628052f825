import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseResults, ResultsValidationError, serializeResults, validateResults } from "./results.ts";
import { readResults, writeResults } from "./results-file.ts";
import { asVersionTwo } from "./test-support/older-results.ts";
import { sampleResults } from "./test-support/sample-results.ts";

function expectInvalid(data: unknown, message: string): void {
  expect(() => validateResults(data)).toThrow(ResultsValidationError);
  expect(() => validateResults(data)).toThrow(message);
}

describe("validateResults", () => {
  it("accepts the sample results (several settings, one failed, recommendations, SLO)", () => {
    const results = sampleResults();
    expect(validateResults(results)).toBe(results);
    expect(results.settings.some((s) => s.status === "failed")).toBe(true);
    expect(results.recommendations.map((r) => r.strategy)).toEqual(["cost", "speed", "balanced", "slo"]);
  });

  it("accepts every optional field of the types (the schema forgets none)", () => {
    const results = sampleResults();
    results.run.discardTopBottom = 0.2;
    results.run.cpuScaling = { mode: "none", reason: "no write access to /sys/fs/cgroup/cpu" };
    const s = results.settings[1];
    if (!s?.lambda || !s.client) throw new Error("sample setting 1 must be measured");
    s.lambda.billedDurationMs.trimmedMean = 60.2;
    s.distorted = { reason: "host CPU 97 % busy during the window" };
    s.client.operations.list = { requests: 10, errorRate: 0, latency: s.client.latency };
    s.client.operations.delete = { requests: 10, errorRate: 0.1, latency: s.client.latency };
    s.window = { startMs: 1_795_000_000_000.5, endMs: 1_795_000_030_000.25 };
    expect(validateResults(results)).toBe(results);
    // Schema version 2: attribution, logs, INIT at a rate, checks, phases, sensitivity.
    results.run.sequence = {
      seed: 1,
      requests: 300,
      preseedItems: 64,
      reuseGapRequests: 50,
      idPrefix: "pb1ab12",
    };
    results.run.coldStartRate = { source: "config", rate: 0.01 };
    results.run.coldStartSensitivity = [{ rate: 0.01, costPick: "x86_64-512", notDistinguishableFrom: [] }];
    s.lambda.attribution = "request-ids";
    s.lambda.cloudwatch = { invocations: 300, durationMs: s.lambda.durationMs, agrees: true };
    s.lambda.responsesWithoutRequestId = 0;
    s.lambda.init = { coldStartRate: 0.01, rateSource: "config", billedMeanMs: 180, coldStartsMeasured: 3 };
    if (s.dynamodb) s.dynamodb.failedConditionalWrites = 2;
    s.logs = { bytes: 170_000, bytesPerRequest: 566.7, unattributedBytes: 120 };
    s.checks = { invocationsEqualRequests: true, lambdaP99WithinClientP99: true };
    s.phaseMs = {
      configure: 120,
      coldStarts: 400,
      warmup: 1000,
      load: 6000,
      gate: 900,
      reset: 150,
      collect: 80,
    };
    s.overheadMs = 2650;
    s.powerTuningCompatibleCostPerMillionUsd = 4.1;
    s.hostContention = {
      oversubscribed: true,
      meanCpuShareDemand: 1.4,
      peakCpuShareDemand: 2.25,
      hostCpuWaitShare: 0.18,
      reason: "the environments' CPU shares exceeded the host's 2 cores",
    };
    s.lambda.warmup = { invocations: 40, coldStarts: 2 };
    results.run.upgradedFromSchemaVersion = 1;
    results.run.partial = {
      reason: "interrupted",
      message: "interrupted by SIGINT during x86_64-512",
      settingsPlanned: 5,
      settingsRun: 3,
      notRun: ["x86_64-1024", "x86_64-2048"],
    };
    const cost = results.recommendations[0];
    if (cost) cost.tieBreak = "least memory";
    expect(validateResults(results)).toBe(results);
    const bare = sampleResults();
    delete bare.run.gitRevision;
    delete bare.run.slo;
    expect(validateResults(bare)).toBe(bare);
  });

  it("names the first bad field, what was expected and what was got", () => {
    const results = sampleResults() as unknown as { settings: Array<Record<string, unknown>> };
    (results.settings[2] as Record<string, unknown>)["memoryMb"] = "abc";
    expectInvalid(
      results,
      'results.json: settings[2].memoryMb: expected integer ≥ 128 and ≤ 10240, got "abc"',
    );
  });

  it("reports missing, unexpected and out-of-range fields", () => {
    const missing = sampleResults() as unknown as { run: { stage: Record<string, unknown> } };
    delete missing.run.stage["alias"];
    expectInvalid(
      missing,
      "results.json: run.stage.alias: expected a value (the field is required), got nothing",
    );

    const extra = sampleResults() as unknown as { settings: Array<Record<string, unknown>> };
    (extra.settings[1] as Record<string, unknown>)["costUsd"] = 1;
    expectInvalid(extra, "results.json: settings[1].costUsd: unexpected field");

    const rate = sampleResults();
    const client = rate.settings[1]?.client;
    if (client) client.errorRate = 1.5;
    expectInvalid(rate, "results.json: settings[1].client.errorRate: expected number ≥ 0 and ≤ 1, got 1.5");

    const version = { ...sampleResults(), schemaVersion: 4 };
    expectInvalid(version, "results.json: schemaVersion: expected 3, got 4");

    const nan = JSON.parse(
      JSON.stringify({
        ...sampleResults(),
        settings: [{ ...sampleResults().settings[1], memoryMb: Number.NaN }],
      }),
    );
    expectInvalid(nan, "results.json: settings[0].memoryMb: expected integer ≥ 128 and ≤ 10240, got null");
  });

  it("checks what the schema cannot: unique ids and recommendations naming a setting that ran", () => {
    const duplicate = sampleResults();
    const first = duplicate.settings[1];
    if (first) duplicate.settings.push({ ...first });
    expectInvalid(duplicate, `settings[${duplicate.settings.length - 1}].id: expected a unique setting id`);

    const unknown = sampleResults();
    const rec = unknown.recommendations[0];
    if (rec) rec.settingId = "x86_64-4096";
    expectInvalid(
      unknown,
      'recommendations[0].settingId: expected the id of a setting in settings or null, got "x86_64-4096"',
    );

    const failed = sampleResults();
    const cost = failed.recommendations[0];
    if (cost) cost.settingId = "x86_64-128";
    expectInvalid(failed, "failed settings never win");
  });
});

describe("schema version 1 files", () => {
  /** The sample as schema version 1 wrote it: no v2 fields, cost without the new components. */
  function versionOne(): Record<string, unknown> {
    const results = asVersionTwo(sampleResults()) as Record<string, unknown> & {
      run: Record<string, unknown>;
      settings: Array<Record<string, unknown> & { cost?: Record<string, unknown> }>;
    };
    results["schemaVersion"] = 1;
    delete results.run["coldStartRate"];
    delete results.run["coldStartSensitivity"];
    delete results.run["sequence"];
    for (const setting of results.settings) {
      for (const key of ["dynamodbFailedWritesUsd", "cloudwatchLogsUsd", "initUsd"])
        delete setting.cost?.[key];
      for (const key of ["logs", "checks", "phaseMs", "overheadMs"]) delete setting[key];
      const lambda = setting["lambda"] as Record<string, unknown> | undefined;
      for (const key of ["attribution", "cloudwatch", "responsesWithoutRequestId", "init"])
        delete lambda?.[key];
      delete (setting["dynamodb"] as Record<string, unknown> | undefined)?.["failedConditionalWrites"];
    }
    for (const r of results["recommendations"] as Array<Record<string, unknown>>) delete r["tieBreak"];
    return results;
  }

  it("reads a version 1 file and upgrades it: new components 0, marked as not measured", () => {
    const upgraded = parseResults(JSON.stringify(versionOne()));
    expect(upgraded.schemaVersion).toBe(3);
    expect(upgraded.run.upgradedFromSchemaVersion).toBe(1);
    const measured = upgraded.settings.find((s) => s.cost);
    expect(measured?.cost).toMatchObject({
      cloudwatchLogsPerMillionUsd: 0,
      initPerMillionUsd: 0,
      dynamodbFailedWritesPerMillionUsd: 0,
    });
    expect(measured?.lambda?.attribution).toBe("window");
    // The upgraded document is a valid current one.
    expect(() => serializeResults(upgraded)).not.toThrow();
  });

  it("checks a version 1 file against the version 1 schema", () => {
    const withNewField = versionOne();
    const second = (withNewField["settings"] as Array<Record<string, unknown>>)[1];
    if (second) second["logs"] = { bytes: 1 };
    expect(() => validateResults(withNewField)).toThrow(
      /settings\[1\]\.logs: unexpected field: schema version 1 does not have it/,
    );
  });
});

// issue 21: version 3 put the units in the names (…PerMillionUsd, DynamoDB request units); version 2 files
// (a --baseline from before) are still read, every figure under its new name
describe("schema version 2 files", () => {
  it("reads a version 2 file and upgrades it: the same figures under version 3's names", () => {
    const current = sampleResults();
    const v2 = asVersionTwo(current);
    expect(JSON.stringify(v2)).toContain('"lambdaComputeUsd"');
    expect(JSON.stringify(v2)).toContain('"readCapacityUnits"');
    const upgraded = parseResults(JSON.stringify(v2));
    expect(upgraded.schemaVersion).toBe(3);
    expect(upgraded.run.upgradedFromSchemaVersion).toBe(2);
    const { upgradedFromSchemaVersion: _, ...run } = upgraded.run;
    expect({ ...upgraded, run }).toEqual(current);
    expect(() => serializeResults(upgraded)).not.toThrow();
  });

  it("carries the rounds' DynamoDB units over", () => {
    const current = sampleResults();
    const setting = current.settings.find((s) => s.dynamodb);
    if (!setting?.dynamodb) throw new Error("fixture changed");
    setting.rounds = [
      {
        round: 1,
        position: 1,
        window: setting.window,
        requests: 10,
        errorCount: 0,
        clientLatencyMs: { p50: 10, p95: 20, p99: 30 },
        readRequestUnits: 3,
        writeRequestUnits: 6,
        phaseMs: { load: 1000 },
        overheadMs: 0,
      },
    ];
    const upgraded = parseResults(JSON.stringify(asVersionTwo(current)));
    const round = upgraded.settings.find((s) => s.id === setting.id)?.rounds?.[0];
    expect(round).toMatchObject({ readRequestUnits: 3, writeRequestUnits: 6 });
    expect(round).not.toHaveProperty("readCapacityUnits");
  });

  it("checks a version 2 file against the version 2 schema: a version 3 name in it is named", () => {
    const mixed = asVersionTwo(sampleResults()) as { settings: Array<{ cost?: Record<string, unknown> }> };
    const cost = mixed.settings[1]?.cost;
    if (!cost) throw new Error("fixture changed");
    cost["initPerMillionUsd"] = cost["initUsd"];
    delete cost["initUsd"];
    expect(() => validateResults(mixed)).toThrow(/settings\[1\]\.cost\.initUsd: expected a value/);
  });
});

describe("serializeResults / parseResults", () => {
  it("round-trips the sample exactly", () => {
    const results = sampleResults();
    const text = serializeResults(results);
    expect(text.endsWith("\n")).toBe(true);
    expect(parseResults(text)).toEqual(results);
  });

  it("refuses to serialise invalid results and to parse non-JSON", () => {
    const results = sampleResults();
    results.run.mode = "sideways" as "api";
    expect(() => serializeResults(results)).toThrow(
      'run.mode: expected one of "api", "direct", got "sideways"',
    );
    expect(() => parseResults("{not json")).toThrow("results.json: expected JSON text, got a parse error");
  });
});

describe("writeResults / readResults", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("writes valid results and reads them back; refuses to write invalid ones", async () => {
    dir = await mkdtemp(join(tmpdir(), "powerbench-results-"));
    const path = join(dir, "run", "results.json");
    await writeResults(path, sampleResults());
    expect(await readResults(path)).toEqual(sampleResults());

    const bad = sampleResults();
    bad.settings = [{ ...(bad.settings[0] as (typeof bad.settings)[number]), memoryMb: 64 }];
    bad.recommendations = [];
    const badPath = join(dir, "bad.json");
    await expect(writeResults(badPath, bad)).rejects.toThrow(
      `settings[0].memoryMb: expected integer ≥ 128 and ≤ 10240, got 64. Not written to ${badPath}; the data as it was is in ${badPath}.invalid.json`,
    );
    await expect(readFile(badPath, "utf8")).rejects.toThrow(/ENOENT/);
    expect(JSON.parse(await readFile(`${badPath}.invalid.json`, "utf8"))).toEqual(bad);
  });

  it("names the file when what it reads is invalid", async () => {
    dir = await mkdtemp(join(tmpdir(), "powerbench-results-"));
    const path = join(dir, "results.json");
    await writeFile(path, JSON.stringify({ schemaVersion: 1 }), "utf8");
    await expect(readResults(path)).rejects.toThrow(
      `results.json: run: expected a value (the field is required), got nothing (in ${path})`,
    );
  });
});
