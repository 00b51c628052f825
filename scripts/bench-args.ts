/**
 * Flags of `npm run bench`: parsing and the usage text (render first: `benchUsage()` returns a string).
 * Unknown or invalid flags are errors that name the flag (scripts/command.ts); the usage is printed on --help only.
 */
import {
  BENCH_DEFAULTS,
  type BenchConfigLayer,
  DIRECT_DEFAULTS,
  validateConfigLayer,
} from "../tuning/bench-config.ts";
import { InvalidSweepOptionError } from "../tuning/errors.ts";
import { type CommandSpec, parseCommandLine, renderHelp } from "./command.ts";

interface FlagSpec {
  type: "string" | "boolean";
  /** Config field it sets ("direct.x" for the direct section). */
  field?: string;
  value?: string;
  help: string;
  default?: string;
}

/** Every flag, in the order `--help` lists them. */
export const BENCH_FLAGS = {
  stage: {
    type: "string",
    field: "stage",
    value: "local|aws",
    help: "where to run",
    default: BENCH_DEFAULTS.stage,
  },
  config: { type: "string", value: "<file>", help: "JSON config file (defaults < file < flags)" },
  "stack-name": {
    type: "string",
    field: "aws.stackName",
    value: "<name>",
    help: "aws stage: the CloudFormation stack to find the API, function, alias and table in",
  },
  function: {
    type: "string",
    field: "aws.functionName",
    value: "<name|arn>",
    help: "aws stage: the function (unqualified name or ARN); alone enough for --mode direct",
  },
  region: {
    type: "string",
    field: "aws.region",
    value: "<region>",
    help: "aws stage: region (default: AWS_REGION, then the AWS profile's region)",
  },
  "aws-profile": {
    type: "string",
    field: "aws.awsProfile",
    value: "<name>",
    help: "aws stage: AWS profile of ~/.aws/config (default: AWS_PROFILE); --profile is the load profile",
  },
  "endpoint-url": {
    type: "string",
    field: "aws.endpointUrl",
    value: "<url>",
    help: "aws stage: endpoint of every AWS client (default: AWS_ENDPOINT_URL, else AWS's own)",
  },
  memory: {
    type: "string",
    field: "memoryMb",
    value: "<list>",
    help: 'memory sizes in MB: "128,512" or ranges "128-1024:128"',
    default: BENCH_DEFAULTS.memoryMb.join(","),
  },
  arch: {
    type: "string",
    field: "architectures",
    value: "<list>",
    help: "architectures: x86_64,arm64 (arm64 on AWS only)",
    default: BENCH_DEFAULTS.architectures.join(","),
  },
  profile: {
    type: "string",
    field: "profile",
    value: "<name>",
    help: "load profile: smoke, baseline, ramp, spike, soak",
    default: BENCH_DEFAULTS.profile,
  },
  rate: {
    type: "string",
    field: "ratePerSec",
    value: "<req/s>",
    help: "measured load rate (overrides the profile)",
  },
  duration: {
    type: "string",
    field: "durationS",
    value: "<s>",
    help: "measured load per setting (overrides the profile)",
    default: String(BENCH_DEFAULTS.durationS),
  },
  warmup: {
    type: "string",
    field: "warmupS",
    value: "<s>",
    help: "warm-up load per setting, not counted",
    default: String(BENCH_DEFAULTS.warmupS),
  },
  engine: {
    type: "string",
    field: "engine",
    value: "auto|builtin|k6",
    help: "load engine; auto = k6 when installed",
    default: BENCH_DEFAULTS.engine,
  },
  "no-gate": { type: "boolean", help: "skip the Newman functional gate at each setting" },
  "max-error-rate": {
    type: "string",
    field: "maxErrorRate",
    value: "<0-1>",
    help: "a setting over this client error rate fails",
    default: String(BENCH_DEFAULTS.maxErrorRate),
  },
  "slo-p99": { type: "string", value: "<ms>", help: "SLO p99 latency target for the slo strategy" },
  "slo-error-rate": { type: "string", value: "<0-1>", help: "SLO error-rate target for the slo strategy" },
  "balanced-weight": {
    type: "string",
    field: "balancedWeight",
    value: "<0-1>",
    help: "balanced strategy: 1 = cost only, 0 = speed only",
    default: String(BENCH_DEFAULTS.balancedWeight),
  },
  "discard-top-bottom": {
    type: "string",
    field: "discardTopBottom",
    value: "<0-0.49>",
    help: "power-tuning's trimmed-mean figure beside the cost (discardTopBottom; direct mode: 0.2)",
    default: String(BENCH_DEFAULTS.discardTopBottom),
  },
  "balanced-cost-term": {
    type: "string",
    field: "balancedCostTerm",
    value: "total|lambda-compute",
    help: "balanced strategy's cost: the whole bill, or Lambda compute only (power-tuning's)",
    default: BENCH_DEFAULTS.balancedCostTerm,
  },
  "cold-start-rate": {
    type: "string",
    field: "coldStartRate",
    value: "<0-1|measured>",
    help: "cold starts per request INIT is priced at, or the rate measured at each setting (default 0.01)",
  },
  rounds: {
    type: "string",
    field: "rounds",
    value: "<n>",
    help: "measure each setting in n shorter rounds in rotating order (the duration split between them)",
    default: String(BENCH_DEFAULTS.rounds),
  },
  "cold-starts": {
    type: "string",
    field: "coldStarts",
    value: "<n>",
    help: "deliberate cold starts per setting that measure INIT (fresh versions)",
    default: String(BENCH_DEFAULTS.coldStarts),
  },
  "auto-apply": {
    type: "string",
    field: "autoApply",
    value: "<strategy>",
    help: "point the alias at this strategy's pick at the end (opt-in)",
  },
  out: {
    type: "string",
    field: "outDir",
    value: "<dir>",
    help: "output folder",
    default: BENCH_DEFAULTS.outDir,
  },
  baseline: {
    type: "string",
    field: "baseline",
    value: "<results.json|dir>",
    help: "compare with a run of the same stage, mode and profile; a significant regression exits 2",
  },
  seed: {
    type: "string",
    field: "seed",
    value: "<n>",
    help: "seed of the workload's random choices",
    default: String(BENCH_DEFAULTS.seed),
  },
  mode: {
    type: "string",
    field: "mode",
    value: "api|direct",
    help: "load through the API, or Lambda Invoke with payloads",
    default: BENCH_DEFAULTS.mode,
  },
  payload: {
    type: "string",
    value: "<json|@file>",
    help: "direct mode: event, or a list of {payload, weight}",
  },
  invocations: {
    type: "string",
    field: "direct.invocations",
    value: "<n>",
    help: "direct mode: invocations per setting",
    default: String(DIRECT_DEFAULTS.invocations),
  },
  parallel: {
    type: "string",
    field: "direct.parallelism",
    value: "<n>",
    help: "direct mode: invocations in flight at once",
    default: String(DIRECT_DEFAULTS.parallelism),
  },
  sleep: {
    type: "string",
    field: "direct.sleepBetweenMs",
    value: "<ms>",
    help: "direct mode: pause between invocations",
    default: "0",
  },
  "only-cold-starts": {
    type: "boolean",
    help: "direct mode: every invocation on a new execution environment",
  },
  "allowed-errors": {
    type: "string",
    value: "<types>",
    help: "direct mode: function error types that do not fail a setting",
  },
  "price-table": {
    type: "string",
    field: "priceTable",
    value: "<file.json>",
    help: "your own price table (the format of tuning/prices/snapshot.json) instead of the snapshot",
  },
  "monthly-requests": {
    type: "string",
    field: "monthlyRequests",
    value: "<n>",
    help: "price at the tier this monthly request volume reaches (default: first tiers)",
  },
  "free-tier": {
    type: "boolean",
    help: "count the always-free allowances as a $0 first tier (needs --monthly-requests)",
  },
  template: {
    type: "string",
    field: "template",
    value: "<template.yaml>",
    help: "local stage: deploy this SAM template (your API) instead of service/template.yaml",
  },
  workload: {
    type: "string",
    field: "workload",
    value: "<file>",
    help: "workload file (YAML/JSON, docs/workload.md) replayed at every setting; default: the bundled CRUD one",
  },
  "k6-script": {
    type: "string",
    field: "k6Script",
    value: "<script>",
    help: "run your own k6 script at every setting (-e BASE_URL, MEMORY_MB, SETTING_ID, SEED)",
  },
  collection: {
    type: "string",
    field: "collection",
    value: "<file>",
    help: "Postman collection that replaces the functional gate",
  },
  environment: {
    type: "string",
    field: "environment",
    value: "<file>",
    help: "Postman environment for --collection",
  },
  "dry-run": {
    type: "boolean",
    help: "print the plan, the requests, the estimated AWS cost and wall time; change nothing",
  },
  quick: { type: "boolean", help: "CI preset: 3 settings, short smoke load" },
  json: { type: "boolean", help: "print the results path and recommendations as JSON" },
  yes: {
    type: "boolean",
    help: "confirm a run against a protected stage, or a sweep above 24 settings or 20 minutes",
  },
  restore: {
    type: "string",
    value: "[journal]",
    help: "put a function back from the journal of a run that did not finish (SIGKILL, lost network) and delete the versions it published; without a path: the one unfinished run",
  },
  force: {
    type: "boolean",
    help: "start even though an unfinished run's journal says the function was changed, taking it as it is now as the original",
  },
} as const satisfies Record<string, FlagSpec>;

