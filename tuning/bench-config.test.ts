import { describe, expect, it } from "vitest";
import { BENCH_DEFAULTS, QUICK_PRESET, resolveBenchConfig, validateConfigLayer } from "./bench-config.ts";

const awsSection = {
  region: "eu-west-1",
  apiUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod/",
  functionName: "powerbench-crud",
  tableName: "powerbench-items",
  apiName: "powerbench-api",
};

describe("bench config", () => {
  it("applies defaults < file < flags", () => {
    const file = validateConfigLayer({ memoryMb: [256, 1024], profile: "ramp", seed: 7 }, "bench.json");
    const flags = validateConfigLayer({ memoryMb: "128,512" }, "flags");
    const config = resolveBenchConfig(file, flags);
    expect(config.memoryMb).toEqual([128, 512]);
    expect(config.profile).toBe("ramp");
    expect(config.seed).toBe(7);
    expect(config.engine).toBe(BENCH_DEFAULTS.engine);
  });

  it("--quick sets the CI preset, explicit values still win", () => {
    const config = resolveBenchConfig({}, validateConfigLayer({ quick: true, durationS: 2 }, "flags"));
    expect(config.memoryMb).toEqual(QUICK_PRESET.memoryMb);
    expect(config.durationS).toBe(2);
  });

  it("names the bad field with what was expected", () => {
    expect(() => validateConfigLayer({ balancedWeight: 2 }, "bench.json")).toThrow(
      "invalid bench.json.balancedWeight 2: expected a number from 0 to 1",
    );
    expect(() => validateConfigLayer({ memryMb: [128] }, "bench.json")).toThrow(
      /bench.json.memryMb.*no such field/,
    );
    expect(() => validateConfigLayer({ aws: { ...awsSection, apiUrl: "ftp://x" } }, "bench.json")).toThrow(
      /bench.json.aws.apiUrl/,
    );
    expect(() => validateConfigLayer({ aws: { ...awsSection, regoin: "x" } }, "bench.json")).toThrow(
      /bench.json.aws.regoin/,
    );
    expect(() => validateConfigLayer([1], "bench.json")).toThrow(/a JSON object/);
  });

  it("the aws stage needs a stack or a described function, and a protected one needs --yes", () => {
    expect(() => resolveBenchConfig({ stage: "aws" }, {})).toThrow(
      'invalid --stage aws "aws": expected --stack-name NAME (or aws.stackName, or aws.apiUrl, aws.functionName and aws.tableName in the --config file)',
    );
    const file = validateConfigLayer({ stage: "aws", aws: { ...awsSection, protected: true } }, "bench.json");
    expect(() => resolveBenchConfig(file, {})).toThrow(/protected.*--yes/);
    const ok = resolveBenchConfig(file, { yes: true });
    // Defaults the stack may fill (alias, API stage, type) are left to the run's discovery.
    expect(ok.aws?.alias).toBeUndefined();
    expect(ok.aws?.apiUrl).toBe("https://abc123.execute-api.eu-west-1.amazonaws.com/prod");
  });

  it("--stack-name alone is enough; --function alone is enough for direct mode, not for API mode", () => {
    const stack = resolveBenchConfig(
      {},
      validateConfigLayer({ stage: "aws", aws: { stackName: "my-api" } }, "flag"),
    );
    expect(stack.aws).toEqual({ stackName: "my-api", protected: false });
    const fn = validateConfigLayer({ stage: "aws", aws: { functionName: "orders" } }, "flag");
    expect(resolveBenchConfig({ mode: "direct" }, fn).aws?.functionName).toBe("orders");
    expect(() => resolveBenchConfig({}, fn)).toThrow(/expected --stack-name NAME/);
    expect(() =>
      resolveBenchConfig({}, validateConfigLayer({ stage: "aws", mode: "direct" }, "flag")),
    ).toThrow("expected --stack-name NAME or --function NAME|ARN");
  });

  it("the aws section merges field by field: flags over the file's fields, the rest kept", () => {
    const file = validateConfigLayer(
      { stage: "aws", aws: { region: "eu-west-1", stackName: "old", protected: true } },
      "bench.json",
    );
    const flags = validateConfigLayer({ aws: { stackName: "new", awsProfile: "dev" } }, "flag");
    const config = resolveBenchConfig(file, { ...flags, yes: true });
    expect(config.aws).toEqual({ region: "eu-west-1", stackName: "new", awsProfile: "dev", protected: true });
  });

  it("a qualified function ARN is refused with the reason; unqualified names and ARNs are taken", () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
    expect(validateConfigLayer({ aws: { functionName: arn } }, "f").aws?.functionName).toBe(arn);
    expect(() => validateConfigLayer({ aws: { functionName: `${arn}:live` } }, "f")).toThrow(
      `invalid f.aws.functionName "${arn}:live": expected an unqualified function name or ARN, but it is qualified with "live" (a version or alias): the sweep publishes its own versions and points the alias itself; pass ${arn}`,
    );
    expect(() => validateConfigLayer({ aws: { functionName: "orders:7" } }, "f")).toThrow(
      /qualified with "7".*pass orders$/,
    );
    expect(() => validateConfigLayer({ aws: { endpointUrl: "localhost:4566" } }, "f")).toThrow(
      /f.aws.endpointUrl/,
    );
  });

  it("the local stage cannot emulate arm64", () => {
    expect(() => resolveBenchConfig({}, { architectures: ["arm64"] })).toThrow(/cannot emulate arm64/);
  });

  it("direct-invoke settings merge field by field, a bare payload has weight 1", () => {
    const file = validateConfigLayer(
      { mode: "direct", direct: { payloads: [{ payload: { a: 1 }, weight: 3 }, { payload: { b: 2 } }] } },
      "bench.json",
    );
    const flags = validateConfigLayer({ direct: { invocations: 10, parallelism: 5 } }, "flags");
    const config = resolveBenchConfig(file, flags);
    expect(config.direct.payloads).toEqual([
      { payload: { a: 1 }, weight: 3 },
      { payload: { b: 2 }, weight: 1 },
    ]);
    expect(config.direct.invocations).toBe(10);
    expect(config.direct.parallelism).toBe(5);
    expect(
      validateConfigLayer({ direct: { payloads: { operation: "ping" } } }, "f").direct?.payloads,
    ).toEqual([{ payload: { operation: "ping" }, weight: 1 }]);
    expect(() => validateConfigLayer({ direct: { payloads: [{ payload: 1, weight: -1 }] } }, "f")).toThrow(
      /f.direct.payloads\[0\].weight/,
    );
    expect(() => validateConfigLayer({ direct: { num: 5 } }, "f")).toThrow(/f.direct.num.*no such field/);
  });
});

