/**
 * A k6-operator `TestRun` manifest (apiVersion k6.io/v1alpha1) for the CRUD scenario, for load beyond one
 * machine: k6-operator starts `parallelism` k6 runners, each with an equal execution segment of the same
 * scenario. The scenario imports our pure modules, so it travels as a `k6 archive` (a .tar with every module)
 * in a ConfigMap. Render only: scripts/k6-operator.ts prints or writes it.
 */

import { ConfigError } from "../../errors.ts";
import { PROFILE_NAMES } from "../../profiles.ts";
import { parseSeed } from "../../seed.ts";

export interface TestRunInput {
  /** API base URL the runners load. */
  target: string;
  profile: string;
  /** Number of k6 runner pods. */
  parallelism: number;
  /** metadata.name. @default "powerbench-<profile>" */
  name?: string;
  namespace?: string;
  /** ConfigMap holding the archive. @default "powerbench-k6" */
  configMap?: string;
  /** File name of the archive in the ConfigMap. @default "powerbench-crud.tar" */
  file?: string;
  /** Runner image. @default "grafana/k6:latest" */
  image?: string;
  ratePerSec?: number;
  durationMs?: number;
  seed?: number;
  /** Runner pods on different nodes. @default false */
  separate?: boolean;
}

export const TESTRUN_DEFAULTS = {
  configMap: "powerbench-k6",
  file: "powerbench-crud.tar",
  image: "grafana/k6:latest",
} as const;

/**
 * The `-e` variables of the scenario, as `k6 archive` and the runners get them. Every runner gets the same
 * SEED: the scenario mixes each runner's execution segment into it (k6VuIdentity), so runners differ.
 */
function scenarioVars(input: TestRunInput): Array<[string, string]> {
  const vars: Array<[string, string]> = [
    ["TARGET", input.target],
    ["PROFILE", input.profile],
  ];
  if (input.ratePerSec !== undefined) vars.push(["RATE", String(input.ratePerSec)]);
  if (input.durationMs !== undefined) vars.push(["DURATION_MS", String(input.durationMs)]);
  if (input.seed !== undefined) vars.push(["SEED", String(input.seed)]);
  return vars;
}

const flags = (vars: Array<[string, string]>) => vars.map(([k, v]) => `-e ${k}=${v}`).join(" ");

/**
 * The commands that build the archive and the ConfigMap the manifest refers to. `k6 archive` runs the
 * scenario's init code (which reads TARGET and PROFILE), so it gets the same variables.
 */
export function archiveCommands(input: TestRunInput): string[] {
  const file = input.file ?? TESTRUN_DEFAULTS.file;
  const ns = input.namespace ? ` -n ${input.namespace}` : "";
  return [
    `k6 archive ${flags(scenarioVars(input))} -O ${file} loadtests/engines/k6/scenarios/crud.ts`,
    `kubectl create configmap ${input.configMap ?? TESTRUN_DEFAULTS.configMap}${ns} --from-file=${file}`,
  ];
}

/** The TestRun manifest as a plain object (serialise it as YAML or JSON). */
export function renderTestRun(input: TestRunInput): Record<string, unknown> {
  if (!Number.isInteger(input.parallelism) || input.parallelism < 1) {
    throw new ConfigError(
      "--parallelism",
      `expected a whole number ≥ 1, got ${JSON.stringify(input.parallelism)}`,
    );
  }
  if (!(PROFILE_NAMES as readonly string[]).includes(input.profile)) {
    throw new ConfigError("--profile", `expected one of ${PROFILE_NAMES.join(", ")}, got "${input.profile}"`);
  }
  if (!/^https?:\/\/\S+$/.test(input.target)) {
    throw new ConfigError(
      "--target",
      `expected the API base URL like https://abc.execute-api.eu-west-1.amazonaws.com/prod, got "${input.target}"`,
    );
  }
  if (input.seed !== undefined) parseSeed(String(input.seed));
  const name = input.name ?? `powerbench-${input.profile}`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new ConfigError(
      "--name",
      `expected a Kubernetes name (lowercase letters, digits, '-'), got "${name}"`,
    );
  }
  const vars = scenarioVars(input);
  // Each runner writes its own summary; the rate and VU caps are split across runners by execution segments.
  vars.push(["POWERBENCH_RESULT", "/tmp/powerbench-result.json"]);
  const metadata: Record<string, string> = { name };
  if (input.namespace) metadata["namespace"] = input.namespace;
  return {
    apiVersion: "k6.io/v1alpha1",
    kind: "TestRun",
    metadata,
    spec: {
      parallelism: input.parallelism,
      separate: input.separate ?? false,
      script: {
        configMap: {
          name: input.configMap ?? TESTRUN_DEFAULTS.configMap,
          file: input.file ?? TESTRUN_DEFAULTS.file,
        },
      },
      arguments: flags(vars),
      runner: { image: input.image ?? TESTRUN_DEFAULTS.image },
      cleanup: "post",
    },
  };
}
