import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateConfigLayer } from "../tuning/config/bench-config.ts";
import { BENCH_OPTIONS, type BenchOption, CONFIG_KEYS, keyOfFlag } from "../tuning/config/bench-options.ts";
import { BENCH_FLAGS, benchUsage, parseBenchArgs } from "./bench-args.ts";

describe("bench flags", () => {
  it("maps flags onto config fields", () => {
    const parsed = parseBenchArgs([
      "--memory",
      "128,512",
      "--profile",
      "smoke",
      "--no-gate",
      "--slo-p99",
      "250",
      "--quick",
      "--config",
      "bench.json",
      "--invocations",
      "20",
      "--allowed-errors",
      "Sandbox.Timedout, Runtime.OutOfMemory",
    ]);
    expect(parsed.configPath).toBe("bench.json");
    expect(parsed.flags).toMatchObject({
      memoryMb: [128, 512],
      profile: "smoke",
      gate: false,
      quick: true,
      slo: { p99Ms: 250 },
      direct: { invocations: 20, allowedErrorTypes: ["Sandbox.Timedout", "Runtime.OutOfMemory"] },
    });
  });

  it("maps the flags that point a run at the user's own API (tuning/config/user-api-config.test.ts resolves them)", () => {
    const parsed = parseBenchArgs([
      "--template",
      "app/template.yaml",
      "--workload",
      "app/workload.yaml",
      "--collection",
      "app/c.json",
      "--environment",
      "app/e.json",
    ]);
    expect(parsed.flags).toEqual({
      template: "app/template.yaml",
      workload: "app/workload.yaml",
      collection: "app/c.json",
      environment: "app/e.json",
    });
    expect(parseBenchArgs(["--k6-script", "my-test.ts"]).flags).toEqual({ k6Script: "my-test.ts" });
  });

  it("maps the aws stage's flags; --aws-profile is the AWS profile, --profile stays the load profile", () => {
    const parsed = parseBenchArgs([
      "--stage",
      "aws",
      "--stack-name",
      "my-api",
      "--function",
      "arn:aws:lambda:eu-west-1:123456789012:function:orders",
      "--region",
      "eu-west-1",
      "--aws-profile",
      "dev",
      "--endpoint-url",
      "http://127.0.0.1:4566/",
      "--profile",
      "smoke",
    ]);
    expect(parsed.flags).toMatchObject({
      stage: "aws",
      profile: "smoke",
      aws: {
        stackName: "my-api",
        functionName: "arn:aws:lambda:eu-west-1:123456789012:function:orders",
        region: "eu-west-1",
        awsProfile: "dev",
        endpointUrl: "http://127.0.0.1:4566",
      },
    });
    expect(() => parseBenchArgs(["--function", "orders:live"])).toThrow(
      /^invalid --function "orders:live": expected an unqualified function name or ARN, but it is qualified with "live"/,
    );
  });

  it("names the flag the user typed when its value is bad", () => {
    expect(() => parseBenchArgs(["--memory", "64"])).toThrow(
      'invalid --memory "64": expected an integer from 128',
    );
    expect(() => parseBenchArgs(["--slo-p99", "-5"])).toThrow(/--slo-p99/);
    expect(() => parseBenchArgs(["--engine", "jmeter"])).toThrow(
      'invalid --engine "jmeter": expected one of auto, builtin, k6',
    );
  });

  it("rejects unknown flags", () => {
    expect(() => parseBenchArgs(["--memroy", "128"])).toThrow(
      "unknown flag --memroy: did you mean --memory? (npm run bench -- --help lists the flags)",
    );
  });

  it("takes a negative number as the flag's value, so its check says what it expects", () => {
    expect(() => parseBenchArgs(["--rate", "-5"])).toThrow('invalid --rate "-5": expected');
    expect(() => parseBenchArgs(["--memory", "--rate", "5"])).toThrow("--memory needs a value");
  });

  it("the usage lists every flag, with defaults where there are some", () => {
    const usage = benchUsage();
    for (const name of Object.keys(BENCH_FLAGS)) expect(usage).toContain(`--${name}`);
    expect(usage).toContain("(default: 128,256,512,1024,1536,1769,2048,3008)");
  });
});

