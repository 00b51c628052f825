/**
 * The local Lambda: the control plane (functions, versions, aliases, concurrency) and the data plane
 * (execution environments as OS processes, CPU scaled with memory through cgroups), writing START / END /
 * REPORT lines to the log sink and AWS/Lambda metrics to the metric sink. The AWS endpoint (stage/aws-api/)
 * serves it over REST-JSON; the API Gateway front calls `invoke`.
 *
 * @example
 * const lambda = new LocalLambda({ metricSink, logSink });
 * await lambda.createFunction({ FunctionName: "crud", Handler: "index.handler", Code: { LocalPath: "dist/service" } });
 * const outcome = await lambda.invoke({ functionName: "crud", payload: "{}" });
 * await lambda.close();
 */
import { randomUUID } from "node:crypto";
import os from "node:os";
import type { CpuScaling } from "../../tuning/stage.ts";
import {
  type InvokeOutcome,
  type InvokeRequest,
  LambdaApiError,
  type LambdaControlPlane,
  type LogSink,
  type MetricSink,
} from "../contracts.ts";
import { BootGate } from "./boot-gate.ts";
import { CapacityGate, type HostCapacity } from "./capacity.ts";
import {
  type CgroupManager,
  detectCgroups,
  type EnvironmentCgroup,
  INIT_CPU_MB,
  MB_PER_VCPU,
} from "./cgroups.ts";
import { ExecutionEnvironment, type InitResult, type InvocationResult } from "./environment.ts";
import { EnvironmentPool } from "./environment-pool.ts";
import { invalidRequestContent } from "./errors.ts";
import type { VersionSettings } from "./function-config.ts";
import { type FunctionRecord, FunctionRegistry, parseFunctionName } from "./function-registry.ts";
import { InvocationMetrics, type MetricContext } from "./invocation-metrics.ts";
import { InvocationLog, initFailure, MAX_PAYLOAD_BYTES, toOutcome } from "./invocation-record.ts";
import { billedDurationMs, endLine, initStartLine, reportLine, startLine } from "./platform-log.ts";
import { runtimeBundlePath } from "./runtime-bundle.ts";

export interface LocalLambdaOptions {
  metricSink: MetricSink;
  logSink: LogSink;
  /** @default "us-east-1" */
  region?: string;
  /** @default "123456789012" */
  accountId?: string;
  /** Idle environments are reclaimed after this long. @default 300_000 (5 min) */
  idleTimeoutMs?: number;
  /**
   * At most this many idle environments across all functions and versions; beyond it the least recently used
   * goes (a memory sweep leaves each old version's environments idle, ~45 MB each). @default 64
   */
  maxIdleEnvironments?: number;
  /**
   * Concurrency limit of a function without PutFunctionConcurrency. Each environment is a process, so the
   * local default is far below Lambda's account limit of 1,000. @default 32
   */
  defaultReservedConcurrency?: number;
  /** "auto": use cgroups where the machine allows; "off": never. @default "auto" */
  cpuScaling?: "auto" | "off";
  /** CFS period of the CPU quota, in µs (14,000–1,000,000). @default 20_000 (see cgroups.ts) */
  cfsPeriodUs?: number;
  /**
   * At most this many environments in INIT at once; further cold starts wait for a slot before their process
   * is spawned (not counted in their Init Duration). @default the host's cores (os.availableParallelism())
   */
  maxParallelBoots?: number;
  /**
   * At most as many invocations at once as these cores give their CPU shares; further ones wait before they
   * start, outside their Duration (capacity.ts: the formula). Off when absent. The bench sets
   * `deriveCapacity(hostCores())`.
   */
  capacity?: HostCapacity;
  /** The CPUs every environment's process runs on (`taskset -c` list, e.g. "1"); any when absent (capacity.ts). */
  environmentCpus?: string;
  /**
   * With `environmentCpus`: the CPUs an environment's threads other than the main one run on (e.g. "0"), as a
   * Lambda sandbox's second vCPU (environment.ts `helperCpus`).
   */
  environmentHelperCpus?: string;
  /**
   * Cores the environments run on: CpuShareDemand is over them and a CPU quota is capped at them.
   * @default os.availableParallelism() (pass it when this process is pinned to fewer CPUs than the environments)
   */
  hostCores?: number;
  /** Extra Node.js flags for every environment's process, e.g. ["--prof"] to profile one under load. */
  runtimeNodeArgs?: string[];
  /**
   * Freeze idle environments between invocations, as Lambda does (cgroup freezer, else SIGSTOP): a handler's
   * timers and background work do not run while its environment is idle, and an idle environment uses no CPU.
   * Off only to measure what freezing changes side by side (stage/stage.perf.ts). @default true
   */
  freezeIdleEnvironments?: boolean;
  /** How long LastUpdateStatus stays InProgress after an update. @default 100 */
  updateDelayMs?: number;
  /** Execution-role credentials put in each environment (AWS_ACCESS_KEY_ID, ...). @default local/local */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Where the bundled runtime is cached. @default <repo>/dist/stage */
  runtimeCacheDir?: string;
}

