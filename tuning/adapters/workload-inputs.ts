/**
 * The files that define a run's workload, fingerprinted for the baseline comparison (reports/compare.ts): the
 * workload file (or the bundled CRUD one), the user's k6 script, the Postman collection and environment of the
 * gate, and the SAM template the local stage deployed. Two runs that replayed different files measured
 * different workloads, even under the same profile and seed. Reads the files (an edge): run-bench and the
 * preflight call it, the comparison itself is pure.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchConfig } from "../config/bench-config.ts";
import { fnv1a32Digest } from "../core/fingerprint.ts";
import type { WorkloadInput, WorkloadInputs } from "../results/results-types.ts";

/** The bundled files a run uses when the user names none. */
export const BUNDLED_INPUTS = {
  /** @default loadtests/workload/crud.yaml */
  workload: fileURLToPath(new URL("../../loadtests/workload/crud.yaml", import.meta.url)),
  /** @default postman/powerbench.postman_collection.json */
  collection: fileURLToPath(new URL("../../postman/powerbench.postman_collection.json", import.meta.url)),
  /** @default service/template.yaml */
  template: fileURLToPath(new URL("../../service/template.yaml", import.meta.url)),
} as const;

/**
 * One file's name and fingerprint; `bundled` when it is the project's own file. Line endings are normalised
 * so a checkout with CRLF fingerprints as one with LF.
 */
export function workloadInputOf(
  file: string,
  bundled: boolean,
  readText: (file: string) => string = (f) => readFileSync(f, "utf8"),
): WorkloadInput {
  const text = readText(file).replaceAll("\r\n", "\n");
  return {
    name: path.basename(file),
    digest: fnv1a32Digest(text),
    ...(bundled ? { bundled: true } : {}),
  };
}

/**
 * The files that defined the run's workload, as the run will use them (API mode only; direct mode's payloads
 * are fingerprinted in run.load). The gate's collection only when the gate runs; the template only on the
 * local stage (a deployed stack's template is not at hand).
 * @example workloadInputsOf(config).workload // { name: "crud.yaml", digest: "fnv1a32:…", bundled: true }
 */
export function workloadInputsOf(
  config: Pick<
    BenchConfig,
    "mode" | "stage" | "gate" | "workload" | "k6Script" | "collection" | "environment" | "template"
  >,
  readText?: (file: string) => string,
): WorkloadInputs | undefined {
  if (config.mode !== "api") return undefined;
  const of = (file: string | undefined, bundled: string) =>
    workloadInputOf(file ?? bundled, file === undefined, readText);
  return {
    ...(config.k6Script !== undefined
      ? { k6Script: workloadInputOf(config.k6Script, false, readText) }
      : { workload: of(config.workload, BUNDLED_INPUTS.workload) }),
    ...(config.gate ? { collection: of(config.collection, BUNDLED_INPUTS.collection) } : {}),
    ...(config.gate && config.environment !== undefined
      ? { environment: workloadInputOf(config.environment, false, readText) }
      : {}),
    ...(config.stage === "local" ? { template: of(config.template, BUNDLED_INPUTS.template) } : {}),
  };
}