describe("rounds and the cold-start rate", () => {
  it("takes rounds from the file and the flags (flags win), 1 by default, API mode only", () => {
    expect(BENCH_DEFAULTS.rounds).toBe(1);
    expect(resolveBenchConfig(validateConfigLayer({ rounds: 3 }, "bench.json"), {}).rounds).toBe(3);
    expect(resolveBenchConfig({ rounds: 3 }, validateConfigLayer({ rounds: "2" }, "flag")).rounds).toBe(2);
    expect(() => validateConfigLayer({ rounds: 0 }, "bench.json")).toThrow(
      /invalid bench\.json\.rounds 0: expected an integer from 1 to 20/,
    );
    expect(() => resolveBenchConfig({}, { rounds: 2, mode: "direct" })).toThrow(/rounds.*1 in direct mode/);
  });

  it('takes a cold-start rate or "measured"; absent means the documented default', () => {
    expect(BENCH_DEFAULTS.coldStartRate).toBeUndefined();
    expect(validateConfigLayer({ coldStartRate: "measured" }, "flag").coldStartRate).toBe("measured");
    expect(validateConfigLayer({ coldStartRate: "0.001" }, "flag").coldStartRate).toBe(0.001);
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
      { memoryMb: "ALL", balancedCostTerm: "lambda-compute", coldStartRate: 0.01, coldStarts: 3 },
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
    const raw = JSON.parse(readFileSync(new URL("../docs/bench.aws.example.json", import.meta.url), "utf8"));
    const config = resolveBenchConfig(validateConfigLayer(raw, "docs/bench.aws.example.json"), {});
    expect(config.stage).toBe("aws");
    expect(config.aws?.stackName).toBe("powerbench");
  });
});