export const DEFAULTS = {
  region: "us-east-1",
  accountId: "123456789012",
  idleTimeoutMs: 300_000,
  maxIdleEnvironments: 64,
  defaultReservedConcurrency: 32,
  cpuScaling: "auto",
  updateDelayMs: 100,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
  /** Lambda allows INIT 10 s. */
  initTimeoutMs: 10_000,
  /** LogType Tail returns the last 4 KB. */
  logTailBytes: 4096,
  freezeIdleEnvironments: true,
} as const;

export class LocalLambda implements LambdaControlPlane {
  cpuScaling: CpuScaling;
  private readonly cgroups: CgroupManager | undefined;
  private readonly registry: FunctionRegistry;
  private readonly pool: EnvironmentPool;
  /** Bounds the environments in INIT at once (see boot-gate.ts). */
  readonly bootGate: BootGate;
  /** Bounds the invocations running at once to the host's capacity (see capacity.ts); undefined when off. */
  readonly capacityGate: CapacityGate | undefined;
  private readonly metrics: InvocationMetrics;
  private readonly region: string;
  private readonly defaultReservedConcurrency: number;
  private readonly credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  private closed = false;
  /** CPU shares (in cores) of the environments running an invocation or booting right now. */
  private cpuDemandCores = 0;
  private readonly hostCores: number;
  /** Highest CpuShareDemand (shares over host cores) seen since the last `takePeakCpuDemand`. */
  private peakCpuDemand = 0;
  constructor(private readonly options: LocalLambdaOptions) {
    this.region = options.region ?? DEFAULTS.region;
    this.hostCores = options.hostCores ?? os.availableParallelism();
    this.defaultReservedConcurrency =
      options.defaultReservedConcurrency ?? DEFAULTS.defaultReservedConcurrency;
    this.credentials = options.credentials ?? DEFAULTS.credentials;
    if ((options.cpuScaling ?? DEFAULTS.cpuScaling) === "off") {
      this.cpuScaling = { mode: "none", reason: 'CPU scaling was turned off (cpuScaling: "off")' };
    } else {
      const detected = detectCgroups(options.cfsPeriodUs, this.hostCores);
      this.cpuScaling = detected.scaling;
      this.cgroups = detected.manager;
    }
    this.pool = new EnvironmentPool(
      options.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
      options.maxIdleEnvironments ?? DEFAULTS.maxIdleEnvironments,
    );
    this.bootGate = new BootGate(options.maxParallelBoots ?? os.availableParallelism());
    this.capacityGate = options.capacity ? new CapacityGate(options.capacity) : undefined;
    this.metrics = new InvocationMetrics(options.metricSink);
    this.registry = new FunctionRegistry({
      region: this.region,
      accountId: options.accountId ?? DEFAULTS.accountId,
      updateDelayMs: options.updateDelayMs ?? DEFAULTS.updateDelayMs,
      onRetire: (name, version) => this.pool.retire((key) => key.startsWith(poolPrefix(name, version))),
    });
    live.add(this);
  }

  /** An environment's CPU share in cores: memory/1769 of one, at most the host's cores. */
  private shareCores(memoryMb: number): number {
    return Math.min(memoryMb / MB_PER_VCPU, this.hostCores);
  }

  /** The highest CpuShareDemand since the last call (diagnostics and tests), and resets it. */
  takePeakCpuDemand(): number {
    const peak = this.peakCpuDemand;
    this.peakCpuDemand = 0;
    return peak;
  }

  /** Number of live execution environments (idle and busy). */
  get environmentCount(): number {
    return this.pool.size;
  }

  /** Process ids of the live execution environments. */
  environmentPids(): number[] {
    return this.pool.pids();
  }

