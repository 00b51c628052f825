/**
 * The Lambda adapter of the sweep: points the function at each setting and puts it back afterwards,
 * through `@aws-sdk/client-lambda` only, so it runs unchanged against the local stage and AWS.
 *
 * Per setting: UpdateFunctionConfiguration → wait until updated → PublishVersion → UpdateAlias.
 * Configuration updates must be sequential, or Lambda answers ResourceConflictException.
 *
 * With a journal (tuning/adapters/restore-journal.ts), snapshot() first checks for an unfinished run on the
 * same function and then writes the original configuration to disk before anything changes; every version
 * published is recorded (and tagged in its Description); restore() closes the journal once the function is
 * back. A run that dies half-way is restored later by `npm run bench -- --restore <journal>`.
 */
import path from "node:path";
import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateAliasCommand,
} from "@aws-sdk/client-lambda";
import { ConfigureError, describeError, RestoreError } from "../errors.ts";
import {
  architectureOf,
  changeArchitecture,
  getConfiguration,
  listVersions,
  updateConfiguration,
  type WaitOptions,
  waitVersionActive,
} from "./lambda-ops.ts";
import { restoreFunction } from "./restore-function.ts";
import { JOURNAL_VERSION, JournalWriter, type RestoreJournal, restoreCommand } from "./restore-journal.ts";
import { checkUnfinishedRuns, UnfinishedRunError } from "./startup-check.ts";

export { UnfinishedRunError };

import type { Setting } from "../config/plan.ts";
import type { Architecture } from "../results/results-types.ts";

/** What the function looked like before the sweep touched it. */
export interface OriginalConfiguration {
  functionName: string;
  alias: string;
  memoryMb: number;
  architecture: Architecture;
  /** The version the alias pointed at. */
  aliasVersion: string;
  /** Environment variables of $LATEST (only-cold-starts mode changes one per invocation). */
  environment: Record<string, string>;
  /** Weighted routing of the alias, restored as it was. */
  aliasRoutingConfig?: Record<string, number>;
  /** CodeSha256 of $LATEST. */
  codeSha256?: string;
}

/** Where and how the run keeps its restore journal. */
export interface JournalOptions {
  /** Folder of the journals; one file per run. */
  dir: string;
  runId: string;
  target: Omit<RestoreJournal["target"], "functionName" | "alias" | "functionArn">;
  /** Take the function as it is now as the original even when an unfinished journal says it was changed. */
  force?: boolean;
}

export interface ConfigureOptions {
  /** Longest wait for a configuration update to finish. @default 120 s */
  maxWaitS?: number;
  /**
   * Waiter polling, seconds: first delay and cap. Lambda updates take seconds, so AWS polls from 1 s; the
   * local stage finishes an update in ~100 ms. @default { minDelayS: 1, maxDelayS: 5 }
   */
  poll?: { minDelayS: number; maxDelayS: number };
  /** Keep a restore journal (AWS runs). */
  journal?: JournalOptions;
}

export const CONFIGURE_DEFAULTS = {
  maxWaitS: 120,
  poll: { minDelayS: 1, maxDelayS: 5 },
} as const satisfies Required<Omit<ConfigureOptions, "journal">>;

/** The Description tag of the versions a run publishes. */
export function versionTagOf(runId: string): string {
  return `powerbench run ${runId}`;
}

export class FunctionConfigurator {
  /** Versions this run published; deleted again by restore(). */
  readonly createdVersions: string[] = [];
  private original: OriginalConfiguration | undefined;
  private readonly wait: WaitOptions;
  private journal: JournalWriter | undefined;
  private readonly versionTag: string | undefined;

  constructor(
    private readonly client: LambdaClient,
    readonly functionName: string,
    readonly alias: string,
    private readonly options: ConfigureOptions = {},
  ) {
    this.wait = {
      maxWaitS: options.maxWaitS ?? CONFIGURE_DEFAULTS.maxWaitS,
      poll: options.poll ?? CONFIGURE_DEFAULTS.poll,
    };
    this.versionTag = options.journal ? versionTagOf(options.journal.runId) : undefined;
  }

  /** The journal file, when the run keeps one. */
  get journalFile(): string | undefined {
    return this.journal?.file;
  }

