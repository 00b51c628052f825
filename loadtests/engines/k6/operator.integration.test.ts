import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseSeed } from "../../seed.ts";
import { archiveCommands, renderTestRun } from "./operator.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const target = "https://abc.execute-api.eu-west-1.amazonaws.com/prod";

describe("k6-operator TestRun manifest", () => {
  it("has the TestRun fields: parallelism, script from a ConfigMap, -e arguments for the same scenario", () => {
    const manifest = renderTestRun({
      target,
      profile: "ramp",
      parallelism: 4,
      ratePerSec: 2000,
      namespace: "load",
    });
    expect(manifest).toMatchObject({
      apiVersion: "k6.io/v1alpha1",
      kind: "TestRun",
      metadata: { name: "powerbench-ramp", namespace: "load" },
      spec: {
        parallelism: 4,
        script: { configMap: { name: "powerbench-k6", file: "powerbench-crud.tar" } },
        runner: { image: "grafana/k6:latest" },
      },
    });
    const args = (manifest["spec"] as { arguments: string }).arguments;
    expect(args).toContain(`-e TARGET=${target}`);
    expect(args).toContain("-e PROFILE=ramp");
    expect(args).toContain("-e RATE=2000");
    expect(archiveCommands({ target, profile: "ramp", parallelism: 4 })[0]).toMatch(
      /^k6 archive -e TARGET=\S+ -e PROFILE=ramp -O powerbench-crud\.tar loadtests\/engines\/k6\/scenarios\/crud\.ts$/,
    );
  });

  it("rejects a bad parallelism, profile or target", () => {
    expect(() => renderTestRun({ target, profile: "ramp", parallelism: 0 })).toThrow(
      /invalid --parallelism: expected a whole number ≥ 1, got 0/,
    );
    expect(() => renderTestRun({ target, profile: "hammer", parallelism: 2 })).toThrow(/invalid --profile/);
    expect(() => renderTestRun({ target: "abc", profile: "smoke", parallelism: 2 })).toThrow(
      /invalid --target/,
    );
    for (const seed of [-1, 1.5, Number.NaN]) {
      expect(() => renderTestRun({ target, profile: "smoke", parallelism: 2, seed })).toThrow(
        /invalid --seed: expected a whole number from 0 to 4294967295/,
      );
    }
  });

  it("--seed must be a whole number from 0 to 2^32 - 1, as for npm run loadtest", () => {
    expect(parseSeed("42")).toBe(42);
    expect(parseSeed("0")).toBe(0);
    expect(parseSeed("4294967295")).toBe(4294967295);
    for (const text of ["x", "", " ", "-1", "1.5", "NaN", "Infinity", "4294967296"]) {
      expect(() => parseSeed(text)).toThrow(
        `invalid --seed: expected a whole number from 0 to 4294967295, got "${text}"`,
      );
    }
  });

  it("npm run k6-operator prints a YAML TestRun (real process)", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/k6-operator.ts",
        "--target",
        target,
        "--parallelism",
        "3",
        "--duration",
        "5m",
      ],
      { cwd: root, encoding: "utf8" },
    );
    expect(run.status).toBe(0);
    const doc = parse(run.stdout) as { kind: string; spec: { parallelism: number; arguments: string } };
    expect(doc.kind).toBe("TestRun");
    expect(doc.spec.parallelism).toBe(3);
    expect(doc.spec.arguments).toContain("-e DURATION_MS=300000");
    const bad = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/k6-operator.ts", "--parallelism", "2"],
      {
        cwd: root,
        encoding: "utf8",
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/invalid --target/);
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", "scripts/k6-operator.ts", "--target", target, ...args],
        {
          cwd: root,
          encoding: "utf8",
        },
      );
    const badSeed = cli("--seed", "x");
    expect(badSeed.status).toBe(1);
    expect(badSeed.stdout).toBe("");
    expect(badSeed.stderr).toMatch(
      /k6-operator: invalid --seed: expected a whole number from 0 to 4294967295, got "x"/,
    );
    const seeded = cli("--seed", "42");
    expect(seeded.status).toBe(0);
    expect((parse(seeded.stdout) as { spec: { arguments: string } }).spec.arguments).toContain("-e SEED=42");
  });
});
