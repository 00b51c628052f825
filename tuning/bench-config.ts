/**
 * The bench configuration (pure): defaults < config file < flags, validated field by field with errors that
 * name the field, what was expected and what was got. scripts/bench.ts parses the flags and reads the file;
 * everything else lives here so it is tested without a process.
 */
import { MAX_SEED } from "../loadtests/seed.ts";
import { parseFunctionRef } from "./config/function-ref.ts";
import { InvalidSweepOptionError } from "./errors.ts";
import { DEFAULT_MEMORY_MB, parseMemoryList, validateArchitecture, validateMemoryMb } from "./plan.ts";
import type { Architecture } from "./results-types.ts";

export type EngineChoice = "auto" | "builtin" | "k6";

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
  /** Length of the measured load per setting, overriding the profile's. @default 6 */
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
   * @default undefined: DEFAULT_COLD_START_RATE (1 %, tuning/assess.ts; docs/cost-model.md says why)
   */
  coldStartRate?: number | "measured";
  /**
   * Rounds per setting in rotating order (A B C, B C A, C A B): the measured duration is split between them,
   * every round replays the same request sequence, and the rounds are pooled. API mode only. @default 1
   */
  rounds: number;
  /** Deliberate cold starts per setting (fresh versions, one invocation each) that measure INIT. @default 2 */
  coldStarts: number;
  /** Point the alias at the winner of this strategy at the end instead of restoring it. Opt-in. */
  autoApply?: "cost" | "speed" | "balanced" | "slo";
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
  /** A price table file (the format of tuning/prices/snapshot.json) instead of the snapshot. */
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

function num(field: string, v: unknown, min: number, max: number, integer = false): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (
    typeof n !== "number" ||
    !Number.isFinite(n) ||
    n < min ||
    n > max ||
    (integer && !Number.isInteger(n))
  ) {
    fail(field, v, `${integer ? "an integer" : "a number"} from ${min} to ${max}`);
  }
  return n;
}

function str(field: string, v: unknown): string {
  if (typeof v !== "string" || v.trim() === "") fail(field, v, "a non-empty string");
  return v;
}

function bool(field: string, v: unknown): boolean {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return fail(field, v, "true or false");
}

function oneOf<T extends string>(field: string, v: unknown, options: readonly T[]): T {
  if (typeof v === "string" && (options as readonly string[]).includes(v)) return v as T;
  return fail(field, v, `one of ${options.join(", ")}`);
}

function memoryList(field: string, v: unknown): number[] {
  if (typeof v === "string") return parseMemoryList(v, field);
  if (Array.isArray(v) && v.length > 0) return v.map((m) => validateMemoryMb(m, field));
  return fail(field, v, 'a list of memory sizes, e.g. [128, 512, 1024] or "128-1024:128"');
}

function archList(field: string, v: unknown): Architecture[] {
  const items = typeof v === "string" ? v.split(",").map((s) => s.trim()) : v;
  if (!Array.isArray(items) || items.length === 0)
    return fail(field, v, 'a list such as ["x86_64", "arm64"]');
  return items.map((a) => validateArchitecture(a, field));
}

const AWS_FIELDS = [
  "stackName",
  "region",
  "apiUrl",
  "functionName",
  "alias",
  "tableName",
  "apiName",
  "apiStageName",
  "apiType",
  "awsProfile",
  "endpointUrl",
  "protected",
] as const;

