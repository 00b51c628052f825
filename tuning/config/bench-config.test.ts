import { describe, expect, it } from "vitest";
import { BENCH_DEFAULTS, QUICK_PRESET, resolveBenchConfig, validateConfigLayer } from "./bench-config.ts";
import { CONFIG_KEYS } from "./bench-options.ts";

const awsKeys = {
  region: "eu-west-1",
  apiUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/",
  function: "powerbench-crud",
  tableName: "powerbench-items",
  apiName: "powerbench-api",
};

describe("bench config", () => {
  it("applies defaults < file < flags", () => {
    const file = validateConfigLayer({ memory: [256, 1024], profile: "ramp", seed: 7 }, "bench.json");
    const flags = validateConfigLayer({ memory: "128,512" }, "flags");
    const config = resolveBenchConfig(file, flags);
    expect(config.memoryMb).toEqual([128, 512]);
    expect(config.profile).toBe("ramp");
    expect(config.seed).toBe(7);
    expect(config.engine).toBe(BENCH_DEFAULTS.engine);
  });

  it("--quick sets the CI preset, explicit values still win", () => {
    const config = resolveBenchConfig({}, validateConfigLayer({ quick: true, duration: 2 }, "flags"));
    expect(config.memoryMb).toEqual(QUICK_PRESET.memoryMb);
    expect(config.durationS).toBe(2);
  });

  it("lets a chosen profile run its own duration: the default 6 s goes with the default profile", () => {
    expect(resolveBenchConfig({}, {}).durationS).toBe(6);
    expect(
      resolveBenchConfig({}, validateConfigLayer({ profile: "ramp" }, "flags")).durationS,
    ).toBeUndefined();
    expect(
      resolveBenchConfig(validateConfigLayer({ profile: "ramp" }, "bench.json"), {}).durationS,
    ).toBeUndefined();
    const layer = validateConfigLayer({ profile: "ramp", duration: 9 }, "flags");
    expect(resolveBenchConfig({}, layer).durationS).toBe(9);
    // a duration in the file goes with the file's profile, and a flag's profile keeps it too
    const file = validateConfigLayer({ duration: 12 }, "bench.json");
    expect(resolveBenchConfig(file, validateConfigLayer({ profile: "spike" }, "flags")).durationS).toBe(12);
    // --quick's 4 s goes with its smoke profile
    expect(resolveBenchConfig({}, validateConfigLayer({ quick: true }, "flags")).durationS).toBe(4);
    expect(
      resolveBenchConfig({}, validateConfigLayer({ quick: true, profile: "ramp" }, "flags")).durationS,
    ).toBeUndefined();
  });

  it("names the bad key with what was expected, in one line", () => {
    expect(() => validateConfigLayer({ balancedWeight: 2 }, "bench.json")).toThrow(
      "invalid bench.json.balancedWeight 2: expected a number from 0 to 1",
    );
    expect(() => validateConfigLayer({ memory: [64] }, "bench.json")).toThrow(
      'invalid bench.json.memory [64]: expected a list of memory sizes from 128 to 10240 MB, e.g. [128, 512, 1024] or "128-1024:128"',
    );
    expect(() => validateConfigLayer({ memory: "64" }, "bench.json")).toThrow(
      'invalid bench.json.memory "64": expected an integer from 128',
    );
    expect(() => validateConfigLayer({ ...awsKeys, apiUrl: "ftp://x" }, "bench.json")).toThrow(
      'invalid bench.json.apiUrl "ftp://x": expected an http(s) URL of the deployed API stage',
    );
    expect(() => validateConfigLayer({ engine: "jmeter" }, "bench.json")).toThrow(
      'invalid bench.json.engine "jmeter": expected one of auto, builtin, k6',
    );
    expect(() => validateConfigLayer({ seed: 1.5 }, "bench.json")).toThrow(
      "invalid bench.json.seed 1.5: expected an integer from 0 to 4294967295",
    );
    expect(() => validateConfigLayer({ arch: ["x86"] }, "bench.json")).toThrow(
      'invalid bench.json.arch ["x86"]: expected a list of architectures',
    );
    expect(() => validateConfigLayer({ quick: "yes" }, "bench.json")).toThrow(
      'invalid bench.json.quick "yes": expected true or false',
    );
    expect(() => validateConfigLayer([1], "bench.json")).toThrow(/a JSON object/);
  });

  it("an unknown key gets a did-you-mean; an old internal name gets its new key", () => {
    expect(() => validateConfigLayer({ memroy: [128] }, "bench.json")).toThrow(
      'bench.json: unknown key "memroy": did you mean "memory"? (docs/config.md lists the keys)',
    );
    expect(() => validateConfigLayer({ regoin: "x" }, "bench.json")).toThrow('did you mean "region"?');
    expect(() => validateConfigLayer({ zzzzzzzz: 1 }, "bench.json")).toThrow(
      'bench.json: unknown key "zzzzzzzz" (docs/config.md lists the keys)',
    );
    const renamed: [Record<string, unknown>, string][] = [
      [{ memoryMb: [128] }, 'bench.json: memoryMb is now "memory" (the flag\'s name)'],
      [{ ratePerSec: 5 }, 'bench.json: ratePerSec is now "rate" (the flag\'s name)'],
      [{ durationS: 5 }, 'bench.json: durationS is now "duration" (the flag\'s name)'],
      [{ warmupS: 5 }, 'bench.json: warmupS is now "warmup" (the flag\'s name)'],
      [{ architectures: ["x86_64"] }, 'bench.json: architectures is now "arch" (the flag\'s name)'],
      [{ outDir: "o" }, 'bench.json: outDir is now "out" (the flag\'s name)'],
      [{ gate: false }, 'bench.json: gate is now "noGate" (the flag\'s name; true skips the gate)'],
      [{ aws: { stackName: "s" } }, "bench.json: aws is now top-level keys: stackName, function, region,"],
      [{ direct: { invocations: 5 } }, "bench.json: direct is now top-level keys: payload, invocations,"],
      [
        { slo: { p99Ms: 5 } },
        "bench.json: slo is now top-level keys: sloP99, sloErrorRate (the flags' names)",
      ],
      [{ dryRun: true }, "bench.json: dryRun is now the flag --dry-run only (not a config key)"],
      [{ yes: true }, "bench.json: yes is now the flag --yes only (not a config key)"],
    ];
    for (const [raw, message] of renamed) {
      expect(() => validateConfigLayer(raw, "bench.json")).toThrow(message);
    }
  });

  it("takes every key of the schema at once, and $schema", () => {
    const every = {
      $schema: "./bench-config.schema.json",
      stage: "aws",
      stackName: "my-api",
      ...awsKeys,
      awsProfile: "dev",
      endpointUrl: "http://127.0.0.1:4566/",
      alias: "live",
      apiStageName: "prod",
      apiType: "HTTP",
      protected: true,
      memory: "128-512:128",
      arch: ["x86_64", "arm64"],
      profile: "ramp",
      rate: 20,
      duration: 30,
      warmup: 2,
      rounds: 3,
      engine: "builtin",
      noGate: true,
      maxErrorRate: 0.05,
      sloP99: 300,
      sloErrorRate: 0.001,
      balancedWeight: 0.7,
      discardTopBottom: 0.1,
      balancedCostTerm: "lambda-compute",
      coldStartRate: 0.01,
      coldStarts: 3,
      capacity: "cap",
      idleFill: "off",
      autoApply: "cost",
      out: "out",
      baseline: "old/results.json",
      seed: 9,
      mode: "api",
      payload: [{ payload: { a: 1 }, weight: 2 }],
      invocations: 10,
      parallel: 2,
      sleep: 5,
      onlyColdStarts: true,
      allowedErrors: ["Sandbox.Timedout"],
      priceTable: "prices.json",
      monthlyRequests: 1000,
      freeTier: true,
      template: "t.yaml",
      workload: "w.yaml",
      collection: "c.json",
      environment: "e.json",
      quick: true,
      json: true,
    };
    const keys = [...CONFIG_KEYS.keys()].filter((key) => key !== "k6Script");
    expect(
      Object.keys(every)
        .filter((key) => key !== "$schema")
        .sort(),
    ).toEqual(keys.sort());
    const layer = validateConfigLayer(every, "bench.json");
    expect(layer).toMatchObject({
      stage: "aws",
      memoryMb: [128, 256, 384, 512],
      architectures: ["x86_64", "arm64"],
      ratePerSec: 20,
      durationS: 30,
      warmupS: 2,
      gate: false,
      capacity: "cap",
      idleFill: "off",
      slo: { p99Ms: 300, errorRate: 0.001 },
      outDir: "out",
      aws: {
        stackName: "my-api",
        functionName: "powerbench-crud",
        region: "eu-west-1",
        awsProfile: "dev",
        endpointUrl: "http://127.0.0.1:4566",
        apiUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
        alias: "live",
        tableName: "powerbench-items",
        apiName: "powerbench-api",
        apiStageName: "prod",
        apiType: "HTTP",
        protected: true,
      },
      direct: {
        payloads: [{ payload: { a: 1 }, weight: 2 }],
        invocations: 10,
        parallelism: 2,
        sleepBetweenMs: 5,
        onlyColdStarts: true,
        allowedErrorTypes: ["Sandbox.Timedout"],
      },
      freeTier: true,
      monthlyRequests: 1000,
      quick: true,
      json: true,
    });
    // k6Script excludes workload (resolveBenchConfig), so it is checked on its own.
    expect(validateConfigLayer({ k6Script: "t.ts" }, "bench.json").k6Script).toBe("t.ts");
  });

  it("the aws stage needs a stack or a described function, and a protected one needs --yes", () => {
    expect(() => resolveBenchConfig({ stage: "aws" }, {})).toThrow(
      'invalid --stage aws "aws": expected --stack-name NAME (or --function, --api-url and --table-name; the same keys in the --config file)',
    );
    const file = validateConfigLayer({ stage: "aws", ...awsKeys, protected: true }, "bench.json");
    expect(() => resolveBenchConfig(file, {})).toThrow(/protected.*--yes/);
    const ok = resolveBenchConfig(file, { yes: true });
    // Defaults the stack may fill (alias, API stage, type) are left to the run's discovery.
    expect(ok.aws?.alias).toBeUndefined();
    expect(ok.aws?.apiUrl).toBe("https://abc123.execute-api.eu-west-1.amazonaws.com/prod");
  });

  it("--stack-name alone is enough; --function alone is enough for direct mode, not for API mode", () => {
    const stack = resolveBenchConfig({}, validateConfigLayer({ stage: "aws", stackName: "my-api" }, "flag"));
    expect(stack.aws).toEqual({ stackName: "my-api", protected: false });
    const fn = validateConfigLayer({ stage: "aws", function: "orders" }, "flag");
    expect(resolveBenchConfig({ mode: "direct" }, fn).aws?.functionName).toBe("orders");
    expect(() => resolveBenchConfig({}, fn)).toThrow(/expected --stack-name NAME/);
    expect(() =>
      resolveBenchConfig({}, validateConfigLayer({ stage: "aws", mode: "direct" }, "flag")),
    ).toThrow("expected --stack-name NAME or --function NAME|ARN");
  });

  it("the aws keys merge one by one: flags over the file's fields, the rest kept", () => {
    const file = validateConfigLayer(
      { stage: "aws", region: "eu-west-1", stackName: "old", protected: true },
      "bench.json",
    );
    const flags = validateConfigLayer({ stackName: "new", awsProfile: "dev" }, "flag");
    const config = resolveBenchConfig(file, { ...flags, yes: true });
    expect(config.aws).toEqual({ region: "eu-west-1", stackName: "new", awsProfile: "dev", protected: true });
  });

  it("a qualified function ARN is refused with the reason; unqualified names and ARNs are taken", () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
    expect(validateConfigLayer({ function: arn }, "f").aws?.functionName).toBe(arn);
    expect(() => validateConfigLayer({ function: `${arn}:live` }, "f")).toThrow(
      `invalid f.function "${arn}:live": expected an unqualified function name or ARN, but it is qualified with "live" (a version or alias): the sweep publishes its own versions and points the alias itself; pass ${arn}`,
    );
    expect(() => validateConfigLayer({ function: "orders:7" }, "f")).toThrow(
      /qualified with "7".*pass orders$/,
    );
    expect(() => validateConfigLayer({ endpointUrl: "localhost:4566" }, "f")).toThrow(
      /f.endpointUrl "localhost:4566": expected an http\(s\) URL/,
    );
  });

  it("the local stage cannot emulate arm64", () => {
    expect(() => resolveBenchConfig({}, { architectures: ["arm64"] })).toThrow(/cannot emulate arm64/);
  });

  it("direct-invoke settings merge field by field, a bare payload has weight 1", () => {
    const file = validateConfigLayer(
      { mode: "direct", payload: [{ payload: { a: 1 }, weight: 3 }, { payload: { b: 2 } }] },
      "bench.json",
    );
    const flags = validateConfigLayer({ invocations: 10, parallel: 5 }, "flags");
    const config = resolveBenchConfig(file, flags);
    expect(config.direct.payloads).toEqual([
      { payload: { a: 1 }, weight: 3 },
      { payload: { b: 2 }, weight: 1 },
    ]);
    expect(config.direct.invocations).toBe(10);
    expect(config.direct.parallelism).toBe(5);
    expect(validateConfigLayer({ payload: { operation: "ping" } }, "f").direct?.payloads).toEqual([
      { payload: { operation: "ping" }, weight: 1 },
    ]);
    expect(() => validateConfigLayer({ payload: [{ payload: 1, weight: -1 }] }, "f")).toThrow(
      /f.payload\[0\].weight/,
    );
    expect(() => validateConfigLayer({ num: 5 }, "f")).toThrow('f: unknown key "num"');
  });
});

