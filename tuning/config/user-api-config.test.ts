/**
 * The bench config and flags that point a run at the user's own API: --template, --workload, --k6-script,
 * --collection, --environment (config fields of the same names in camelCase), their combinations, and the
 * one-line errors when they do not fit together.
 */
import { describe, expect, it } from "vitest";
import { resolveBenchConfig, validateConfigLayer } from "./bench-config.ts";

describe("the user's API in the bench config", () => {
  it("takes the flags and the config fields, flags over the file", () => {
    // The flags as scripts/bench-args.ts maps them (its test holds the mapping).
    const flags = {
      template: "app/template.yaml",
      workload: "app/workload.yaml",
      collection: "app/c.json",
      environment: "app/e.json",
    };
    const file = validateConfigLayer({ workload: "other.yaml", template: "t.yaml" }, "bench.json");
    const config = resolveBenchConfig(file, flags);
    expect(config).toMatchObject({
      template: "app/template.yaml",
      workload: "app/workload.yaml",
      collection: "app/c.json",
      environment: "app/e.json",
    });
    expect(resolveBenchConfig(file, {}).workload).toBe("other.yaml");
    expect(resolveBenchConfig({}, { k6Script: "my-test.ts" }).k6Script).toBe("my-test.ts");
  });

  it("refuses combinations that cannot run, naming the field", () => {
    expect(() => resolveBenchConfig({}, { workload: "w.yaml", k6Script: "t.ts" })).toThrow(
      /invalid k6Script .*either a workload file \(--workload\) or a k6 script \(--k6-script\), not both/,
    );
    expect(() => resolveBenchConfig({}, { workload: "w.yaml", mode: "direct" })).toThrow(/invalid mode/);
    expect(() => resolveBenchConfig({}, { k6Script: "t.ts", engine: "builtin" })).toThrow(
      /invalid engine .*k6 or auto with --k6-script/,
    );
    expect(() => resolveBenchConfig({}, { environment: "e.json" })).toThrow(
      /invalid environment .*a --collection it belongs to/,
    );
    expect(() => validateConfigLayer({ workload: "" }, "bench.json")).toThrow(
      'invalid bench.json.workload "": expected a non-empty string',
    );
  });
});
