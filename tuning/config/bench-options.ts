/**
 * Every option of `npm run bench` in one table (pure): its flag, its config-file key (the flag's name in
 * camelCase), the JSON Schema of its value, its default and its help. The flag parser (scripts/bench-args.ts),
 * the config-file validator (tuning/config/bench-config.ts), `--help`, the committed JSON Schema
 * (tuning/config/bench-config.schema.json) and docs/config.md all derive from it; tests hold the committed
 * files equal to what `renderBenchConfigSchema()` and `renderConfigDoc()` return.
 * Regenerate both with `npx tsx scripts/bench-config-docs.ts`.
 */
import { ENGINE_CHOICES } from "../../loadtests/engines/names.ts";
import { MAX_SEED } from "../../loadtests/seed.ts";
import { STRATEGY_NAMES } from "../core/strategies.ts";
import { editDistance } from "./edit-distance.ts";
import { DEFAULT_MEMORY_MB } from "./plan.ts";

/** A JSON Schema fragment (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

/** How a flag's text becomes the key's JSON value: as is, a number, a comma-separated list, or a switch. */
export type FlagValue = "string" | "number" | "list" | "boolean" | "json";

export interface BenchOption {
  /** Schema of the value in a config file; `null` for a flag-only option (it has no key). */
  schema: JsonSchema | null;
  flag: FlagValue;
  /** Placeholder of the flag's value in --help, e.g. "<ms>". */
  value?: string;
  help: string;
  /** Default as it is written in a config file (also the schema's `default`). */
  default?: unknown;
  /** What a bad value should have been, when the schema alone says it badly. */
  expected?: string;
  /** Why a flag-only option has no key (docs/config.md). */
  flagOnly?: string;
  /** A key with no flag (it describes the stage, not one run). */
  fileOnly?: boolean;
}

const text = { type: "string", minLength: 1 } as const;
const url = { type: "string", pattern: "^https?://[^/]" } as const;
const number = (minimum: number, maximum: number) => ({ type: "number", minimum, maximum });
const integer = (minimum: number, maximum: number) => ({ type: "integer", minimum, maximum });
const oneOf = (...values: string[]) => ({ type: "string", enum: values });

