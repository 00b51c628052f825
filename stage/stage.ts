/**
 * The local stage, assembled: dynalite with the service's table, the CloudWatch metric and log stores, the
 * Lambda emulator with the service registered from service/template.yaml (version 1 behind the template's
 * alias), the one local AWS endpoint for the SDK clients, and the API Gateway front invoking that alias.
 * `stop()` takes everything down in reverse order.
 *
 * @example
 * const local = await startStage();
 * await fetch(`${local.stage.apiUrl}/items`);
 * await local.stop();
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Stage } from "../tuning/stage.ts";
import { type ApiGatewayFront, startApiGateway } from "./apigateway/server.ts";
import { DEFAULT_CODE_ROOTS } from "./aws-api/code-roots.ts";
import { startAwsEndpoint } from "./aws-api/endpoint.ts";
import { buildLocalStack, newRestApiId, restApiNameOf, StackStore } from "./aws-api/local-stack.ts";
import { LogStore } from "./cloudwatch/log-store.ts";
import { MetricStore } from "./cloudwatch/metric-store.ts";
import { LOCAL_CREDENTIALS, type LocalDynamoDb, startDynamoDb } from "./dynamodb.ts";
import {
  type CpuPinning,
  deriveCapacity,
  type HostCapacity,
  hostCores,
  pinToCapacity,
} from "./lambda/capacity.ts";
import { type CoreFiller, startCoreFiller } from "./lambda/core-filler.ts";
import { LocalLambda } from "./lambda/local-lambda.ts";
import { loadServiceTemplate, type ServiceTemplate } from "./template.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

export const DEFAULTS = {
  /** Port of the API front. @default 0 (any free port) */
  port: 0,
  /** @default "us-east-1" */
  region: "us-east-1",
  /** @default "auto" (cgroup CPU quota where the machine allows it) */
  cpuScaling: "auto",
  /** The service's SAM template. @default "<project>/service/template.yaml" */
  template: path.join(PROJECT_ROOT, "service", "template.yaml"),
  /** Account id in ARNs and API Gateway events. @default "123456789012" */
  accountId: "123456789012",
  /** Version published at start-up and pointed to by the template's alias. */
  initialVersion: "1",
  /** Name of the CloudFormation stack the stage answers DescribeStacks / ListStackResources about. */
  stackName: "powerbench-local",
} as const;

export interface StageOptions {
  /** Port of the API front. @default 0 */
  port?: number;
  /** LevelDB directory for an on-disk DynamoDB; in memory when absent. */
  dynamodbPath?: string;
  /** Memory of the function; @default the template's MemorySize */
  memoryMb?: number;
  /** Reserved concurrency of the function (throttles beyond it); unreserved when absent. */
  reservedConcurrency?: number;
  /** @default "auto" */
  cpuScaling?: "auto" | "off";
  /** Idle time after which a warm execution environment is reclaimed; the emulator's default when absent. */
  idleTimeoutMs?: number;
  /** API Gateway's integration timeout. @default 29000 */
  integrationTimeoutMs?: number;
  /** Path of the SAM template. @default DEFAULTS.template */
  template?: string;
  /** @default "us-east-1" */
  region?: string;
  /** Extra Node.js flags for every execution environment (e.g. ["--prof"] to profile under load). */
  runtimeNodeArgs?: string[];
  /**
   * Freeze idle execution environments as Lambda does (stage/lambda/local-lambda.ts); off only to measure what
   * it changes side by side (stage/stage.perf.ts). @default true
   */
  freezeIdleEnvironments?: boolean;
  /** The stack's name in CloudFormation's answers. @default DEFAULTS.stackName */
  stackName?: string;
  /**
   * Admit at most as many invocations at once as the host's capacity gives their CPU shares (capacity.ts):
   * "host" derives it from this host's cores (one reserved for the front, dynalite and the load engine);
   * off when absent (tests oversubscribe on purpose). The bench sets "host".
   */
  capacity?: "host" | HostCapacity;
  /** With `capacity: "host"`: pin this process and the environments to separate CPUs. @default true */
  pinCpus?: boolean;
  /**
   * With the environments pinned: keep the CPUs from idling (a CPU latency request, else SCHED_IDLE busy loops), so
   * a throttled environment's slices start on a running core as on a Lambda host (lambda/core-filler.ts,
   * docs/fidelity.md "Idle cores").
   * @default true
   */
  fillIdleCpus?: boolean;
  /** More folders the AWS endpoint's CreateFunction / UpdateFunctionCode may take code from (the project always). */
  codeRoots?: string[];
}