describe("rounds and the cold-start rate", () => {
  it("takes rounds from the file and the flags (flags win), 1 by default, API mode only", () => {
    expect(BENCH_DEFAULTS.rounds).toBe(1);
    expect(resolveBenchConfig(validateConfigLayer({ rounds: 3 }, "bench.json"), {}).rounds).toBe(3);
    expect(resolveBenchConfig({ rounds: 3 }, validateConfigLayer({ rounds: 2 }, "flag")).rounds).toBe(2);
    expect(() => validateConfigLayer({ rounds: 0 }, "bench.json")).toThrow(
      /invalid bench\.json\.rounds 0: expected an integer from 1 to 20/,
    );
    expect(() => resolveBenchConfig({}, { rounds: 2, mode: "direct" })).toThrow(/rounds.*1 in direct mode/);
  });

  it('takes a cold-start rate or "measured"; absent means the documented default', () => {
    expect(BENCH_DEFAULTS.coldStartRate).toBeUndefined();
    expect(validateConfigLayer({ coldStartRate: "measured" }, "flag").coldStartRate).toBe("measured");
    expect(validateConfigLayer({ coldStartRate: 0.001 }, "flag").coldStartRate).toBe(0.001);
    expect(() => validateConfigLayer({ coldStartRate: "often" }, "bench.json")).toThrow(
      /invalid bench\.json\.coldStartRate "often": expected a number from 0 to 1 \(0\.01 = 1 % of requests\), or "measured"/,
    );
  });
});

