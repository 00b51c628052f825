/**
 * TEST SUPPORT ONLY: a minimal in-memory LambdaControlPlane, so the AWS endpoint's wire layer can be tested
 * through the real SDK clients without the Lambda emulator (stage/lambda). Handlers are plain functions run
 * in-process; state transitions (Pending → Active, InProgress → Successful) take `transitionMs` so the SDK
 * waiters have something to wait for. It writes START/END/REPORT lines and Invocations/Duration metrics to
 * the sinks when given, in the formats Lambda uses. It is not the stage's Lambda: never use it outside tests.
 */
import { randomUUID } from "node:crypto";
import {
  type InvokeOutcome,
  type InvokeRequest,
  LambdaApiError,
  type LambdaControlPlane,
  type LogSink,
  type MetricSink,
} from "../../contracts.ts";

export type TestHandler = (event: unknown) => unknown | Promise<unknown>;

type Config = Record<string, unknown>;

interface Fn {
  latest: Config;
  versions: Map<string, Config>;
  aliases: Map<string, Config>;
  reserved?: number;
  nextVersion: number;
  inFlight: number;
}

const ARN = "arn:aws:lambda:us-east-1:000000000000:function:";

export class InMemoryLambda implements LambdaControlPlane {
  private readonly functions = new Map<string, Fn>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    /** Handler name (the function's `Handler` setting) → handler. */
    private readonly handlers: Record<string, TestHandler>,
    private readonly sinks: { logs?: LogSink; metrics?: MetricSink; transitionMs?: number } = {},
  ) {}

  /** Stops pending state transitions. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
  }

  async createFunction(input: Config): Promise<Config> {
    const name = String(input["FunctionName"]);
    if (this.functions.has(name))
      throw new LambdaApiError("ResourceConflictException", 409, `Function already exist: ${name}`);
    const latest: Config = {
      FunctionName: name,
      FunctionArn: ARN + name,
      Runtime: input["Runtime"] ?? "nodejs20.x",
      Handler: input["Handler"] ?? "index.handler",
      MemorySize: input["MemorySize"] ?? 128,
      Timeout: input["Timeout"] ?? 3,
      Architectures: input["Architectures"] ?? ["x86_64"],
      Environment: input["Environment"],
      Version: "$LATEST",
      CodeSha256: "local",
      LastModified: new Date().toISOString().replace("Z", "+0000"),
      State: "Pending",
      LastUpdateStatus: "InProgress",
    };
    this.functions.set(name, {
      latest,
      versions: new Map(),
      aliases: new Map(),
      nextVersion: 1,
      inFlight: 0,
    });
    this.later(() => Object.assign(latest, { State: "Active", LastUpdateStatus: "Successful" }));
    return { ...latest };
  }

  async getFunction(name: string, qualifier?: string): Promise<Config> {
    const fn = this.fn(name);
    return {
      Configuration: { ...this.config(name, qualifier) },
      Code: { RepositoryType: "S3", Location: "http://127.0.0.1:1/code.zip" },
      ...(fn.reserved !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reserved } } : {}),
    };
  }

  async getFunctionConfiguration(name: string, qualifier?: string): Promise<Config> {
    return { ...this.config(name, qualifier) };
  }

  async updateFunctionConfiguration(name: string, input: Config): Promise<Config> {
    const fn = this.fn(name);
    if (fn.latest["LastUpdateStatus"] === "InProgress") {
      throw new LambdaApiError(
        "ResourceConflictException",
        409,
        `The operation cannot be performed at this time. An update is in progress for resource: ${ARN}${name}`,
      );
    }
    for (const key of ["MemorySize", "Timeout", "Environment", "Handler"]) {
      if (input[key] !== undefined) fn.latest[key] = input[key];
    }
    fn.latest["LastUpdateStatus"] = "InProgress";
    this.later(() => {
      fn.latest["LastUpdateStatus"] = "Successful";
    });
    return { ...fn.latest };
  }

  async updateFunctionCode(name: string, input: Config): Promise<Config> {
    return this.updateFunctionConfiguration(name, { Architectures: input["Architectures"] });
  }

  async publishVersion(name: string, input: Config): Promise<Config> {
    const fn = this.fn(name);
    const version = String(fn.nextVersion++);
    const config: Config = {
      ...fn.latest,
      Version: version,
      FunctionArn: `${ARN}${name}:${version}`,
      Description: input["Description"] ?? "",
      State: "Pending",
    };
    fn.versions.set(version, config);
    this.later(() => {
      config["State"] = "Active";
    });
    return { ...config };
  }

  async listVersionsByFunction(name: string): Promise<Config[]> {
    const fn = this.fn(name);
    return [{ ...fn.latest }, ...[...fn.versions.values()].map((c) => ({ ...c }))];
  }

  async createAlias(name: string, input: Config): Promise<Config> {
    const fn = this.fn(name);
    const alias = String(input["Name"]);
    if (fn.aliases.has(alias))
      throw new LambdaApiError("ResourceConflictException", 409, `Alias already exists: ${alias}`);
    this.config(name, String(input["FunctionVersion"]));
    const config = {
      Name: alias,
      FunctionVersion: input["FunctionVersion"],
      AliasArn: `${ARN}${name}:${alias}`,
      RevisionId: randomUUID(),
    };
    fn.aliases.set(alias, config);
    return { ...config };
  }

  async updateAlias(name: string, alias: string, input: Config): Promise<Config> {
    const config = await this.getAliasConfig(name, alias);
    if (input["FunctionVersion"] !== undefined) {
      this.config(name, String(input["FunctionVersion"]));
      config["FunctionVersion"] = input["FunctionVersion"];
    }
    return { ...config };
  }

  async getAlias(name: string, alias: string): Promise<Config> {
    return { ...(await this.getAliasConfig(name, alias)) };
  }

  async listAliases(name: string): Promise<Config[]> {
    return [...this.fn(name).aliases.values()].map((a) => ({ ...a }));
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    this.fn(name).aliases.delete(alias);
  }

  async deleteFunction(name: string, qualifier?: string): Promise<void> {
    const fn = this.fn(name);
    if (qualifier === undefined || qualifier === "$LATEST") {
      this.functions.delete(name);
      return;
    }
    if (!fn.versions.delete(qualifier)) throw this.notFound(name, qualifier);
  }

  async putFunctionConcurrency(name: string, n: number): Promise<Config> {
    this.fn(name).reserved = n;
    return { ReservedConcurrentExecutions: n };
  }

  async getFunctionConcurrency(name: string): Promise<Config> {
    const reserved = this.fn(name).reserved;
    return reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved };
  }

  async deleteFunctionConcurrency(name: string): Promise<void> {
    delete this.fn(name).reserved;
  }

  async listFunctions(): Promise<Config[]> {
    return [...this.functions.values()].map((f) => ({ ...f.latest }));
  }

  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const fn = this.functions.get(request.functionName);
    if (!fn) return { status: "not-found", message: `Function not found: ${ARN}${request.functionName}` };
    let config: Config;
    try {
      config = this.config(request.functionName, request.qualifier);
    } catch (error) {
      return { status: "not-found", message: (error as Error).message };
    }
    if (fn.reserved !== undefined && fn.inFlight >= fn.reserved) {
      return { status: "throttled", message: "Rate Exceeded. (reserved concurrency reached)" };
    }
    const handler = this.handlers[String(config["Handler"])];
    const requestId = randomUUID();
    const executedVersion = String(config["Version"]);
    const startMs = Date.now();
    fn.inFlight++;
    let outcome: InvokeOutcome;
    try {
      if (!handler) throw new Error(`no test handler named ${String(config["Handler"])}`);
      const result = await handler(JSON.parse(request.payload));
      outcome = { status: "ok", requestId, executedVersion, payload: JSON.stringify(result ?? null) };
    } catch (error) {
      const e = error as Error;
      outcome = {
        status: "function-error",
        functionError: "Unhandled",
        requestId,
        executedVersion,
        payload: JSON.stringify({ errorType: e.name, errorMessage: e.message }),
      };
    } finally {
      fn.inFlight--;
    }
    const durationMs = Date.now() - startMs + 0.01;
    const lines = [
      `START RequestId: ${requestId} Version: ${executedVersion}`,
      `END RequestId: ${requestId}`,
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${String(config["MemorySize"])} MB\tMax Memory Used: 42 MB\t`,
    ];
    const stream = `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[${executedVersion}]local`;
    this.sinks.logs?.append(
      `/aws/lambda/${request.functionName}`,
      stream,
      lines.map((message) => ({ timestampMs: Date.now(), message })),
    );
    const dimensions = { FunctionName: request.functionName };
    this.sinks.metrics?.put({
      namespace: "AWS/Lambda",
      metricName: "Invocations",
      dimensions,
      value: 1,
      unit: "Count",
      timestampMs: startMs,
    });
    this.sinks.metrics?.put({
      namespace: "AWS/Lambda",
      metricName: "Duration",
      dimensions,
      value: durationMs,
      unit: "Milliseconds",
      timestampMs: startMs,
    });
    return request.logTail ? { ...outcome, logTail: `${lines.join("\n")}\n` } : outcome;
  }

  private later(action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, this.sinks.transitionMs ?? 50);
    this.timers.add(timer);
  }

  private fn(name: string): Fn {
    const fn = this.functions.get(name);
    if (!fn) throw this.notFound(name);
    return fn;
  }

  private config(name: string, qualifier?: string): Config {
    const fn = this.fn(name);
    if (qualifier === undefined || qualifier === "$LATEST") return fn.latest;
    const version = fn.versions.get(qualifier);
    if (version) return version;
    const alias = fn.aliases.get(qualifier);
    if (!alias) throw this.notFound(name, qualifier);
    return this.config(name, String(alias["FunctionVersion"]));
  }

  private async getAliasConfig(name: string, alias: string): Promise<Config> {
    const config = this.fn(name).aliases.get(alias);
    if (!config)
      throw new LambdaApiError("ResourceNotFoundException", 404, `Alias not found: ${ARN}${name}:${alias}`);
    return config;
  }

  private notFound(name: string, qualifier?: string): LambdaApiError {
    return new LambdaApiError(
      "ResourceNotFoundException",
      404,
      `Function not found: ${ARN}${name}${qualifier ? `:${qualifier}` : ""}`,
    );
  }
}