export interface LocalStage {
  /** The endpoints, as the tuner and the load engines use them. */
  stage: Stage;
  lambda: LocalLambda;
  metrics: MetricStore;
  logs: LogStore;
  /** The service's template, as read at start-up. */
  template: ServiceTemplate;
  dynamodb: LocalDynamoDb;
  api: ApiGatewayFront;
  /** The CloudFormation stack it deployed, as DescribeStacks and ListStackResources answer. */
  stackName: string;
  /** With `capacity: "host"`: the CPUs this process and the environments were pinned to, or why not. */
  cpuPinning?: CpuPinning;
  /** With the environments pinned: how the CPUs are kept from idling (lambda/core-filler.ts), or why they are not. */
  coreFiller?: CoreFiller;
  /** Stops the API front, the AWS endpoint, every execution environment and dynalite. Safe to call twice. */
  stop(): Promise<void>;
}

/** The stage could not start; what was started has been stopped again. */
export class StageStartError extends Error {
  override readonly name = "StageStartError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Builds the service bundle (service/bundle.ts) when the template's code directory has no entry file yet. A
 * user's template (any other path) is not ours to build: its code must be there already.
 */
async function ensureBundle(codeDir: string, handler: string, templatePath: string): Promise<void> {
  const moduleName = handler.slice(0, handler.lastIndexOf(".")) || "index";
  const candidates = [".mjs", ".js", ".cjs"].map((ext) => path.join(codeDir, `${moduleName}${ext}`));
  if (candidates.some((file) => existsSync(file))) return;
  if (path.resolve(templatePath) !== DEFAULTS.template) {
    throw new StageStartError(
      `the function's code is missing: expected ${candidates.join(" or ")} (CodeUri + Handler of ${templatePath}); ` +
        "build your function first (e.g. sam build's output, or esbuild) and point CodeUri at the folder",
    );
  }
  const { buildBundles } = await import("../service/bundle.ts");
  await buildBundles();
  if (!candidates.some((file) => existsSync(file))) {
    throw new StageStartError(
      `the service bundle is missing: expected ${candidates[0]} (the template's CodeUri + Handler) after ` +
        "`npm run build`; check CodeUri in the template and the bundles in service/bundle.ts",
    );
  }
}

/**
 * Starts the local stage on 127.0.0.1.
 *
 * @example const { stage, stop } = await startStage({ memoryMb: 512, integrationTimeoutMs: 5000 });
 */
export async function startStage(options: StageOptions = {}): Promise<LocalStage> {
  const templatePath = options.template ?? DEFAULTS.template;
  const region = options.region ?? DEFAULTS.region;
  const template = loadServiceTemplate(templatePath, { "AWS::Region": region });
  const fn = template.function;
  const codeDir = path.resolve(path.dirname(templatePath), fn.codeUri);
  await ensureBundle(codeDir, fn.handler, templatePath);

  // Every part started is pushed here, so a failure half-way stops the rest in reverse order.
  const stops: (() => Promise<void> | void)[] = [];
  let cpuPinning: CpuPinning | undefined;
  let coreFiller: CoreFiller | undefined;
  const stopAll = async () => {
    const errors: unknown[] = [];
    for (const stop of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0)
      throw new AggregateError(errors, `stopping the local stage failed: ${errors.map(String).join("; ")}`);
  };

  // esbuild (the service bundle, the Lambda runtime bundle) leaves its service process running; stop it last.
  // esbuild starts a new one if anything in this process builds again.
  stops.push(async () => {
    const esbuild = await import("esbuild");
    await esbuild.stop();
  });

  try {
    const dynamodb = await startDynamoDb({
      tableName: template.tableName,
      keyName: template.tableKeyName,
      keySchema: template.tableKeySchema,
      region,
      ...(options.dynamodbPath ? { path: options.dynamodbPath } : {}),
    });
    stops.push(() => dynamodb.stop());

    const metrics = new MetricStore();
    const logs = new LogStore();
    const capacity = options.capacity === "host" ? deriveCapacity(hostCores()) : options.capacity;
    // "host": this process on the reserved core, the environments on the rest (capacity.ts).
    if (options.capacity === "host" && capacity && options.pinCpus !== false) {
      cpuPinning = pinToCapacity(capacity);
      const pinning = cpuPinning;
      if (pinning.pinned) stops.push(async () => pinning.restore());
      if (pinning.pinned && options.fillIdleCpus !== false) {
        const filler = startCoreFiller(pinning.environmentCpus);
        coreFiller = filler;
        if (filler.filling) stops.push(() => filler.stop());
      }
    }
    const lambda = new LocalLambda({
      metricSink: metrics,
      logSink: logs,
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      ...(options.runtimeNodeArgs ? { runtimeNodeArgs: options.runtimeNodeArgs } : {}),
      ...(options.freezeIdleEnvironments === false ? { freezeIdleEnvironments: false } : {}),
      cpuScaling: options.cpuScaling ?? DEFAULTS.cpuScaling,
      ...(capacity ? { capacity, maxParallelBoots: Math.max(1, Math.floor(capacity.environmentCores)) } : {}),
      ...(cpuPinning?.pinned && capacity
        ? {
            environmentCpus: cpuPinning.environmentCpus,
            // An environment's helper threads (V8's) run on the reserved CPUs, as on a sandbox's second vCPU:
            // beside its main thread, never in its way (docs/fidelity.md, "Capacity").
            environmentHelperCpus: cpuPinning.reservedCpus,
            hostCores: capacity.environmentCores,
          }
        : {}),
      // AWS_REGION and the credentials are reserved variables: Lambda sets them in each environment itself.
      region,
      accountId: DEFAULTS.accountId,
      credentials: LOCAL_CREDENTIALS,
    });
    stops.push(() => lambda.close());

    // The AWS endpoint takes requests signed with these only; a fresh secret each start, printed by `npm run stage`.
    const credentials = { accessKeyId: "local", secretAccessKey: randomBytes(16).toString("hex") };
    const stacks = new StackStore();
    const aws = await startAwsEndpoint({
      lambda,
      metrics,
      logs,
      stacks,
      port: 0,
      credentials,
      ...(options.codeRoots ? { codeRoots: [...DEFAULT_CODE_ROOTS, ...options.codeRoots] } : {}),
    });
    stops.push(() => aws.close());

    await lambda.createFunction({
      FunctionName: fn.name,
      Handler: fn.handler,
      Runtime: fn.runtime,
      MemorySize: options.memoryMb ?? fn.memoryMb,
      Timeout: fn.timeoutS,
      Architectures: fn.architectures,
      Environment: {
        // The template's own variables (its table's name through !Ref, whatever the variable is called), and the
        // AWS SDK's endpoint variable, so a client built without an endpoint reaches dynalite.
        Variables: { ...fn.environment, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint },
      },
      Code: { LocalPath: codeDir },
    });
    if (options.reservedConcurrency !== undefined) {
      await lambda.putFunctionConcurrency(fn.name, options.reservedConcurrency);
    }
    const version = await lambda.publishVersion(fn.name, {});
    await lambda.createAlias(fn.name, {
      Name: fn.aliasName,
      FunctionVersion: String(version["Version"] ?? DEFAULTS.initialVersion),
    });

    // The stack as CloudFormation would list it, with the ids created here (stage/aws-api/local-stack.ts).
    const stackName = options.stackName ?? DEFAULTS.stackName;
    const templateText = readFileSync(templatePath, "utf8");
    const deployed = {
      stackName,
      region,
      accountId: DEFAULTS.accountId,
      parameters: template.parameters,
      functionName: fn.name,
      aliasName: fn.aliasName,
      version: String(version["Version"] ?? DEFAULTS.initialVersion),
      tableName: template.tableName,
      restApiId: newRestApiId(),
      apiStageName: template.apiStageName,
      apiUrl: "",
    };
    // SAM names a REST API without a Name after the stack: the ApiName dimension of its metrics.
    const apiName = restApiNameOf(templateText, templatePath, deployed);
    const api = await startApiGateway({
      routes: template.routes,
      apiType: template.apiType,
      stageName: template.apiStageName,
      apiName,
      apiId: deployed.restApiId,
      invoker: lambda,
      functionName: fn.name,
      qualifier: fn.aliasName,
      metricSink: metrics,
      accountId: DEFAULTS.accountId,
      port: options.port ?? DEFAULTS.port,
      stageVariables: template.stageVariables,
      ...(template.binaryMediaTypes.length > 0 ? { binaryMediaTypes: template.binaryMediaTypes } : {}),
      ...(options.integrationTimeoutMs !== undefined
        ? { integrationTimeoutMs: options.integrationTimeoutMs }
        : {}),
    });
    stops.push(() => api.close());
    const stack = buildLocalStack(templateText, templatePath, { ...deployed, apiUrl: api.url });
    for (const r of stack.resources) {
      // The log groups the template declares exist from the start, as CloudFormation creates them.
      if (r.resourceType === "AWS::Logs::LogGroup") logs.createLogGroup(r.physicalResourceId);
    }
    stacks.add(stack);

    const stage: Stage = {
      name: "local",
      region,
      apiUrl: api.url,
      apiType: template.apiType,
      apiName,
      ...(template.apiType === "HTTP" ? { apiId: api.apiId } : {}),
      apiStageName: template.apiStageName,
      functionName: fn.name,
      alias: fn.aliasName,
      tableName: template.tableName,
      awsEndpoint: aws.url,
      dynamodbEndpoint: dynamodb.endpoint,
      credentials: { ...credentials },
      cpuScaling: lambda.cpuScaling,
      supportsArchitectures: false,
    };
    return {
      stage,
      lambda,
      metrics,
      logs,
      template,
      dynamodb,
      api,
      stackName,
      ...(cpuPinning ? { cpuPinning } : {}),
      ...(coreFiller ? { coreFiller } : {}),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw new StageStartError(`the local stage did not start: ${(error as Error).message}`, { cause: error });
  }
}
