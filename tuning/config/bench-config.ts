/**
 * The bench configuration (pure): defaults < config file < flags. A config file's keys are the flags' names
 * (tuning/config/bench-options.ts, one table from which the JSON Schema, --help and docs/config.md derive),
 * validated by that schema with errors that name the key, what was expected and what was got, and mapped here,
 * in one place, onto the internal BenchConfig shape. scripts/bench-args.ts parses the flags (through the same
 * table and schema) and reads the file; everything else lives here so it is tested without a process.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import type { EngineChoice } from "../../loadtests/engines/names.ts";
import { ConfigKeyError, InvalidSweepOptionError } from "../errors.ts";
import type { Architecture, StrategyName } from "../results/results-types.ts";
import {
  benchConfigSchema,
  CONFIG_KEYS,
  closestKey,
  expectedOf,
  renamedKeyMessage,
} from "./bench-options.ts";
import { parseFunctionRef } from "./function-ref.ts";
import { DEFAULT_MEMORY_MB, parseMemoryList } from "./plan.ts";

/**
 * Settings of the AWS stage: a deployed stack, found by `stackName` (CloudFormation) or described field by
 * field. Every field but `protected` is optional here: what the stack says fills the rest at run time
 * (tuning/adapters/aws-target.ts), and a field given here overrides it.
 */
export interface AwsStageConfig {
  /** CloudFormation stack to discover the API, function, alias, table and log groups from (`--stack-name`). */
  stackName?: string;
  /** Region; @default the SDK's chain (AWS_REGION, the profile's region), or a function ARN's region. */
  region?: string;
  apiUrl?: string;
  /** Function name or unqualified ARN (`--function`); alone it is enough for direct mode. */
  functionName?: string;
  /** Alias the API invokes. @default the stack's alias, else "live" (service/template.yaml's AutoPublishAlias) */
  alias?: string;
  tableName?: string;
  /** API Gateway ApiName (the dimension of its CloudWatch metrics). @default the ApiName output, else the stack name */
  apiName?: string;
  /** @default the stack's API stage, else "prod" */
  apiStageName?: string;
  /** @default the stack's API type, else "REST" */
  apiType?: "REST" | "HTTP";
  /** Named AWS profile (`--aws-profile`); otherwise AWS_PROFILE, then the SDK default chain. */
  awsProfile?: string;
  /** Endpoint for every AWS client (`--endpoint-url`); @default AWS_ENDPOINT_URL, else AWS's own. */
  endpointUrl?: string;
  /** A protected stage (e.g. production) needs --yes to run. @default false */
  protected: boolean;
}

/** One payload of the direct-invoke mode and its share of the invocations (power-tuning's weighted payloads). */
export interface WeightedPayload {
  payload: unknown;
  weight: number;
}

/** The direct-invoke mode: Lambda Invoke with payloads, as aws-lambda-power-tuning measures. */
export interface DirectInvokeConfig {
  /** @default [{ payload: { operation: "ping" }, weight: 1 }] */
  payloads: WeightedPayload[];
  /** Invocations per setting (power-tuning's `num`). @default 50 */
  invocations: number;
  /** Invocations in flight at once; 1 = in series (power-tuning's `parallelInvocation` is parallelism = invocations). @default 1 */
  parallelism: number;
  /** Pause between invocations in series, ms (power-tuning's `sleepBetweenRunsMs`). @default 0 */
  sleepBetweenMs: number;
  /** Every invocation on a new execution environment (power-tuning's `onlyColdStarts`). @default false */
  onlyColdStarts: boolean;
  /** Function error types that do not fail a setting (power-tuning's `allowedExceptions`). @default [] */
  allowedErrorTypes: string[];
}

/** aws-lambda-power-tuning's default discardTopBottom, the direct mode's default. */
export const DIRECT_DISCARD_TOP_BOTTOM = 0.2;