/** Every option, in the order `--help` and docs/config.md list them. Keys are flag names. */
export const BENCH_OPTIONS = {
  stage: {
    schema: oneOf("local", "aws"),
    flag: "string",
    value: "local|aws",
    help: "where to run",
    default: "local",
  },
  config: {
    schema: null,
    flag: "string",
    value: "<file>",
    help: "JSON config file (defaults < file < flags; keys: docs/config.md)",
    flagOnly: "names the file itself",
  },
  "stack-name": {
    schema: text,
    flag: "string",
    value: "<name>",
    help: "aws stage: the CloudFormation stack to find the API, function, alias and table in",
  },
  function: {
    schema: text,
    flag: "string",
    value: "<name|arn>",
    help: "aws stage: the function (unqualified name or ARN); alone enough for --mode direct",
  },
  region: {
    schema: text,
    flag: "string",
    value: "<region>",
    help: "aws stage: region (default: AWS_REGION, then the AWS profile's region)",
  },
  "aws-profile": {
    schema: text,
    flag: "string",
    value: "<name>",
    help: "aws stage: AWS profile of ~/.aws/config (default: AWS_PROFILE); --profile is the load profile",
  },
  "endpoint-url": {
    schema: url,
    flag: "string",
    value: "<url>",
    help: "aws stage: endpoint of every AWS client (default: AWS_ENDPOINT_URL, else AWS's own)",
    expected: "an http(s) URL of the AWS endpoint, e.g. http://127.0.0.1:4566",
  },
  "api-url": {
    schema: url,
    flag: "string",
    value: "<url>",
    help: "aws stage: the API stage's URL (over the stack's ApiUrl output)",
    expected: "an http(s) URL of the deployed API stage",
  },
  alias: {
    schema: text,
    flag: "string",
    value: "<name>",
    help: 'aws stage: the alias the API invokes (default: the stack\'s, else "live")',
  },
  "table-name": {
    schema: text,
    flag: "string",
    value: "<name>",
    help: "aws stage: the DynamoDB table (over the stack's)",
  },
  "api-name": {
    schema: text,
    flag: "string",
    value: "<name>",
    help: "aws stage: the API's name, its CloudWatch metrics' dimension (default: ApiName output, else the stack name)",
  },
  "api-stage-name": {
    schema: text,
    flag: "string",
    value: "<name>",
    help: 'aws stage: the API Gateway stage (default: the stack\'s, else "prod")',
  },
  "api-type": {
    schema: oneOf("REST", "HTTP"),
    flag: "string",
    value: "REST|HTTP",
    help: "aws stage: REST API or HTTP API, priced differently (default: the stack's, else REST)",
  },
  protected: {
    schema: { type: "boolean" },
    flag: "boolean",
    help: "aws stage: a protected stage (e.g. production) runs only with --yes",
    default: false,
    fileOnly: true,
  },
  memory: {
    schema: {
      oneOf: [
        { type: "array", items: integer(128, 10240), minItems: 1 },
        { type: "string", minLength: 1 },
      ],
    },
    flag: "string",
    value: "<list>",
    help: 'memory sizes in MB: "128,512" or ranges "128-1024:128"',
    default: [...DEFAULT_MEMORY_MB],
    expected: 'a list of memory sizes from 128 to 10240 MB, e.g. [128, 512, 1024] or "128-1024:128"',
  },
  arch: {
    schema: { type: "array", items: oneOf("x86_64", "arm64"), minItems: 1, uniqueItems: true },
    flag: "list",
    value: "<list>",
    help: "architectures: x86_64,arm64 (arm64 on AWS only)",
    default: ["x86_64"],
    expected: 'a list of architectures, e.g. ["x86_64", "arm64"]',
  },
  profile: {
    schema: text,
    flag: "string",
    value: "<name>",
    help: "load profile: smoke, baseline, ramp, spike, soak",
    default: "baseline",
  },
  rate: {
    schema: number(0.1, 100_000),
    flag: "number",
    value: "<req/s>",
    help: "measured load rate (overrides the profile)",
  },
  duration: {
    schema: number(1, 3600),
    flag: "number",
    value: "<s>",
    help: "measured load per setting (overrides the profile; the default 6 s goes with the default profile)",
    default: 6,
  },
  warmup: {
    schema: number(0, 600),
    flag: "number",
    value: "<s>",
    help: "warm-up load per setting, not counted",
    default: 1,
  },
  rounds: {
    schema: integer(1, 20),
    flag: "number",
    value: "<n>",
    help: "measure each setting in n shorter rounds in rotating order (the duration split between them)",
    default: 1,
  },
  engine: {
    schema: oneOf(...ENGINE_CHOICES),
    flag: "string",
    value: ENGINE_CHOICES.join("|"),
    help: "load engine; auto = k6 when installed",
    default: "auto",
  },
  "no-gate": {
    schema: { type: "boolean" },
    flag: "boolean",
    help: "skip the Newman functional gate at each setting",
    default: false,
  },
  "max-error-rate": {
    schema: number(0, 1),
    flag: "number",
    value: "<0-1>",
    help: "a setting over this client error rate fails",
    default: 0.01,
  },
  "slo-p99": {
    schema: number(0.001, 900_000),
    flag: "number",
    value: "<ms>",
    help: "SLO p99 latency target for the slo strategy",
  },
  "slo-error-rate": {
    schema: number(0, 1),
    flag: "number",
    value: "<0-1>",
    help: "SLO error-rate target for the slo strategy",
  },
  "balanced-weight": {
    schema: number(0, 1),
    flag: "number",
    value: "<0-1>",
    help: "balanced strategy: 1 = cost only, 0 = speed only",
    default: 0.5,
  },
  "discard-top-bottom": {
    schema: number(0, 0.49),
    flag: "number",
    value: "<0-0.49>",
    help: "power-tuning's trimmed-mean figure beside the cost (discardTopBottom; direct mode: 0.2)",
    default: 0,
  },
  "balanced-cost-term": {
    schema: oneOf("total", "lambda-compute"),
    flag: "string",
    value: "total|lambda-compute",
    help: "balanced strategy's cost: the whole bill, or Lambda compute only (power-tuning's)",
    default: "total",
  },
  "cold-start-rate": {
    schema: { anyOf: [number(0, 1), { const: "measured" }] },
    flag: "number",
    value: "<0-1|measured>",
    help: "cold starts per request INIT is priced at, or the rate measured at each setting (default 0.01)",
    expected: 'a number from 0 to 1 (0.01 = 1 % of requests), or "measured"',
  },
  "cold-starts": {
    schema: integer(0, 20),
    flag: "number",
    value: "<n>",
    help: "deliberate cold starts per setting that measure INIT (fresh versions)",
    default: 2,
  },
  capacity: {
    schema: oneOf("auto", "cap", "off"),
    flag: "string",
    value: "auto|cap|off",
    help: "local stage: at most as many invocations at once as the host's cores less one (for the front, dynalite and the load engine) give their CPU shares, the stage and the environments pinned to separate CPUs (docs/fidelity.md); cap: without pinning; off: no limit",
    default: "auto",
  },
  "idle-fill": {
    schema: oneOf("on", "off"),
    flag: "string",
    value: "on|off",
    help: 'local stage with --capacity auto: keep the CPUs from idling (a CPU latency request of 0 µs where the stage may make it, else a SCHED_IDLE busy loop per environment CPU), so a throttled environment\'s CPU slices start on a running core as on a Lambda host, not on one waking from idle (docs/fidelity.md, "Idle cores"); off: let them idle',
    default: "on",
  },
  "auto-apply": {
    schema: oneOf(...STRATEGY_NAMES),
    flag: "string",
    value: "<strategy>",
    help: "point the alias at this strategy's pick at the end (opt-in)",
  },
  out: {
    schema: text,
    flag: "string",
    value: "<dir>",
    help: "output folder",
    default: "reports/out",
  },
  baseline: {
    schema: text,
    flag: "string",
    value: "<results.json|dir>",
    help: "compare with a run of the same stage, mode and profile; a significant regression exits 2",
  },
  seed: {
    schema: integer(0, MAX_SEED),
    flag: "number",
    value: "<n>",
    help: "seed of the workload's random choices",
    default: 1,
  },
  mode: {
    schema: oneOf("api", "direct"),
    flag: "string",
    value: "api|direct",
    help: "load through the API, or Lambda Invoke with payloads",
    default: "api",
  },
  payload: {
    schema: {},
    flag: "json",
    value: "<json|@file>",
    help: "direct mode: event, or a list of {payload, weight}",
    default: { operation: "ping" },
  },
  invocations: {
    schema: integer(1, 100_000),
    flag: "number",
    value: "<n>",
    help: "direct mode: invocations per setting",
    default: 50,
  },
  parallel: {
    schema: integer(1, 1000),
    flag: "number",
    value: "<n>",
    help: "direct mode: invocations in flight at once",
    default: 1,
  },
  sleep: {
    schema: integer(0, 600_000),
    flag: "number",
    value: "<ms>",
    help: "direct mode: pause between invocations",
    default: 0,
  },
  "only-cold-starts": {
    schema: { type: "boolean" },
    flag: "boolean",
    help: "direct mode: every invocation on a new execution environment",
    default: false,
  },
  "allowed-errors": {
    schema: { type: "array", items: text },
    flag: "list",
    value: "<types>",
    help: "direct mode: function error types that do not fail a setting",
    expected: 'a list of error type names, e.g. ["Sandbox.Timedout"]',
  },
  "price-table": {
    schema: text,
    flag: "string",
    value: "<file.json>",
    help: "your own price table (the format of tuning/core/prices/snapshot.json) instead of the snapshot",
  },
  "monthly-requests": {
    schema: integer(1, 1e15),
    flag: "number",
    value: "<n>",
    help: "price at the tier this monthly request volume reaches (default: first tiers)",
  },
  "free-tier": {
    schema: { type: "boolean" },
    flag: "boolean",
    help: "count the always-free allowances as a $0 first tier (needs --monthly-requests)",
    default: false,
  },
  template: {
    schema: text,
    flag: "string",
    value: "<template.yaml>",
    help: "local stage: deploy this SAM template (your API) instead of service/template.yaml",
  },
  workload: {
    schema: text,
    flag: "string",
    value: "<file>",
    help: "workload file (YAML/JSON, docs/workload.md) replayed at every setting; default: the bundled CRUD one",
  },
  "k6-script": {
    schema: text,
    flag: "string",
    value: "<script>",
    help: "run your own k6 script at every setting (-e BASE_URL, MEMORY_MB, SETTING_ID, SEED)",
  },
  collection: {
    schema: text,
    flag: "string",
    value: "<file>",
    help: "Postman collection that replaces the functional gate",
  },
  environment: {
    schema: text,
    flag: "string",
    value: "<file>",
    help: "Postman environment for --collection",
  },
  "dry-run": {
    schema: null,
    flag: "boolean",
    help: "print the plan, the requests, the estimated AWS cost and wall time; change nothing",
    flagOnly: "a decision for one invocation: a file that says dry-run would hide that a run changes nothing",
  },
  quick: {
    schema: { type: "boolean" },
    flag: "boolean",
    help: "CI preset: 3 settings, short smoke load",
    default: false,
  },
  json: {
    schema: { type: "boolean" },
    flag: "boolean",
    help: "print the results path and recommendations as JSON",
    default: false,
  },
  yes: {
    schema: null,
    flag: "boolean",
    help: "confirm a run against a protected stage, or a sweep above 24 settings or 20 minutes",
    flagOnly: "a confirmation is typed for each run; a file that confirms would defeat `protected`",
  },
  restore: {
    schema: null,
    flag: "string",
    value: "[journal]",
    help: "put a function back from the journal of a run that did not finish (SIGKILL, lost network) and delete the versions it published; without a path: the one unfinished run",
    flagOnly: "a different command: it repairs an interrupted run instead of running one",
  },
  force: {
    schema: null,
    flag: "boolean",
    help: "start even though an unfinished run's journal says the function was changed, taking it as it is now as the original",
    flagOnly: "overrides a safety check for one invocation",
  },
} as const satisfies Record<string, BenchOption>;

