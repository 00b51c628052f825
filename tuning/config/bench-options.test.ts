/**
 * The config's contract (issue 18, item 5): one table, one schema, and the committed schema file and
 * docs/config.md equal to what the table generates (regenerate: `npx tsx scripts/bench-config-docs.ts`).
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import {
  BENCH_OPTIONS,
  type BenchOption,
  benchConfigSchema,
  CONFIG_KEYS,
  closestKey,
  keyOfFlag,
  RENAMED_KEYS,
  renderBenchConfigSchema,
  renderConfigDoc,
} from "./bench-options.ts";

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
const regenerate = "out of date: run npx tsx scripts/bench-config-docs.ts";

describe("the bench config's one schema", () => {
  it("the committed schema file is the generated one, and a valid draft 2020-12 schema", () => {
    expect(read("tuning/config/bench-config.schema.json"), regenerate).toBe(renderBenchConfigSchema());
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
    expect(() => ajv.compile(JSON.parse(read("tuning/config/bench-config.schema.json")))).not.toThrow();
  });

  it("docs/config.md is the generated page", () => {
    expect(read("docs/config.md"), regenerate).toBe(renderConfigDoc());
  });

  it("every key is a flag's name in camelCase, documented with that flag's help and default", () => {
    const properties = benchConfigSchema().properties as Record<string, Record<string, unknown>>;
    const keyed = (Object.entries(BENCH_OPTIONS) as [string, BenchOption][]).filter(([, o]) => o.schema);
    expect(Object.keys(properties).filter((key) => key !== "$schema")).toEqual(
      keyed.map(([flag]) => keyOfFlag(flag)),
    );
    for (const [flag, option] of keyed) {
      const property = properties[keyOfFlag(flag)];
      const from = option.fileOnly ? "config file only" : `flag --${flag}`;
      expect(property?.description).toBe(`${option.help} (${from})`);
      expect(property?.default).toEqual(option.default);
    }
    expect(keyOfFlag("price-table")).toBe("priceTable");
    expect(keyOfFlag("k6-script")).toBe("k6Script");
  });

  it("flag-only options say why; renamed keys are not keys any more", () => {
    for (const [flag, option] of Object.entries(BENCH_OPTIONS) as [string, BenchOption][]) {
      expect(option.schema === null, flag).toBe(option.flagOnly !== undefined);
    }
    for (const old of Object.keys(RENAMED_KEYS)) expect(CONFIG_KEYS.has(old), old).toBe(false);
  });

  it("did you mean: the closest key for a typo, nothing for a word far from every key", () => {
    expect(closestKey("memroy")).toBe("memory");
    expect(closestKey("stackname")).toBe("stackName");
    expect(closestKey("zzzzzzzz")).toBeUndefined();
  });
});