  /**
   * Records the function's configuration and the alias target (and, with a journal, writes it to disk
   * after checking for an unfinished run on the same function). Call before anything else.
   */
  async snapshot(): Promise<OriginalConfiguration> {
    const config = await this.client.send(
      new GetFunctionConfigurationCommand({ FunctionName: this.functionName }),
    );
    const alias = await this.client.send(
      new GetAliasCommand({ FunctionName: this.functionName, Name: this.alias }),
    );
    if (!alias.FunctionVersion) {
      throw new ConfigureError(
        "snapshot",
        `alias ${this.alias} of ${this.functionName} has no FunctionVersion`,
      );
    }
    const versions = await listVersions(this.client, this.functionName);
    this.preexistingVersions = new Set(versions.map((v) => v.version));
    this.original = {
      functionName: this.functionName,
      alias: this.alias,
      memoryMb: config.MemorySize ?? 128,
      architecture: architectureOf(config),
      aliasVersion: alias.FunctionVersion,
      environment: { ...(config.Environment?.Variables ?? {}) },
      ...(alias.RoutingConfig?.AdditionalVersionWeights
        ? { aliasRoutingConfig: alias.RoutingConfig.AdditionalVersionWeights }
        : {}),
      ...(config.CodeSha256 ? { codeSha256: config.CodeSha256 } : {}),
    };
    const journal = this.options.journal;
    if (journal) {
      const target = {
        ...journal.target,
        functionName: this.functionName,
        alias: this.alias,
        ...(config.FunctionArn ? { functionArn: config.FunctionArn } : {}),
      };
      await checkUnfinishedRuns(this.client, journal.dir, target, journal.force ?? false);
      const now = new Date().toISOString();
      const { functionName: _f, alias: _a, ...original } = this.original;
      this.journal = new JournalWriter(path.join(journal.dir, `${journal.runId}.json`), {
        journalVersion: JOURNAL_VERSION,
        state: "open",
        runId: journal.runId,
        pid: process.pid,
        startedAt: now,
        updatedAt: now,
        target,
        original: { ...original, preexistingVersions: [...this.preexistingVersions] },
        versionTag: versionTagOf(journal.runId),
        createdVersions: [],
      });
    }
    return this.original;
  }

  private recordVersion(version: string): void {
    if (this.preexistingVersions.has(version) || this.createdVersions.includes(version)) return;
    this.createdVersions.push(version);
    if (this.journal?.current.state === "open")
      this.journal.update((j) => ({ ...j, createdVersions: [...j.createdVersions, version] }));
  }

  private async publish(): Promise<string> {
    const published = await this.client.send(
      new PublishVersionCommand({
        FunctionName: this.functionName,
        ...(this.versionTag ? { Description: this.versionTag } : {}),
      }),
    );
    if (!published.Version) throw new Error("PublishVersion returned no Version");
    // Lambda hands back the latest version when nothing changed since it was published: that version
    // is not the run's to delete.
    this.recordVersion(published.Version);
    return published.Version;
  }

  /** Points the alias at a new version with the setting's memory (and architecture). Returns the version. */
  async apply(setting: Setting): Promise<string> {
    try {
      if (
        this.original &&
        setting.architecture !== architectureOf(await getConfiguration(this.client, this.functionName))
      ) {
        await changeArchitecture(this.client, this.functionName, setting.architecture, this.wait);
      }
      await updateConfiguration(this.client, this.functionName, setting.memoryMb, this.wait);
      const version = await this.publish();
      await waitVersionActive(this.client, this.functionName, version, this.wait);
      await this.client.send(
        new UpdateAliasCommand({
          FunctionName: this.functionName,
          Name: this.alias,
          FunctionVersion: version,
          RoutingConfig: { AdditionalVersionWeights: {} },
        }),
      );
      return version;
    } catch (error) {
      throw new ConfigureError(setting.id, describeError(error), { cause: error });
    }
  }

  /**
   * Puts the function back as snapshot() found it: alias target, memory, architecture, environment; then
   * deletes every version this run published, checks the result, and closes the journal. Tries every step
   * even when one fails, and reports all failures together with the way to finish the job.
   */
  async restore(): Promise<void> {
    const original = this.original;
    if (!original) return;
    const outcome = await restoreFunction(
      this.client,
      {
        functionName: this.functionName,
        alias: this.alias,
        original: { ...original, preexistingVersions: [...this.preexistingVersions] },
        ...(this.versionTag ? { versionTag: this.versionTag } : {}),
        createdVersions: this.createdVersions,
      },
      this.wait,
    );
    for (const version of outcome.deleted) {
      const i = this.createdVersions.indexOf(version);
      if (i >= 0) this.createdVersions.splice(i, 1);
    }
    if (outcome.failures.length === 0) {
      this.createdVersions.length = 0;
      if (this.journal?.current.state === "open") this.journal.close("restored");
      return;
    }
    const how = this.journal
      ? `${outcome.unreachable ? "The Lambda endpoint did not answer. When it does, run" : "Finish it with"}: ${restoreCommand(this.journal.file)}`
      : `Set it back by hand: MemorySize ${original.memoryMb}, architecture ${original.architecture}, alias ` +
        `${original.alias} → version ${original.aliasVersion}.`;
    throw new RestoreError(this.functionName, `${outcome.failures.join("; ")}. ${how}`);
  }

  /**
   * Publishes another version with the same configuration but a fresh value of one environment variable,
   * so that its first invocation is a cold start (power-tuning's onlyColdStarts). The version is deleted by
   * restore() like every other the run made.
   */
  async publishFreshVersion(setting: Setting): Promise<string> {
    const original = this.original;
    if (!original) throw new ConfigureError(setting.id, "publishFreshVersion before snapshot()");
    this.nonce += 1;
    try {
      await updateConfiguration(this.client, this.functionName, setting.memoryMb, this.wait, {
        ...original.environment,
        POWERBENCH_COLD_START_NONCE: String(this.nonce),
      });
      return await this.publish();
    } catch (error) {
      throw new ConfigureError(setting.id, describeError(error), { cause: error });
    }
  }

  private nonce = 0;
  /** Versions that existed before the run: never deleted, even when PublishVersion hands one back. */
  private preexistingVersions = new Set<string>();
}