export type BenchFlagName = keyof typeof BENCH_OPTIONS;

/** "--price-table" → "priceTable": a flag's config-file key. */
export function keyOfFlag(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

const ENTRIES = Object.entries(BENCH_OPTIONS) as [string, BenchOption][];

/** The config file's keys, each with its flag name and option (flag-only options excluded). */
export const CONFIG_KEYS: ReadonlyMap<string, { flag: string; option: BenchOption }> = new Map(
  ENTRIES.filter(([, o]) => o.schema !== null).map(([flag, option]) => [keyOfFlag(flag), { flag, option }]),
);

/** The old (internal, nested) names of config files before issue 18, and what replaces them. */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  memoryMb: "memory",
  architectures: "arch",
  ratePerSec: "rate",
  durationS: "duration",
  warmupS: "warmup",
  gate: "noGate",
  outDir: "out",
  aws: "top-level keys: stackName, function, region, awsProfile, endpointUrl, apiUrl, alias, tableName, apiName, apiStageName, apiType, protected",
  direct: "top-level keys: payload, invocations, parallel, sleep, onlyColdStarts, allowedErrors",
  slo: "top-level keys: sloP99, sloErrorRate",
  dryRun: "the flag --dry-run only",
  yes: "the flag --yes only",
};

/** The message for a key from before issue 18, or undefined when `key` was never a key. */
export function renamedKeyMessage(key: string): string | undefined {
  const now = RENAMED_KEYS[key];
  if (now === undefined || now === key) return undefined;
  if (now.startsWith("top-level")) return `${key} is now ${now} (the flags' names)`;
  if (now.startsWith("the flag")) return `${key} is now ${now} (not a config key)`;
  if (key === "gate") return `gate is now "noGate" (the flag's name; true skips the gate)`;
  return `${key} is now "${now}" (the flag's name)`;
}