export const DIRECT_DEFAULTS: DirectInvokeConfig = {
  payloads: [{ payload: { operation: "ping" }, weight: 1 }],
  invocations: 50,
  parallelism: 1,
  sleepBetweenMs: 0,
  onlyColdStarts: false,
  allowedErrorTypes: [],
};

export interface BenchConfig {
  stage: "local" | "aws";
  /** "api": load through API Gateway (the default); "direct": Lambda Invoke with payloads. @default "api" */
  mode: "api" | "direct";
  /** Direct-invoke mode settings. @default DIRECT_DEFAULTS */
  direct: DirectInvokeConfig;
  aws?: AwsStageConfig;
  /** @default DEFAULT_MEMORY_MB */
  memoryMb: number[];
  /** @default ["x86_64"] */
  architectures: Architecture[];
  /** Load profile name. @default "baseline" */
  profile: string;
  /** Target request rate of the measured load, overriding the profile's. */
  ratePerSec?: number;
  /**
   * Length of the measured load per setting, overriding the profile's.
   * @default 6 with the default profile (4 with --quick's); a profile chosen in the file or flags runs its own
   * duration unless a duration is given too
   */
  durationS?: number;
  /** Length of the warm-up load per setting (not counted). @default 1 */
  warmupS: number;
  /** @default "auto" (k6 when installed, else the built-in engine) */
  engine: EngineChoice;
  /** Run the Newman collection at each setting as a functional gate. @default true */
  gate: boolean;
  /** A setting whose error rate exceeds this fails. @default 0.01 */
  maxErrorRate: number;
  /** SLO for the slo strategy. */
  slo?: { p99Ms?: number; errorRate?: number };
  /** Weight of cost vs speed in the balanced strategy: 1 = cost only, 0 = speed only. @default 0.5 */
  balancedWeight: number;
  /**
   * Fraction of billed durations dropped at each end for power-tuning's trimmed-mean figure (discardTopBottom),
   * reported beside the cost, never instead of it. @default 0 in API mode, 0.2 (power-tuning's) in direct mode
   */
  discardTopBottom: number;
  /**
   * The balanced strategy's cost term: "total" (every component, fixed per-request charges included, so cost
   * ratios between settings span only a few percent) or "lambda-compute" (power-tuning's: GB-seconds only).
   * @default "total"
   */
  balancedCostTerm: "total" | "lambda-compute";
  /**
   * Cold starts per request (0.01 = 1 %) at which INIT is priced, or "measured": the rate measured at each
   * setting (cold starts ÷ invocations of its warm-up and measured window together, no warm-up exclusion).
   * @default undefined: DEFAULT_COLD_START_RATE (1 %, tuning/core/assess.ts; docs/cost-model.md says why)
   */
  coldStartRate?: number | "measured";
  /**
   * Rounds per setting in rotating order (A B C, B C A, C A B): the measured duration is split between them,
   * every round replays the same request sequence, and the rounds are pooled. API mode only. @default 1
   */
  rounds: number;
  /** Deliberate cold starts per setting (fresh versions, one invocation each) that measure INIT. @default 2 */
  coldStarts: number;
  /**
   * Local stage: "auto" admits at most as many invocations at once as the host's cores less one give their
   * CPU shares (stage/lambda/capacity.ts has the formula) and pins the stage and the environments to separate
   * CPUs; "cap" the same without pinning; "off" admits all. @default "auto"
   */
  capacity: "auto" | "cap" | "off";
  /** Local stage with capacity "auto": keep the CPUs from idling (stage/lambda/core-filler.ts). @default "on" */
  idleFill: "on" | "off";
  /** Point the alias at the winner of this strategy at the end instead of restoring it. Opt-in. */
  autoApply?: StrategyName;
  /** Output folder for reports/out/<run-id>/. @default "reports/out" */
  outDir: string;
  /** Previous results.json to compare against (regressions exit 2). */
  baseline?: string;
  /** Seed for the workload's random choices. @default 1 */
  seed: number;
  dryRun: boolean;
  /** The CI preset: few settings, short loads. */
  quick: boolean;
  /** Print the results path and recommendations as JSON. */
  json: boolean;
  /** Confirms a run against a protected stage. */
  yes: boolean;
  /** A price table file (the format of tuning/core/prices/snapshot.json) instead of the snapshot. */
  priceTable?: string;
  /** Monthly API requests: price at the tier this volume reaches (docs/cost-model.md). @default first tiers */
  monthlyRequests?: number;
  /** Count the always-free allowances (Lambda, CloudWatch Logs) as a $0 first tier; needs monthlyRequests. @default false */
  freeTier: boolean;
  /** The SAM template the local stage deploys (the user's API). @default service/template.yaml */
  template?: string;
  /** A workload file (docs/workload.md) the load replays. @default the bundled CRUD workload */
  workload?: string;
  /** The user's own k6 script, run at every setting instead of a workload. */
  k6Script?: string;
  /** A Postman collection that replaces the functional gate. @default postman/powerbench.postman_collection.json */
  collection?: string;
  /** A Postman environment for `collection`. */
  environment?: string;
}

