/**
 * The Lambda adapter of the sweep: points the function at each setting and puts it back afterwards,
 * through `@aws-sdk/client-lambda` only, so it runs unchanged against the local stage and AWS.
 *
 * Per setting: UpdateFunctionConfiguration → wait until updated → PublishVersion → UpdateAlias.
 * Configuration updates must be sequential, or Lambda answers ResourceConflictException.
 */
import {
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetAliasCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListVersionsByFunctionCommand,
  PublishVersionCommand,
  UpdateAliasCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
  waitUntilPublishedVersionActive,
} from "@aws-sdk/client-lambda";
import { ConfigureError, describeError, RestoreError } from "./errors.ts";
import type { Setting } from "./plan.ts";
import type { Architecture } from "./results-types.ts";

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
}

export interface ConfigureOptions {
  /** Longest wait for a configuration update to finish. @default 120 s */
  maxWaitS?: number;
  /**
   * Waiter polling, seconds: first delay and cap. Lambda updates take seconds, so AWS polls from 1 s; the
   * local stage finishes an update in ~100 ms. @default { minDelayS: 1, maxDelayS: 5 }
   */
  poll?: { minDelayS: number; maxDelayS: number };
}

export const CONFIGURE_DEFAULTS = {
  maxWaitS: 120,
  poll: { minDelayS: 1, maxDelayS: 5 },
} as const satisfies Required<ConfigureOptions>;