/** The known key closest to an unknown one, when it is close enough to be a typo. */
export function closestKey(unknown: string): string | undefined {
  let best: { key: string; d: number } | undefined;
  for (const key of CONFIG_KEYS.keys()) {
    const d = editDistance(unknown.toLowerCase(), key.toLowerCase());
    if (!best || d < best.d) best = { key, d };
  }
  return best && best.d <= Math.max(2, Math.floor(unknown.length / 3)) ? best.key : undefined;
}

/** What a value of `option` must be, in words, for the one-line error. */
export function expectedOf(option: BenchOption): string {
  if (option.expected) return option.expected;
  const s = option.schema ?? {};
  if (Array.isArray(s.enum)) return `one of ${s.enum.join(", ")}`;
  if (s.type === "integer") return `an integer from ${s.minimum} to ${s.maximum}`;
  if (s.type === "number") return `a number from ${s.minimum} to ${s.maximum}`;
  if (s.type === "boolean") return "true or false";
  if (s.type === "string") return "a non-empty string";
  return "a JSON value";
}

/** The JSON Schema of the config file (draft 2020-12), every key documented with its flag and default. */
export function benchConfigSchema(): JsonSchema {
  const properties: Record<string, JsonSchema> = {
    $schema: { type: "string", description: "path or URL of this schema, for editor completion" },
  };
  for (const [key, { flag, option }] of CONFIG_KEYS) {
    const from = option.fileOnly ? "config file only" : `flag --${flag}`;
    properties[key] = {
      ...option.schema,
      description: `${option.help} (${from})`,
      ...(option.default === undefined ? {} : { default: option.default }),
    };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://github.com/powerbench/powerbench/tuning/config/bench-config.schema.json",
    title: "powerbench bench config",
    description:
      "The --config file of `npm run bench`: each key is a flag's name in camelCase (docs/config.md). Generated from tuning/config/bench-options.ts.",
    type: "object",
    properties,
    additionalProperties: false,
  };
}