export const BENCH_DEFAULTS: BenchConfig = {
  stage: "local",
  mode: "api",
  direct: DIRECT_DEFAULTS,
  memoryMb: [...DEFAULT_MEMORY_MB],
  architectures: ["x86_64"],
  profile: "baseline",
  // The default run fits in 2 minutes on a 2-core machine: 8 settings × (1 s warm-up + 6 s load + gate).
  durationS: 6,
  warmupS: 1,
  engine: "auto",
  gate: true,
  maxErrorRate: 0.01,
  balancedWeight: 0.5,
  discardTopBottom: 0,
  balancedCostTerm: "total",
  coldStarts: 2,
  capacity: "auto",
  idleFill: "on",
  rounds: 1,
  outDir: "reports/out",
  seed: 1,
  freeTier: false,
  dryRun: false,
  quick: false,
  json: false,
  yes: false,
};

/** One layer of configuration (the file or the flags): any field, with the direct section partial too. */
export type BenchConfigLayer = Partial<Omit<BenchConfig, "direct">> & {
  direct?: Partial<DirectInvokeConfig>;
};

/** What --quick changes: a CI-sized sweep. Explicit flags still win over it. */
export const QUICK_PRESET: Partial<BenchConfig> = {
  memoryMb: [128, 512, 1769],
  profile: "smoke",
  durationS: 4,
  ratePerSec: 20,
  warmupS: 1,
};

type Raw = Record<string, unknown>;

function isRecord(v: unknown): v is Raw {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function fail(field: string, value: unknown, expected: string): never {
  throw new InvalidSweepOptionError(field, value, expected);
}

function payloadList(field: string, v: unknown): WeightedPayload[] {
  // A bare payload (anything but a list of {payload, weight}) is one payload of weight 1, as in power-tuning.
  if (!Array.isArray(v)) return [{ payload: v, weight: 1 }];
  if (v.length === 0)
    return fail(field, v, 'at least one payload, or a list of {"payload": ..., "weight": n}');
  return v.map((item, i) => {
    if (!isRecord(item) || !("payload" in item)) {
      return fail(`${field}[${i}]`, item, 'an object {"payload": <event>, "weight": <positive number>}');
    }
    const weight = item.weight ?? 1;
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0.000001 || weight > 1e9) {
      fail(`${field}[${i}].weight`, weight, "a number from 0.000001 to 1000000000");
    }
    return { payload: item.payload, weight };
  });
}

let validator: ValidateFunction | undefined;

/** The ajv validator of tuning/config/bench-config.schema.json (compiled from the same table, once). */
function schemaValidator(): ValidateFunction {
  validator ??= new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true }).compile(
    benchConfigSchema(),
  );
  return validator;
}