function sorted(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export class FunctionConfigurator {
  /** Versions this run published; deleted again by restore(). */
  readonly createdVersions: string[] = [];
  private original: OriginalConfiguration | undefined;
  private readonly maxWaitS: number;
  private readonly poll: { minDelayS: number; maxDelayS: number };

  constructor(
    private readonly client: LambdaClient,
    readonly functionName: string,
    readonly alias: string,
    options: ConfigureOptions = {},
  ) {
    this.maxWaitS = options.maxWaitS ?? CONFIGURE_DEFAULTS.maxWaitS;
    this.poll = options.poll ?? CONFIGURE_DEFAULTS.poll;
  }

  /** Records the function's configuration and the alias target. Call before anything else. */
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
    this.preexistingVersions = await this.listVersions();
    this.original = {
      functionName: this.functionName,
      alias: this.alias,
      memoryMb: config.MemorySize ?? 128,
      architecture: (config.Architectures?.[0] as Architecture | undefined) ?? "x86_64",
      aliasVersion: alias.FunctionVersion,
      environment: { ...(config.Environment?.Variables ?? {}) },
      ...(alias.RoutingConfig?.AdditionalVersionWeights
        ? { aliasRoutingConfig: alias.RoutingConfig.AdditionalVersionWeights }
        : {}),
    };
    return this.original;
  }

  /** Points the alias at a new version with the setting's memory (and architecture). Returns the version. */
  async apply(setting: Setting): Promise<string> {
    try {
      if (this.original && setting.architecture !== (await this.currentArchitecture())) {
        await this.changeArchitecture(setting.architecture);
      }
      await this.updateMemory(setting.memoryMb);
      const published = await this.client.send(
        new PublishVersionCommand({ FunctionName: this.functionName }),
      );
      const version = published.Version;
      if (!version) throw new Error("PublishVersion returned no Version");
      // Lambda hands back the latest version when nothing changed since it was published: that version
      // is not the run's to delete.
      if (!this.preexistingVersions.has(version) && !this.createdVersions.includes(version)) {
        this.createdVersions.push(version);
      }
      await waitUntilPublishedVersionActive(
        {
          client: this.client,
          maxWaitTime: this.maxWaitS,
          minDelay: this.poll.minDelayS,
          maxDelay: this.poll.maxDelayS,
        },
        { FunctionName: this.functionName, Qualifier: version },
      );
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
   * Puts the function back as snapshot() found it: alias target, memory, architecture; then deletes every
   * version this run published. Tries every step even when one fails, and reports all failures together.
   */
  async restore(): Promise<void> {
    const original = this.original;
    if (!original) return;
    const failures: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        failures.push(`${what}: ${describeError(error)}`);
      }
    };
    await attempt(`point alias ${original.alias} back at version ${original.aliasVersion}`, () =>
      this.client.send(
        new UpdateAliasCommand({
          FunctionName: this.functionName,
          Name: original.alias,
          FunctionVersion: original.aliasVersion,
          RoutingConfig: { AdditionalVersionWeights: original.aliasRoutingConfig ?? {} },
        }),
      ),
    );
    await attempt(`restore architecture ${original.architecture}`, async () => {
      if ((await this.currentArchitecture()) !== original.architecture) {
        await this.changeArchitecture(original.architecture);
      }
    });
    await attempt(`restore MemorySize ${original.memoryMb} and the environment`, () =>
      this.updateConfiguration(original.memoryMb, original.environment),
    );
    for (const version of [...this.createdVersions]) {
      await attempt(`delete version ${version}`, async () => {
        await this.client.send(
          new DeleteFunctionCommand({ FunctionName: this.functionName, Qualifier: version }),
        );
        this.createdVersions.splice(this.createdVersions.indexOf(version), 1);
      });
    }
    if (failures.length > 0) {
      throw new RestoreError(
        this.functionName,
        `${failures.join("; ")}. Set it back by hand: MemorySize ${original.memoryMb}, architecture ` +
          `${original.architecture}, alias ${original.alias} → version ${original.aliasVersion}.`,
      );
    }
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
      await this.updateConfiguration(setting.memoryMb, {
        ...original.environment,
        POWERBENCH_COLD_START_NONCE: String(this.nonce),
      });
      const published = await this.client.send(
        new PublishVersionCommand({ FunctionName: this.functionName }),
      );
      if (!published.Version) throw new Error("PublishVersion returned no Version");
      this.createdVersions.push(published.Version);
      return published.Version;
    } catch (error) {
      throw new ConfigureError(setting.id, describeError(error), { cause: error });
    }
  }

  private nonce = 0;
  /** Versions that existed before the run: never deleted, even when PublishVersion hands one back. */
  private preexistingVersions = new Set<string>();

  private async listVersions(): Promise<Set<string>> {
    const versions = new Set<string>();
    let marker: string | undefined;
    do {
      const page = await this.client.send(
        new ListVersionsByFunctionCommand({
          FunctionName: this.functionName,
          ...(marker ? { Marker: marker } : {}),
        }),
      );
      for (const v of page.Versions ?? []) if (v.Version) versions.add(v.Version);
      marker = page.NextMarker;
    } while (marker);
    return versions;
  }

  private async updateMemory(memoryMb: number): Promise<void> {
    await this.updateConfiguration(memoryMb);
  }

  /** Updates MemorySize (and the environment, when given) if they differ, then waits until the update is done. */
  private async updateConfiguration(memoryMb: number, environment?: Record<string, string>): Promise<void> {
    const current = await this.client.send(
      new GetFunctionConfigurationCommand({ FunctionName: this.functionName }),
    );
    const currentEnv = current.Environment?.Variables ?? {};
    const envChanged =
      environment !== undefined && JSON.stringify(sorted(currentEnv)) !== JSON.stringify(sorted(environment));
    if (current.MemorySize !== memoryMb || envChanged) {
      await this.client.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: this.functionName,
          MemorySize: memoryMb,
          ...(envChanged ? { Environment: { Variables: environment } } : {}),
        }),
      );
    }
    await this.waitUpdated();
  }

  private async waitUpdated(): Promise<void> {
    await waitUntilFunctionUpdatedV2(
      {
        client: this.client,
        maxWaitTime: this.maxWaitS,
        minDelay: this.poll.minDelayS,
        maxDelay: this.poll.maxDelayS,
      },
      { FunctionName: this.functionName },
    );
  }

  private async currentArchitecture(): Promise<Architecture> {
    const config: FunctionConfiguration = await this.client.send(
      new GetFunctionConfigurationCommand({ FunctionName: this.functionName }),
    );
    return (config.Architectures?.[0] as Architecture | undefined) ?? "x86_64";
  }

  /**
   * On the real API, Architectures is set with UpdateFunctionCode, which needs the code again: the
   * deployment package is downloaded from GetFunction's presigned Code.Location and re-uploaded.
   */
  private async changeArchitecture(architecture: Architecture): Promise<void> {
    const fn = await this.client.send(new GetFunctionCommand({ FunctionName: this.functionName }));
    const location = fn.Code?.Location;
    if (!location)
      throw new Error("GetFunction returned no Code.Location to re-upload for an architecture change");
    const response = await fetch(location);
    if (!response.ok) throw new Error(`downloading the deployment package failed: HTTP ${response.status}`);
    const zip = new Uint8Array(await response.arrayBuffer());
    await this.client.send(
      new UpdateFunctionCodeCommand({
        FunctionName: this.functionName,
        ZipFile: zip,
        Architectures: [architecture],
      }),
    );
    await this.waitUpdated();
  }
}