/** The committed schema file's text. */
export function renderBenchConfigSchema(): string {
  return `${JSON.stringify(benchConfigSchema(), null, 2)}\n`;
}

function typeOf(option: BenchOption): string {
  const s = option.schema ?? {};
  if (Array.isArray(s.enum)) return s.enum.map((v) => `\`"${v}"\``).join(" \\| ");
  if (s.oneOf) return 'list of integers, or a string like `"128-1024:128"`';
  if (s.type === "array") return "list";
  if (s.type === "integer" || s.type === "number") return `${s.type} ${s.minimum}–${s.maximum}`;
  if (s.pattern) return "http(s) URL";
  return typeof s.type === "string" ? s.type : "any JSON";
}

/** docs/config.md: generated from the table, held equal to the committed file by a test. */
export function renderConfigDoc(): string {
  const rows = [...CONFIG_KEYS].map(([key, { flag, option }]) => {
    const shown = option.default === undefined ? "—" : `\`${JSON.stringify(option.default)}\``;
    const flagCell = option.fileOnly ? "— (file only)" : `\`--${flag}\``;
    return `| \`${key}\` | ${flagCell} | ${typeOf(option)} | ${shown} | ${option.help.replaceAll("|", "\\|")} |`;
  });
  const flagOnly = ENTRIES.filter(([, o]) => o.schema === null).map(
    ([flag, o]) => `- \`--${flag}\`: ${o.flagOnly}.`,
  );
  const renamed = Object.keys(RENAMED_KEYS)
    .map((key) => [key, renamedKeyMessage(key)] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
    .map(([key, message]) => `| \`${key}\` | ${message.slice(key.length + 1)} |`);
  return [
    "# The bench config file",
    "",
    "<!-- Generated by `npx tsx scripts/bench-config-docs.ts` from tuning/config/bench-options.ts; a test holds it equal. -->",
    "",
    "`npm run bench -- --config bench.json` reads a JSON object whose keys are the flags' names in camelCase",
    "(`--memory` → `memory`, `--price-table` → `priceTable`, `--no-gate` → `noGate`). Precedence: defaults <",
    "file < flags. One JSON Schema, [tuning/config/bench-config.schema.json](../tuning/config/bench-config.schema.json),",
    "validates the file and documents every key; `--help` and this page come from the same table. A bad value or",
    "an unknown key is one error line naming the key and what it expects (`invalid bench.json.memory [64]: expected",
    '…`, `… did you mean "memory"?`).',
    "",
    "For completion in an editor, point `$schema` at the schema, by a path relative to the config file (editors",
    "such as VS Code read it; powerbench ignores the key). From `docs/`, as [bench.aws.example.json](bench.aws.example.json)",
    "does:",
    "",
    "```json",
    "{",
    '  "$schema": "../tuning/config/bench-config.schema.json",',
    '  "memory": [128, 512, 1024],',
    '  "rate": 20',
    "}",
    "```",
    "",
    "## Keys",
    "",
    "| key | flag | value | default | meaning |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    "## Flag-only options",
    "",
    "These flags have no key, on purpose:",
    "",
    ...flagOnly,
    "",
    "## Renamed keys",
    "",
    "Config files written before the keys took the flags' names fail with one line naming the new key:",
    "",
    "| old key | now |",
    "| --- | --- |",
    ...renamed,
    "",
  ].join("\n");
}