/** Keys whose internal field has another name or section; every other key keeps its name. */
const INTERNAL_FIELD: Readonly<Record<string, string>> = {
  memory: "memoryMb",
  arch: "architectures",
  rate: "ratePerSec",
  duration: "durationS",
  warmup: "warmupS",
  out: "outDir",
  sloP99: "slo.p99Ms",
  sloErrorRate: "slo.errorRate",
  stackName: "aws.stackName",
  function: "aws.functionName",
  region: "aws.region",
  awsProfile: "aws.awsProfile",
  endpointUrl: "aws.endpointUrl",
  apiUrl: "aws.apiUrl",
  alias: "aws.alias",
  tableName: "aws.tableName",
  apiName: "aws.apiName",
  apiStageName: "aws.apiStageName",
  apiType: "aws.apiType",
  protected: "aws.protected",
  payload: "direct.payloads",
  invocations: "direct.invocations",
  parallel: "direct.parallelism",
  sleep: "direct.sleepBetweenMs",
  onlyColdStarts: "direct.onlyColdStarts",
  allowedErrors: "direct.allowedErrorTypes",
};

/** The one place flag-named keys become the internal BenchConfig shape. `name(key)` labels errors. */
function toInternal(values: Raw, name: (key: string) => string): BenchConfigLayer {
  const out: Raw = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || key === "$schema") continue;
    let v: unknown = value;
    if (key === "memory") v = typeof value === "string" ? parseMemoryList(value, name(key)) : value;
    if (key === "function") parseFunctionRef(value as string, name(key));
    if (key === "apiUrl" || key === "endpointUrl") v = (value as string).replace(/\/+$/, "");
    if (key === "payload") v = payloadList(name(key), value);
    if (key === "noGate") {
      out.gate = !value;
      continue;
    }
    const [head, tail] = (INTERNAL_FIELD[key] ?? key).split(".") as [string, string | undefined];
    if (tail === undefined) {
      out[head] = v;
      continue;
    }
    const section = (out[head] ?? (head === "aws" ? { protected: false } : {})) as Raw;
    section[tail] = v;
    out[head] = section;
  }
  return out as BenchConfigLayer;
}

/**
 * Checks flag-named values against the schema and maps them onto the internal layer. `name(key)` is how an
 * error names the key ("bench.json.memory", "--memory"); `shown(key)` the value it quotes.
 */
export function checkConfigValues(
  raw: unknown,
  source: string,
  name: (key: string) => string,
  shown: (key: string) => unknown = (key) => (raw as Raw)[key],
): BenchConfigLayer {
  if (!isRecord(raw)) return fail(source, raw, "a JSON object");
  const validate = schemaValidator();
  if (!validate(raw)) {
    const error = validate.errors?.[0];
    if (error?.keyword === "additionalProperties") {
      const key = String(error.params.additionalProperty);
      const renamed = renamedKeyMessage(key);
      const guess = closestKey(key);
      throw new ConfigKeyError(
        key,
        renamed
          ? `${source}: ${renamed}`
          : `${source}: unknown key "${key}"${guess ? `: did you mean "${guess}"?` : ""} (docs/config.md lists the keys)`,
      );
    }
    const key = error?.instancePath.split("/")[1] ?? "";
    const option = CONFIG_KEYS.get(key)?.option;
    if (!option) return fail(source, raw, "a JSON object");
    return fail(name(key), shown(key), expectedOf(option));
  }
  return toInternal(raw, name);
}

/**
 * Validates a config file's object (keys: the flags' names, docs/config.md) into a partial config in the
 * internal shape. `source` (the file's path) prefixes key names in errors.
 */
export function validateConfigLayer(raw: unknown, source: string): BenchConfigLayer {
  return checkConfigValues(raw, source, (key) => `${source}.${key}`);
}