function awsStage(prefix: string, v: unknown): AwsStageConfig {
  if (!isRecord(v))
    return fail(prefix, v, "an object with stackName, or functionName, apiUrl, tableName, ...");
  for (const key of Object.keys(v)) {
    if (!(AWS_FIELDS as readonly string[]).includes(key)) {
      fail(`${prefix}.${key}`, v[key], `no such field; known fields: ${AWS_FIELDS.join(", ")}`);
    }
  }
  const url = (field: "apiUrl" | "endpointUrl", what: string) => {
    if (v[field] === undefined) return {};
    const value = str(`${prefix}.${field}`, v[field]);
    if (!/^https?:\/\/[^/]/.test(value)) fail(`${prefix}.${field}`, value, what);
    return { [field]: value.replace(/\/+$/, "") };
  };
  const text = (field: (typeof AWS_FIELDS)[number]) =>
    v[field] === undefined ? {} : { [field]: str(`${prefix}.${field}`, v[field]) };
  if (v.functionName !== undefined)
    parseFunctionRef(str(`${prefix}.functionName`, v.functionName), `${prefix}.functionName`);
  return {
    ...text("stackName"),
    ...text("region"),
    ...url("apiUrl", "an http(s) URL of the deployed API stage"),
    ...text("functionName"),
    ...text("alias"),
    ...text("tableName"),
    ...text("apiName"),
    ...text("apiStageName"),
    ...(v.apiType === undefined
      ? {}
      : { apiType: oneOf(`${prefix}.apiType`, v.apiType, ["REST", "HTTP"] as const) }),
    ...text("awsProfile"),
    ...url("endpointUrl", "an http(s) URL of the AWS endpoint, e.g. http://127.0.0.1:4566"),
    protected: v.protected === undefined ? false : bool(`${prefix}.protected`, v.protected),
  } as AwsStageConfig;
}

const DIRECT_FIELDS = [
  "payloads",
  "invocations",
  "parallelism",
  "sleepBetweenMs",
  "onlyColdStarts",
  "allowedErrorTypes",
] as const;

function payloadList(field: string, v: unknown): WeightedPayload[] {
  // A bare payload (anything but a list of {payload, weight}) is one payload of weight 1, as in power-tuning.
  if (!Array.isArray(v)) return [{ payload: v, weight: 1 }];
  if (v.length === 0)
    return fail(field, v, 'at least one payload, or a list of {"payload": ..., "weight": n}');
  return v.map((item, i) => {
    if (!isRecord(item) || !("payload" in item)) {
      return fail(`${field}[${i}]`, item, 'an object {"payload": <event>, "weight": <positive number>}');
    }
    return { payload: item.payload, weight: num(`${field}[${i}].weight`, item.weight ?? 1, 0.000001, 1e9) };
  });
}

function directConfig(prefix: string, v: unknown): Partial<DirectInvokeConfig> {
  if (!isRecord(v)) return fail(prefix, v, "an object with payloads, invocations, parallelism, ...");
  const out: Partial<DirectInvokeConfig> = {};
  for (const [key, value] of Object.entries(v)) {
    const field = `${prefix}.${key}`;
    if (value === undefined) continue;
    switch (key) {
      case "payloads":
        out.payloads = payloadList(field, value);
        break;
      case "invocations":
        out.invocations = num(field, value, 1, 100_000, true);
        break;
      case "parallelism":
        out.parallelism = num(field, value, 1, 1000, true);
        break;
      case "sleepBetweenMs":
        out.sleepBetweenMs = num(field, value, 0, 600_000, true);
        break;
      case "onlyColdStarts":
        out.onlyColdStarts = bool(field, value);
        break;
      case "allowedErrorTypes":
        if (!Array.isArray(value) || value.some((t) => typeof t !== "string")) {
          fail(field, value, 'a list of error type names, e.g. ["Sandbox.Timedout"]');
        }
        out.allowedErrorTypes = value as string[];
        break;
      default:
        fail(field, value, `no such field; known fields: ${DIRECT_FIELDS.join(", ")}`);
    }
  }
  return out;
}