describe("direct-mode parity with aws-lambda-power-tuning", () => {
  it("discardTopBottom defaults to power-tuning's 0.2 in direct mode, 0 in API mode; a given value wins", () => {
    expect(resolveBenchConfig({}, {}).discardTopBottom).toBe(0);
    expect(resolveBenchConfig({}, { mode: "direct" }).discardTopBottom).toBe(0.2);
    expect(resolveBenchConfig({ discardTopBottom: 0 }, { mode: "direct" }).discardTopBottom).toBe(0);
  });

  it("takes powerValues ALL, the balanced cost term, the cold-start rate and count", () => {
    const layer = validateConfigLayer(
      { memory: "ALL", balancedCostTerm: "lambda-compute", coldStartRate: 0.01, coldStarts: 3 },
      "bench.json",
    );
    expect(layer.memoryMb).toHaveLength(46);
    expect(layer).toMatchObject({ balancedCostTerm: "lambda-compute", coldStartRate: 0.01, coldStarts: 3 });
    expect(() => validateConfigLayer({ coldStartRate: 2 }, "bench.json")).toThrow(
      /bench\.json\.coldStartRate/,
    );
    expect(() => validateConfigLayer({ balancedCostTerm: "gb" }, "bench.json")).toThrow(
      /total, lambda-compute/,
    );
  });
});

describe("docs/bench.aws.example.json", () => {
  it("is a valid config file", async () => {
    const { readFileSync } = await import("node:fs");
    const raw = JSON.parse(
      readFileSync(new URL("../../docs/bench.aws.example.json", import.meta.url), "utf8"),
    );
    const config = resolveBenchConfig(validateConfigLayer(raw, "docs/bench.aws.example.json"), {});
    expect(config.stage).toBe("aws");
    expect(config.aws?.stackName).toBe("powerbench");
  });
});