/**
 * Merges defaults < file < flags (and the --quick preset between defaults and file) and checks the
 * combination: the aws stage needs its aws section; a protected stage needs --yes.
 */
export function resolveBenchConfig(file: BenchConfigLayer, flags: BenchConfigLayer): BenchConfig {
  const quick = flags.quick ?? file.quick ?? false;
  const merged: BenchConfig = {
    ...BENCH_DEFAULTS,
    ...(quick ? QUICK_PRESET : {}),
    ...file,
    ...flags,
    direct: { ...DIRECT_DEFAULTS, ...file.direct, ...flags.direct },
  };
  // The default duration (and --quick's) belongs to the default profile (and --quick's): a profile chosen in
  // the file or the flags runs its own duration, unless a duration is given too.
  if ((flags.profile ?? file.profile) !== undefined && (flags.durationS ?? file.durationS) === undefined) {
    delete merged.durationS;
  }
  // The aws section merges field by field: --stack-name on the command line keeps the file's region.
  if (file.aws && flags.aws) {
    merged.aws = { ...file.aws, ...flags.aws, protected: file.aws.protected || flags.aws.protected };
  }
  // Direct mode is power-tuning's: its discardTopBottom default (0.2) unless one was given.
  if (
    merged.mode === "direct" &&
    file.discardTopBottom === undefined &&
    flags.discardTopBottom === undefined
  ) {
    merged.discardTopBottom = DIRECT_DISCARD_TOP_BOTTOM;
  }
  if (merged.stage === "aws") {
    const aws = merged.aws;
    const described = aws?.functionName && (merged.mode === "direct" || (aws.apiUrl && aws.tableName));
    if (!aws || !(aws.stackName || described)) {
      fail(
        "--stage aws",
        "aws",
        merged.mode === "direct"
          ? "--stack-name NAME or --function NAME|ARN (or stackName / function in the --config file)"
          : "--stack-name NAME (or --function, --api-url and --table-name; the same keys in the --config file)",
      );
    }
    if (aws.protected && !merged.yes && !merged.dryRun) {
      throw new InvalidSweepOptionError(
        "--yes",
        false,
        `confirmation: stage "${aws.stackName ?? aws.functionName}" is marked protected; run again with --yes to sweep it`,
      );
    }
  }
  if (merged.freeTier && merged.monthlyRequests === undefined) {
    fail("freeTier", true, "a monthly volume with it: add --monthly-requests N (config: monthlyRequests)");
  }
  if (merged.workload !== undefined && merged.k6Script !== undefined) {
    fail(
      "k6Script",
      merged.k6Script,
      "either a workload file (--workload) or a k6 script (--k6-script), not both",
    );
  }
  if ((merged.workload !== undefined || merged.k6Script !== undefined) && merged.mode === "direct") {
    fail(
      "mode",
      merged.mode,
      '"api" with --workload or --k6-script (direct mode invokes the function with payloads)',
    );
  }
  if (merged.k6Script !== undefined && merged.engine === "builtin") {
    fail("engine", merged.engine, "k6 or auto with --k6-script (k6 runs your script)");
  }
  if (merged.environment !== undefined && merged.collection === undefined) {
    fail(
      "environment",
      merged.environment,
      "a --collection it belongs to (the bundled collection has its own)",
    );
  }
  if (merged.rounds > 1 && merged.k6Script !== undefined) {
    fail(
      "rounds",
      merged.rounds,
      "1 with --k6-script (your script sets its own duration; rounds split ours)",
    );
  }
  if (merged.rounds > 1 && merged.mode === "direct") {
    fail(
      "rounds",
      merged.rounds,
      "1 in direct mode (rounds split the API load's measured duration; use --mode api)",
    );
  }
  if (merged.stage === "local" && merged.architectures.some((a) => a !== "x86_64")) {
    fail("architectures", merged.architectures, '["x86_64"] on the local stage (it cannot emulate arm64)');
  }
  return merged;
}