  /** How many times an idle environment was frozen so far (not when an invocation took it at once). */
  get freezes(): number {
    return this.pool.freezes;
  }

  /** Kills every environment at once without waiting, frozen ones included (this process is exiting). */
  killEnvironmentsNow(): void {
    this.pool.killAll();
  }

  // ---- control plane -------------------------------------------------------------------------------------

  async createFunction(input: Record<string, unknown>) {
    return this.registry.create(input);
  }
  async getFunction(functionName: string, qualifier?: string) {
    const fn = this.registry.require(functionName, qualifier);
    const configuration = this.registry.configuration(
      fn,
      qualifier ?? parseFunctionName(functionName).qualifier,
    );
    const settings = fn.latest;
    return {
      Configuration: configuration,
      Code: { RepositoryType: "S3", Location: `file://${settings.codeDir}` },
      ...(fn.reservedConcurrency === undefined
        ? {}
        : { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } }),
      Tags: {},
    };
  }
  async getFunctionConfiguration(functionName: string, qualifier?: string) {
    const fn = this.registry.require(functionName, qualifier);
    return this.registry.configuration(fn, qualifier ?? parseFunctionName(functionName).qualifier);
  }
  async updateFunctionConfiguration(functionName: string, input: Record<string, unknown>) {
    return this.registry.updateConfiguration(functionName, input);
  }
  async updateFunctionCode(functionName: string, input: Record<string, unknown>) {
    return this.registry.updateCode(functionName, input);
  }
  async publishVersion(functionName: string, input: Record<string, unknown>) {
    return this.registry.publish(functionName, input);
  }
  async listVersionsByFunction(functionName: string) {
    return this.registry.listVersions(functionName);
  }
  async createAlias(functionName: string, input: Record<string, unknown>) {
    return this.registry.createAlias(functionName, input);
  }
  async updateAlias(functionName: string, aliasName: string, input: Record<string, unknown>) {
    return this.registry.updateAlias(functionName, aliasName, input);
  }
  async getAlias(functionName: string, aliasName: string) {
    return this.registry.getAlias(functionName, aliasName);
  }
  async listAliases(functionName: string) {
    return this.registry.listAliases(functionName);
  }
  async deleteAlias(functionName: string, aliasName: string) {
    this.registry.deleteAlias(functionName, aliasName);
  }
  async deleteFunction(functionName: string, qualifier?: string) {
    this.registry.delete(functionName, qualifier);
  }
  async putFunctionConcurrency(functionName: string, reservedConcurrentExecutions: number) {
    return this.registry.putConcurrency(functionName, reservedConcurrentExecutions);
  }
  async getFunctionConcurrency(functionName: string) {
    return this.registry.getConcurrency(functionName);
  }
  async deleteFunctionConcurrency(functionName: string) {
    this.registry.deleteConcurrency(functionName);
  }
  async listFunctions() {
    return this.registry.list();
  }

  // ---- data plane ----------------------------------------------------------------------------------------

  async invoke(request: InvokeRequest): Promise<InvokeOutcome> {
    const parsed = parseFunctionName(request.functionName);
    const qualifier = request.qualifier ?? parsed.qualifier;
    const fn = this.registry.find(parsed.name);
    const resolved = fn ? this.registry.resolve(fn, qualifier) : undefined;
    if (!fn || !resolved) {
      return {
        status: "not-found",
        message: `Function not found: ${this.registry.arn(parsed.name, qualifier)}`,
      };
    }
    if (this.closed) {
      throw new LambdaApiError(
        "ServiceException",
        500,
        "The local Lambda is closed: create a new LocalLambda.",
      );
    }
    const payload = request.payload.length === 0 ? "{}" : request.payload;
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
      throw new LambdaApiError(
        "RequestTooLargeException",
        413,
        `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
      );
    }
    try {
      JSON.parse(payload);
    } catch (error) {
      throw invalidRequestContent((error as Error).message);
    }
    const { version, settings } = resolved;
    const metricAt: MetricContext = {
      functionName: fn.name,
      qualifier,
      viaAlias: qualifier !== undefined && fn.aliases.has(qualifier),
      executedVersion: version,
      timestampMs: Date.now(),
    };
    // Beyond the host's capacity the invocation waits here, before it counts as running (a host artefact:
    // Lambda has no such queue, so it is neither concurrency nor a throttle) and before an environment is taken.
    let releaseCapacity: (() => void) | undefined;
    if (this.capacityGate) {
      const admitted = await this.capacityGate.acquire(settings.memoryMb);
      releaseCapacity = admitted.release;
      this.metrics.putLocal("CapacityWait", admitted.waitedMs, metricAt);
      this.metrics.putLocal("CapacityWaited", admitted.waitedMs > 0 ? 1 : 0, metricAt);
      this.metrics.putLocal("InvocationCap", this.capacityGate.capAt(settings.memoryMb), metricAt);
      this.metrics.putLocal("CapacityCores", this.capacityGate.capacity.environmentCores, metricAt);
    }
    const limit = fn.reservedConcurrency ?? this.defaultReservedConcurrency;
    if (fn.inFlight >= limit) {
      releaseCapacity?.();
      this.metrics.put("Throttles", 1, metricAt);
      return { status: "throttled", message: "Rate Exceeded." };
    }
    fn.inFlight++;
    this.metrics.put("ConcurrentExecutions", fn.inFlight, metricAt);
    // While it runs, an invocation wants its memory share of a core (a cold start's INIT one vCPU first).
    const shareCores = this.shareCores(settings.memoryMb);
    this.cpuDemandCores += shareCores;
    try {
      return await this.run(fn, settings, version, qualifier, payload, request.logTail === true, metricAt);
    } finally {
      this.cpuDemandCores -= shareCores;
      releaseCapacity?.();
      fn.inFlight--;
    }
  }

  private async run(
    fn: FunctionRecord,
    settings: VersionSettings,
    version: string,
    qualifier: string | undefined,
    payload: string,
    logTail: boolean,
    metricAt: MetricContext,
  ): Promise<InvokeOutcome> {
    const requestId = randomUUID();
    const log = new InvocationLog();
    const key = `${poolPrefix(fn.name, version)}${settings.revisionId}`;
    let env = this.pool.take(key);
    let init: InitResult | undefined;
    if (!env) {
      ({ env, init } = await this.startEnvironment(settings, version, key));
      // INIT began at the spawn, after any wait for a boot slot.
      const initStartedAt = new Date(Math.round(env.initStartedEpochMs));
      log.add(
        initStartLine(settings.logFormat, initStartedAt, {
          region: this.region,
          functionName: fn.name,
          version,
          nodeVersion: process.versions.node,
        }),
        initStartedAt.getTime(),
      );
      log.addCaptured(init.lines);
    }
    const demand = this.cpuDemandCores / this.hostCores;
    this.peakCpuDemand = Math.max(this.peakCpuDemand, demand);
    if (this.cgroups && this.cpuScaling.mode !== "none")
      this.metrics.putLocal("CpuShareDemand", demand, metricAt);
    const startedAt = new Date();
    log.add(startLine(settings.logFormat, startedAt, requestId, version), startedAt.getTime());
    let result: InvocationResult;
    if (init && !init.ok) {
      env.kill();
      result = initFailure(init, log);
    } else {
      const invokedArn = this.registry.arn(fn.name, qualifier);
      result = await env.invoke(requestId, payload, invokedArn, settings.timeoutS * 1000);
    }
    log.addCaptured(result.lines);

    const initDurationMs = env.pendingInitDurationMs;
    env.pendingInitDurationMs = undefined;
    const outcome = toOutcome(requestId, version, settings.timeoutS, result, log);
    const end = endLine(settings.logFormat, requestId);
    if (end) log.add(end);
    log.add(
      reportLine(settings.logFormat, new Date(), {
        requestId,
        durationMs: result.durationMs,
        billedDurationMs: billedDurationMs(
          result.durationMs,
          initDurationMs,
          // A timed-out invocation is billed its timeout (the INIT before it is billed on top).
          result.kind === "timeout" ? settings.timeoutS * 1000 : undefined,
        ),
        memorySizeMb: settings.memoryMb,
        maxMemoryUsedMb: result.maxMemoryUsedMb,
        ...(initDurationMs === undefined ? {} : { initDurationMs }),
        ...(result.kind === "timeout" ? { status: "timeout" as const } : {}),
        ...(result.kind === "crash" ? { status: "error" as const, errorType: result.errorType } : {}),
      }),
    );
    this.options.logSink.append(settings.logGroup, env.logStreamName, log.events);
    this.pool.release(env);

    const at = { ...metricAt, timestampMs: Date.now() };
    this.metrics.put("Invocations", 1, at);
    this.metrics.put("Errors", outcome.status === "ok" ? 0 : 1, at);
    this.metrics.put("Duration", result.durationMs, at);
    if (result.kind === "done" && result.hostWaitMs !== undefined) {
      this.metrics.putLocal("HostCpuWait", result.hostWaitMs, at);
    }
    if (logTail) outcome.logTail = log.tail(DEFAULTS.logTailBytes);
    return outcome;
  }

  private async startEnvironment(settings: VersionSettings, version: string, poolKey: string) {
    const runtimePath = await runtimeBundlePath(this.options.runtimeCacheDir);
    const releaseBoot = await this.bootGate.acquire();
    // During INIT the environment wants one vCPU instead of its memory share (counted by invoke).
    const bootExtraCores = this.shareCores(INIT_CPU_MB) - this.shareCores(settings.memoryMb);
    this.cpuDemandCores += bootExtraCores;
    try {
      return await this.bootEnvironment(settings, version, poolKey, runtimePath);
    } finally {
      this.cpuDemandCores -= bootExtraCores;
      releaseBoot();
    }
  }

  private async bootEnvironment(
    settings: VersionSettings,
    version: string,
    poolKey: string,
    runtimePath: string,
  ) {
    if (this.closed) {
      throw new LambdaApiError(
        "ServiceException",
        500,
        "The local Lambda is closed: create a new LocalLambda.",
      );
    }
    let cgroup: EnvironmentCgroup | undefined;
    if (this.cgroups && this.cpuScaling.mode !== "none") {
      try {
        cgroup = this.cgroups.create(settings.memoryMb);
      } catch (error) {
        this.disableScaling(error as Error);
      }
    }
    const { env, init } = ExecutionEnvironment.start({
      poolKey,
      functionName: settings.functionName,
      version,
      memoryMb: settings.memoryMb,
      handler: settings.handler,
      codeDir: settings.codeDir,
      logFormat: settings.logFormat,
      ...(settings.applicationLogLevel ? { applicationLogLevel: settings.applicationLogLevel } : {}),
      logGroupName: settings.logGroup,
      region: this.region,
      variables: settings.variables ?? {},
      credentials: this.credentials,
      runtimePath,
      ...(this.options.runtimeNodeArgs ? { nodeArgs: this.options.runtimeNodeArgs } : {}),
      initTimeoutMs: DEFAULTS.initTimeoutMs,
      freezeWhenIdle: this.options.freezeIdleEnvironments ?? DEFAULTS.freezeIdleEnvironments,
      ...(this.options.environmentCpus ? { cpus: this.options.environmentCpus } : {}),
      ...(this.options.environmentCpus && this.options.environmentHelperCpus
        ? { helperCpus: this.options.environmentHelperCpus }
        : {}),
      ...(cgroup ? { cgroup } : {}),
      onCgroupFailure: (error) => this.disableScaling(error),
      onStrayLines: (env, lines) => {
        const stray = new InvocationLog();
        stray.addCaptured(lines);
        this.options.logSink.append(settings.logGroup, env.logStreamName, stray.events);
      },
      onExit: (env) => this.pool.forget(env),
    });
    // In the pool from the start, so close() during a cold start kills it too.
    this.pool.add(env);
    return { env, init: await init };
  }

  /** A cgroup operation failed after detection: run unthrottled from now on and say why. */
  private disableScaling(error: Error): void {
    if (this.cpuScaling.mode === "none") return;
    this.cpuScaling = { mode: "none", reason: `CPU scaling stopped: ${error.message}` };
  }

  /** Kills every environment, removes every cgroup this emulator created, stops timers. */
  async close(): Promise<void> {
    this.closed = true;
    this.registry.close();
    await this.pool.closeAll();
    await this.cgroups?.removeAll();
    live.delete(this);
  }
}

/**
 * Emulators not closed yet: if the process exits without close(), their environments die with it (a frozen
 * one is thawed after the SIGKILL: it would not see this process go).
 */
const live = new Set<LocalLambda>();
process.on("exit", () => {
  for (const lambda of live) lambda.killEnvironmentsNow();
});

/** Pool keys are "<function>\n<version>\n<revision>": retiring by prefix covers a version or a whole function. */
function poolPrefix(functionName: string, version: string | undefined): string {
  return version === undefined ? `${functionName}\n` : `${functionName}\n${version}\n`;
}