describe("flags and config keys: one table", () => {
  it("every flag has its config key (its name in camelCase) or is listed flag-only, with the same help", () => {
    const options = BENCH_OPTIONS as Record<string, BenchOption>;
    for (const [flag, spec] of Object.entries(BENCH_FLAGS)) {
      const option = options[flag];
      expect(option, flag).toBeDefined();
      expect(spec.help).toBe(option?.help);
      if (option?.flagOnly) expect(CONFIG_KEYS.has(keyOfFlag(flag)), flag).toBe(false);
      else expect(CONFIG_KEYS.get(keyOfFlag(flag))?.flag, flag).toBe(flag);
    }
    // And back: every key but the file-only ones is a flag.
    for (const [key, { flag, option }] of CONFIG_KEYS) {
      expect(flag in BENCH_FLAGS, key).toBe(!option.fileOnly);
    }
  });

  it("a flag and its config key give the same internal value", () => {
    const fromFlags = parseBenchArgs([
      "--memory",
      "128-512:128",
      "--arch",
      "x86_64",
      "--rate",
      "5",
      "--no-gate",
      "--slo-error-rate",
      "0.01",
      "--parallel",
      "3",
      "--api-type",
      "HTTP",
    ]).flags;
    const fromFile = validateConfigLayer(
      {
        memory: "128-512:128",
        arch: ["x86_64"],
        rate: 5,
        noGate: true,
        sloErrorRate: 0.01,
        parallel: 3,
        apiType: "HTTP",
      },
      "bench.json",
    );
    expect(fromFlags).toEqual(fromFile);
  });
});

describe("pricing flags", () => {
  it("--price-table, --monthly-requests and --free-tier set priceTable, monthlyRequests and freeTier", () => {
    const parsed = parseBenchArgs([
      "--price-table",
      "my.json",
      "--monthly-requests",
      "400000000",
      "--free-tier",
    ]);
    expect(parsed.flags).toMatchObject({
      priceTable: "my.json",
      monthlyRequests: 400_000_000,
      freeTier: true,
    });
  });

  it("names the flag when a value is bad, and --free-tier needs a monthly volume", async () => {
    expect(() => parseBenchArgs(["--monthly-requests", "lots"])).toThrow(
      'invalid --monthly-requests "lots": expected an integer from 1',
    );
    const { resolveBenchConfig } = await import("../tuning/config/bench-config.ts");
    expect(() => resolveBenchConfig({}, parseBenchArgs(["--free-tier"]).flags)).toThrow(
      "invalid freeTier true: expected a monthly volume with it: add --monthly-requests N (config: monthlyRequests)",
    );
  });
});

describe("--payload", () => {
  it("is read (inline or @file) and validated with the other flags, in one layer", () => {
    const inline = parseBenchArgs([
      "--mode",
      "direct",
      "--invocations",
      "7",
      "--payload",
      '{"operation":"list"}',
    ]);
    expect(inline.flags.direct).toEqual({
      invocations: 7,
      payloads: [{ payload: { operation: "list" }, weight: 1 }],
    });
    const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-payload-"));
    try {
      const file = path.join(dir, "payloads.json");
      writeFileSync(file, JSON.stringify([{ payload: { a: 1 }, weight: 3 }, { payload: { b: 2 } }]));
      expect(parseBenchArgs(["--payload", `@${file}`]).flags.direct?.payloads).toEqual([
        { payload: { a: 1 }, weight: 3 },
        { payload: { b: 2 }, weight: 1 },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails in one line naming --payload: not JSON, or not a payload list", () => {
    expect(() => parseBenchArgs(["--payload", "{nope"])).toThrow(
      /^invalid --payload "\{nope": expected JSON or @<file> \(/,
    );
    expect(() => parseBenchArgs(["--payload", '[{"payload":1,"weight":-1}]'])).toThrow(
      /--payload\[0\]\.weight/,
    );
  });
});