export const BENCH_COMMAND = {
  name: "bench",
  summary: [
    "Sweeps Lambda memory sizes (and architectures) under load through the API, prices each setting and",
    "writes reports/out/<run-id>/{results.json,index.html,summary.md}.",
  ].join("\n"),
  flags: BENCH_FLAGS,
  gate: "the SLO is met by no setting, every setting failed, or a regression against --baseline",
} as const satisfies CommandSpec;

export interface ParsedBenchArgs {
  help: boolean;
  configPath?: string;
  flags: BenchConfigLayer;
  /** Raw --payload value, resolved by the caller (it may name a file). */
  payload?: string;
}

/** The usage text of `npm run bench`, every flag with its default. */
export function benchUsage(): string {
  return renderHelp(BENCH_COMMAND);
}

function setField(layer: Record<string, unknown>, field: string, value: unknown): void {
  const [head, tail] = field.split(".");
  if (head === undefined) return;
  if (tail === undefined) {
    layer[head] = value;
    return;
  }
  const section = (layer[head] ?? {}) as Record<string, unknown>;
  section[tail] = value;
  layer[head] = section;
}

/** "flag.memoryMb" → "--memory", "flag.slo.p99Ms" → "--slo-p99": errors name the flag the user typed. */
function flagName(option: string): string {
  const field = option.replace(/^flag\./, "");
  if (field === "slo.p99Ms") return "--slo-p99";
  if (field === "slo.errorRate") return "--slo-error-rate";
  if (field === "gate") return "--no-gate";
  for (const [name, spec] of Object.entries(BENCH_FLAGS)) {
    if ((spec as FlagSpec).field === field) return `--${name}`;
  }
  return option;
}