/** Validates one layer (config file or flags) into a partial config. `source` prefixes field names in errors. */
export function validateConfigLayer(raw: unknown, source: string): BenchConfigLayer {
  if (!isRecord(raw)) return fail(source, raw, "a JSON object");
  const out: BenchConfigLayer = {};
  const f = (name: string) => `${source}.${name}`;
  for (const [key, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    switch (key) {
      case "stage":
        out.stage = oneOf(f(key), v, ["local", "aws"] as const);
        break;
      case "aws":
        out.aws = awsStage(f(key), v);
        break;
      case "mode":
        out.mode = oneOf(f(key), v, ["api", "direct"] as const);
        break;
      case "direct":
        out.direct = directConfig(f(key), v);
        break;
      case "memoryMb":
        out.memoryMb = memoryList(f(key), v);
        break;
      case "architectures":
        out.architectures = archList(f(key), v);
        break;
      case "profile":
        out.profile = str(f(key), v);
        break;
      case "ratePerSec":
        out.ratePerSec = num(f(key), v, 0.1, 100_000);
        break;
      case "durationS":
        out.durationS = num(f(key), v, 1, 3600);
        break;
      case "warmupS":
        out.warmupS = num(f(key), v, 0, 600);
        break;
      case "engine":
        out.engine = oneOf(f(key), v, ["auto", "builtin", "k6"] as const);
        break;
      case "gate":
        out.gate = bool(f(key), v);
        break;
      case "maxErrorRate":
        out.maxErrorRate = num(f(key), v, 0, 1);
        break;
      case "slo": {
        if (!isRecord(v)) fail(f(key), v, 'an object like {"p99Ms": 300, "errorRate": 0.01}');
        out.slo = {
          ...(v.p99Ms === undefined ? {} : { p99Ms: num(`${f(key)}.p99Ms`, v.p99Ms, 0.001, 900_000) }),
          ...(v.errorRate === undefined ? {} : { errorRate: num(`${f(key)}.errorRate`, v.errorRate, 0, 1) }),
        };
        break;
      }
      case "balancedWeight":
        out.balancedWeight = num(f(key), v, 0, 1);
        break;
      case "discardTopBottom":
        out.discardTopBottom = num(f(key), v, 0, 0.49);
        break;
      case "coldStartRate":
        if (v === "measured") out.coldStartRate = "measured";
        else {
          const rate = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
          if (typeof rate !== "number" || !Number.isFinite(rate) || rate < 0 || rate > 1)
            fail(f(key), v, 'a number from 0 to 1 (0.01 = 1 % of requests), or "measured"');
          out.coldStartRate = rate;
        }
        break;
      case "rounds":
        out.rounds = num(f(key), v, 1, 20, true);
        break;
      case "balancedCostTerm":
        out.balancedCostTerm = oneOf(f(key), v, ["total", "lambda-compute"] as const);
        break;
      case "coldStarts":
        out.coldStarts = num(f(key), v, 0, 20, true);
        break;
      case "autoApply":
        out.autoApply = oneOf(f(key), v, ["cost", "speed", "balanced", "slo"] as const);
        break;
      case "outDir":
        out.outDir = str(f(key), v);
        break;
      case "baseline":
        out.baseline = str(f(key), v);
        break;
      case "seed":
        out.seed = num(f(key), v, 0, MAX_SEED, true);
        break;
      case "priceTable":
        out.priceTable = str(f(key), v);
        break;
      case "monthlyRequests":
        out.monthlyRequests = num(f(key), v, 1, 1e15, true);
        break;
      case "freeTier":
        out.freeTier = bool(f(key), v);
        break;
      case "template":
      case "workload":
      case "k6Script":
      case "collection":
      case "environment":
        out[key] = str(f(key), v);
        break;
      case "dryRun":
      case "quick":
      case "json":
      case "yes":
        out[key] = bool(f(key), v);
        break;
      default:
        fail(
          f(key),
          v,
          `no such field; known fields: ${[...new Set([...Object.keys(BENCH_DEFAULTS), "aws", "slo", "ratePerSec", "autoApply", "baseline", "coldStartRate", "priceTable", "monthlyRequests", ...USER_API_FIELDS])].join(", ")}`,
        );
    }
  }
  return out;
}

/** The fields that point the run at the user's own API (template, workload, k6 script, collection). */
const USER_API_FIELDS = ["template", "workload", "k6Script", "collection", "environment"] as const;

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
          ? "--stack-name NAME or --function NAME|ARN (or aws.stackName / aws.functionName in the --config file)"
          : "--stack-name NAME (or aws.stackName, or aws.apiUrl, aws.functionName and aws.tableName in the --config file)",
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
