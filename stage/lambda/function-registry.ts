/**
 * The Lambda control plane's state: functions, $LATEST, published versions (each a frozen configuration),
 * aliases and reserved concurrency, with Lambda's ARNs, rules and error answers. Configuration updates go
 * InProgress → Successful after `updateDelayMs`, like Lambda's, so the SDK's waiters have something to wait
 * for; invocations keep running the previous configuration until then.
 */
import { randomUUID } from "node:crypto";
import { conflict, invalidParameter, notFound, revisionMismatch, updateInProgress } from "./errors.ts";
import {
  applyConfiguration,
  CONFIG_DEFAULTS,
  fingerprint,
  lambdaTimestamp,
  readCode,
  renderConfiguration,
  type VersionSettings,
} from "./function-config.ts";

export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  revisionId: string;
}

export interface FunctionRecord {
  name: string;
  /** $LATEST as the API shows it (may be InProgress). */
  latest: VersionSettings;
  /** $LATEST as environments run it: the previous configuration until an update completes. */
  effective: VersionSettings;
  updating: boolean;
  updateTimer?: NodeJS.Timeout;
  versions: Map<string, VersionSettings>;
  aliases: Map<string, AliasRecord>;
  nextVersion: number;
  reservedConcurrency?: number;
  /** Invocations running now (reserved concurrency counts these). */
  inFlight: number;
}

export interface RegistryOptions {
  region: string;
  accountId: string;
  updateDelayMs: number;
  /** Environments of `functionName` whose version matches must go (configuration changed or version deleted). */
  onRetire: (functionName: string, version: string | undefined) => void;
}

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ALIAS_NAME = /^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/;

/** Splits a function name, partial ARN or full ARN into name and qualifier. */
export function parseFunctionName(nameOrArn: string): { name: string; qualifier?: string } {
  const marker = nameOrArn.indexOf("function:");
  const tail = marker >= 0 ? nameOrArn.slice(marker + "function:".length) : nameOrArn;
  const [name = "", qualifier] = tail.split(":");
  return qualifier === undefined ? { name } : { name, qualifier };
}

export class FunctionRegistry {
  private readonly functions = new Map<string, FunctionRecord>();

  constructor(private readonly options: RegistryOptions) {}