function expectedOf(error: InvalidSweepOptionError): string {
  return error.message.replace(/^invalid .*?: expected /, "");
}

/** Parses argv (without node and the script). Throws UsageError or InvalidSweepOptionError naming the flag. */
export function parseBenchArgs(argv: readonly string[]): ParsedBenchArgs {
  const line = parseCommandLine(BENCH_COMMAND, argv);
  const values = line.values as Record<string, string | boolean | undefined>;
  if (line.help) return { help: true, flags: {} };
  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const spec = BENCH_FLAGS[name as keyof typeof BENCH_FLAGS] as FlagSpec | undefined;
    if (spec?.field && value !== undefined) setField(raw, spec.field, value);
  }
  if (values["no-gate"]) raw.gate = false;
  for (const flag of ["dry-run", "quick", "json", "yes"] as const) {
    if (values[flag]) raw[flag === "dry-run" ? "dryRun" : flag] = true;
  }
  if (values["free-tier"]) raw.freeTier = true;
  if (values["only-cold-starts"]) setField(raw, "direct.onlyColdStarts", true);
  if (typeof values["allowed-errors"] === "string") {
    setField(
      raw,
      "direct.allowedErrorTypes",
      values["allowed-errors"]
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    );
  }
  if (values["slo-p99"] !== undefined || values["slo-error-rate"] !== undefined) {
    raw.slo = {
      ...(values["slo-p99"] !== undefined ? { p99Ms: values["slo-p99"] } : {}),
      ...(values["slo-error-rate"] !== undefined ? { errorRate: values["slo-error-rate"] } : {}),
    };
  }
  let flags: BenchConfigLayer;
  try {
    flags = validateConfigLayer(raw, "flag");
  } catch (error) {
    throw error instanceof InvalidSweepOptionError
      ? new InvalidSweepOptionError(flagName(error.option), error.value, expectedOf(error))
      : error;
  }
  return {
    help: false,
    ...(typeof values.config === "string" ? { configPath: values.config } : {}),
    ...(typeof values.payload === "string" ? { payload: values.payload } : {}),
    flags,
  };
}