  arn(name: string, qualifier?: string): string {
    const base = `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
    return qualifier ? `${base}:${qualifier}` : base;
  }

  /** The function, or a 404 with Lambda's message. */
  require(nameOrArn: string, qualifier?: string): FunctionRecord {
    const parsed = parseFunctionName(nameOrArn);
    const fn = this.functions.get(parsed.name);
    if (!fn) throw notFound("Function", this.arn(parsed.name, qualifier ?? parsed.qualifier));
    return fn;
  }

  find(nameOrArn: string): FunctionRecord | undefined {
    return this.functions.get(parseFunctionName(nameOrArn).name);
  }

  /** Resolves "$LATEST", a version or an alias to the version that runs and its configuration. */
  resolve(
    fn: FunctionRecord,
    qualifier = "$LATEST",
  ): { version: string; settings: VersionSettings } | undefined {
    const version = fn.aliases.get(qualifier)?.functionVersion ?? qualifier;
    if (version === "$LATEST") return { version, settings: fn.effective };
    const settings = fn.versions.get(version);
    return settings ? { version, settings } : undefined;
  }

  private resolveOr404(fn: FunctionRecord, qualifier?: string): VersionSettings {
    if (qualifier === undefined || qualifier === "$LATEST") return fn.latest;
    const resolved = this.resolve(fn, qualifier);
    if (!resolved) throw notFound("Function", this.arn(fn.name, qualifier));
    return resolved.settings;
  }

  configuration(fn: FunctionRecord, qualifier?: string): Record<string, unknown> {
    const settings = this.resolveOr404(fn, qualifier);
    const isLatest = settings === fn.latest;
    return renderConfiguration(settings, {
      functionArn: this.arn(
        fn.name,
        isLatest && qualifier === undefined ? undefined : (qualifier ?? settings.version),
      ),
      lastUpdateStatus: isLatest && fn.updating ? "InProgress" : "Successful",
    });
  }

  create(input: Record<string, unknown>): Record<string, unknown> {
    const name = input["FunctionName"];
    if (typeof name !== "string" || !FUNCTION_NAME.test(name)) {
      throw invalidParameter(
        `FunctionName '${String(name)}' is not valid: expected 1 to 64 letters, digits, hyphens or underscores.`,
      );
    }
    if (this.functions.has(name)) throw conflict(`Function already exist: ${name}`);
    const handler = typeof input["Handler"] === "string" ? input["Handler"] : "index.handler";
    const code = readCode((input["Code"] as { LocalPath?: unknown } | undefined)?.LocalPath, handler);
    const base: VersionSettings = {
      functionName: name,
      version: "$LATEST",
      runtime: CONFIG_DEFAULTS.runtime,
      role: `arn:aws:iam::${this.options.accountId}:role/powerbench-local`,
      handler,
      description: "",
      memoryMb: CONFIG_DEFAULTS.memoryMb,
      timeoutS: CONFIG_DEFAULTS.timeoutS,
      logFormat: "Text",
      logGroup: `/aws/lambda/${name}`,
      architectures: [...CONFIG_DEFAULTS.architectures],
      ephemeralStorageMb: CONFIG_DEFAULTS.ephemeralStorageMb,
      ...code,
      revisionId: randomUUID(),
      lastModified: lambdaTimestamp(),
    };
    const settings = applyConfiguration(base, input);
    const fn: FunctionRecord = {
      name,
      latest: settings,
      effective: settings,
      updating: false,
      versions: new Map(),
      aliases: new Map(),
      nextVersion: 1,
      inFlight: 0,
    };
    this.functions.set(name, fn);
    if (input["Publish"] === true) return this.publish(name, {});
    return this.configuration(fn);
  }

  private checkRevision(expected: unknown, actual: string): void {
    if (typeof expected === "string" && expected !== actual) throw revisionMismatch();
  }

  private beginUpdate(fn: FunctionRecord, next: VersionSettings): void {
    fn.latest = next;
    fn.updating = true;
    // Updates are sequential on Lambda: a second one now answers ResourceConflictException.
    fn.updateTimer = setTimeout(() => {
      fn.updating = false;
      fn.updateTimer = undefined;
      fn.effective = fn.latest;
      this.options.onRetire(fn.name, "$LATEST");
    }, this.options.updateDelayMs);
    fn.updateTimer.unref();
  }

  updateConfiguration(nameOrArn: string, input: Record<string, unknown>): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    if (fn.updating) throw updateInProgress(this.arn(fn.name));
    this.checkRevision(input["RevisionId"], fn.latest.revisionId);
    let next = applyConfiguration(fn.latest, input);
    if (next.handler !== fn.latest.handler) next = { ...next, ...readCode(next.codeDir, next.handler) };
    this.beginUpdate(fn, next);
    return this.configuration(fn);
  }

  updateCode(nameOrArn: string, input: Record<string, unknown>): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    if (fn.updating) throw updateInProgress(this.arn(fn.name));
    this.checkRevision(input["RevisionId"], fn.latest.revisionId);
    if (
      input["ZipFile"] !== undefined ||
      input["S3Bucket"] !== undefined ||
      input["ImageUri"] !== undefined
    ) {
      throw invalidParameter(
        "The local stage takes code from a directory: pass LocalPath instead of ZipFile/S3/ImageUri.",
      );
    }
    const localPath = input["LocalPath"] ?? fn.latest.codeDir;
    const architectures = input["Architectures"];
    let next = applyConfiguration(
      fn.latest,
      architectures === undefined ? {} : { Architectures: architectures },
    );
    next = { ...next, ...readCode(localPath, next.handler) };
    if (input["Publish"] === true) {
      fn.latest = next;
      fn.effective = next;
      this.options.onRetire(fn.name, "$LATEST");
      return this.publish(fn.name, {});
    }
    this.beginUpdate(fn, next);
    return this.configuration(fn);
  }

  publish(nameOrArn: string, input: Record<string, unknown>): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    if (fn.updating) throw updateInProgress(this.arn(fn.name));
    this.checkRevision(input["RevisionId"], fn.latest.revisionId);
    const sha = input["CodeSha256"];
    if (typeof sha === "string" && sha !== fn.latest.codeSha256) {
      throw invalidParameter(
        `CodeSha256 (${sha}) is different from current CodeSha256 in $LATEST (${fn.latest.codeSha256}). Please try again with the CodeSha256 in $LATEST.`,
      );
    }
    // Lambda publishes nothing new when neither code nor configuration changed since the last version.
    const last = [...fn.versions.values()].at(-1);
    if (last && fingerprint(last) === fingerprint(fn.latest)) return this.configuration(fn, last.version);
    const version = String(fn.nextVersion++);
    const description =
      typeof input["Description"] === "string" ? input["Description"] : fn.latest.description;
    fn.versions.set(version, { ...fn.latest, version, description, revisionId: randomUUID() });
    return this.configuration(fn, version);
  }

  listVersions(nameOrArn: string): Record<string, unknown>[] {
    const fn = this.require(nameOrArn);
    return [
      this.configuration(fn, "$LATEST"),
      ...[...fn.versions.keys()].map((v) => this.configuration(fn, v)),
    ];
  }

  private renderAlias(fn: FunctionRecord, alias: AliasRecord): Record<string, unknown> {
    return {
      AliasArn: this.arn(fn.name, alias.name),
      Name: alias.name,
      FunctionVersion: alias.functionVersion,
      Description: alias.description,
      RevisionId: alias.revisionId,
    };
  }

  private checkAliasTarget(fn: FunctionRecord, input: Record<string, unknown>): void {
    const version = input["FunctionVersion"];
    if (typeof version !== "string" || (version !== "$LATEST" && !fn.versions.has(version))) {
      throw notFound("Function", this.arn(fn.name, String(version)));
    }
    const weights = (input["RoutingConfig"] as { AdditionalVersionWeights?: object } | undefined)
      ?.AdditionalVersionWeights;
    if (weights && Object.keys(weights).length > 0) {
      throw invalidParameter(
        "RoutingConfig.AdditionalVersionWeights is not supported by the local stage: point the alias at one version.",
      );
    }
  }

  createAlias(nameOrArn: string, input: Record<string, unknown>): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    const name = input["Name"];
    if (typeof name !== "string" || !ALIAS_NAME.test(name)) {
      throw invalidParameter(
        `Alias name '${String(name)}' is not valid: letters, digits, - and _, not only digits.`,
      );
    }
    if (fn.aliases.has(name)) throw conflict(`Alias already exists: ${this.arn(fn.name, name)}`);
    this.checkAliasTarget(fn, input);
    const alias: AliasRecord = {
      name,
      functionVersion: input["FunctionVersion"] as string,
      description: typeof input["Description"] === "string" ? input["Description"] : "",
      revisionId: randomUUID(),
    };
    fn.aliases.set(name, alias);
    return this.renderAlias(fn, alias);
  }

  private requireAlias(fn: FunctionRecord, name: string): AliasRecord {
    const alias = fn.aliases.get(name);
    if (!alias) throw notFound("Alias", this.arn(fn.name, name));
    return alias;
  }

  updateAlias(nameOrArn: string, aliasName: string, input: Record<string, unknown>): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    const alias = this.requireAlias(fn, aliasName);
    this.checkRevision(input["RevisionId"], alias.revisionId);
    if (input["FunctionVersion"] !== undefined || input["RoutingConfig"] !== undefined) {
      this.checkAliasTarget(fn, { FunctionVersion: alias.functionVersion, ...input });
    }
    if (typeof input["FunctionVersion"] === "string") alias.functionVersion = input["FunctionVersion"];
    if (typeof input["Description"] === "string") alias.description = input["Description"];
    alias.revisionId = randomUUID();
    return this.renderAlias(fn, alias);
  }

  getAlias(nameOrArn: string, aliasName: string): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    return this.renderAlias(fn, this.requireAlias(fn, aliasName));
  }

  listAliases(nameOrArn: string): Record<string, unknown>[] {
    const fn = this.require(nameOrArn);
    return [...fn.aliases.values()].map((alias) => this.renderAlias(fn, alias));
  }

  deleteAlias(nameOrArn: string, aliasName: string): void {
    const fn = this.require(nameOrArn);
    this.requireAlias(fn, aliasName);
    fn.aliases.delete(aliasName);
  }

  delete(nameOrArn: string, qualifier?: string): void {
    const fn = this.require(nameOrArn, qualifier);
    const version = qualifier ?? parseFunctionName(nameOrArn).qualifier;
    if (version === undefined) {
      clearTimeout(fn.updateTimer);
      this.functions.delete(fn.name);
      this.options.onRetire(fn.name, undefined);
      return;
    }
    if (version === "$LATEST") {
      throw invalidParameter(
        "$LATEST version cannot be deleted without deleting the function. Omit the Qualifier.",
      );
    }
    if (fn.aliases.has(version)) {
      throw invalidParameter(
        `Deletion of aliases is not supported by DeleteFunction: use DeleteAlias for ${version}.`,
      );
    }
    if (!fn.versions.has(version)) throw notFound("Function", this.arn(fn.name, version));
    const referencing = [...fn.aliases.values()]
      .filter((a) => a.functionVersion === version)
      .map((a) => a.name);
    if (referencing.length > 0) {
      throw conflict(
        `Unable to delete version because the following aliases reference it: [${referencing.join(", ")}]`,
      );
    }
    fn.versions.delete(version);
    this.options.onRetire(fn.name, version);
  }

  putConcurrency(nameOrArn: string, reserved: number): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    if (!Number.isInteger(reserved) || reserved < 0) {
      throw invalidParameter(
        `1 validation error detected: Value '${reserved}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`,
      );
    }
    fn.reservedConcurrency = reserved;
    return { ReservedConcurrentExecutions: reserved };
  }

  getConcurrency(nameOrArn: string): Record<string, unknown> {
    const fn = this.require(nameOrArn);
    return fn.reservedConcurrency === undefined
      ? {}
      : { ReservedConcurrentExecutions: fn.reservedConcurrency };
  }

  deleteConcurrency(nameOrArn: string): void {
    this.require(nameOrArn).reservedConcurrency = undefined;
  }

  list(): Record<string, unknown>[] {
    return [...this.functions.values()].map((fn) => this.configuration(fn));
  }

  /** Stops pending update timers. */
  close(): void {
    for (const fn of this.functions.values()) clearTimeout(fn.updateTimer);
  }
}
