/**
 * Region and credentials for the AWS stage, the AWS SDK's own way (its default chain): `--region`, else
 * `AWS_REGION`, else the profile's `region`; credentials from the environment, the shared config and
 * credentials files (static keys, SSO, assumed roles, processes), the container or the instance. The profile is
 * `--aws-profile` (config `aws.awsProfile`), else `AWS_PROFILE`, else `default`.
 *
 * Resolved once before anything else, so that each way it can fail is one line that says what to do, instead
 * of the SDK's `CredentialsProviderError` minutes into the run:
 *
 * - a profile in neither file: `profile "x" not found in ~/.aws/config or ~/.aws/credentials: ...`
 * - an SSO profile whose token is missing or expired: `... run aws sso login --profile x`
 * - no region anywhere: `no region: pass --region or set AWS_REGION ...`
 * - no credentials at all: how to provide them.
 */
import { homedir } from "node:os";
import path from "node:path";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { loadConfig, loadSharedConfigFiles, NODE_REGION_CONFIG_OPTIONS } from "@smithy/core/config";
import { TuningError } from "../errors.ts";

/** Region, credentials or profile could not be resolved; the message says what to do. */
export class AwsAccessError extends TuningError {
  override name = "AwsAccessError";
}

export interface AwsAccessInput {
  /** --region / aws.region */
  region?: string;
  /** --aws-profile / aws.awsProfile */
  profile?: string;
  /** The environment (AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE). */
  env: Record<string, string | undefined>;
}

export interface AwsAccess {
  region: string;
  /** The profile in use, when one was named (flag, config or AWS_PROFILE). */
  profile?: string;
  /** Where the credentials came from, for the run's log line (e.g. "profile dev", "environment"). */
  credentialSource: string;
}

function shown(file: string): string {
  const home = homedir();
  return file.startsWith(`${home}${path.sep}`) ? `~${file.slice(home.length)}` : file;
}

/** The shared files the SDK reads, with AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE honoured. */
export function sharedFilePaths(env: AwsAccessInput["env"]): { config: string; credentials: string } {
  return {
    config: env["AWS_CONFIG_FILE"] || path.join(homedir(), ".aws", "config"),
    credentials: env["AWS_SHARED_CREDENTIALS_FILE"] || path.join(homedir(), ".aws", "credentials"),
  };
}

/**
 * Resolves the region and checks that credentials can be had, translating each failure into one line.
 *
 * @example const { region } = await resolveAwsAccess({ profile: "dev", env: process.env });
 */
export async function resolveAwsAccess(input: AwsAccessInput): Promise<AwsAccess> {
  const profile = input.profile || input.env["AWS_PROFILE"] || undefined;
  const files = sharedFilePaths(input.env);
  if (profile) {
    const { configFile, credentialsFile } = await loadSharedConfigFiles({
      filepath: files.credentials,
      configFilepath: files.config,
      ignoreCache: true,
    });
    if (!configFile[profile] && !credentialsFile[profile]) {
      throw new AwsAccessError(
        `profile "${profile}" not found in ${shown(files.config)} or ${shown(files.credentials)}: ` +
          `create it (aws configure --profile ${profile}, or aws configure sso), or name an existing one with --aws-profile or AWS_PROFILE`,
      );
    }
  }
  let region = input.region;
  if (!region) {
    try {
      // An empty AWS_REGION counts as unset (the SDK's own selector would take "").
      const selectors = {
        ...NODE_REGION_CONFIG_OPTIONS,
        environmentVariableSelector: (env: Record<string, string | undefined>) =>
          env["AWS_REGION"] || undefined,
      };
      region = await loadConfig(selectors, {
        ...(profile ? { profile } : {}),
        filepath: files.credentials,
        configFilepath: files.config,
        ignoreCache: true,
      })();
    } catch {
      region = undefined;
    }
  }
  if (!region) {
    throw new AwsAccessError(
      `no region: pass --region or set AWS_REGION${profile ? ` (or set region in profile "${profile}" in ${shown(files.config)})` : ""}`,
    );
  }
  try {
    await defaultProvider({
      ...(profile ? { profile } : {}),
      filepath: files.credentials,
      configFilepath: files.config,
      ignoreCache: true,
    })();
    const source = profile
      ? `profile ${profile}`
      : input.env["AWS_ACCESS_KEY_ID"]
        ? "environment (AWS_ACCESS_KEY_ID)"
        : "the SDK's default chain";
    return { region, ...(profile ? { profile } : {}), credentialSource: source };
  } catch (error) {
    throw credentialsError(error, profile, files);
  }
}

/** The SDK's credential failure → one line that says what to do. */
export function credentialsError(
  error: unknown,
  profile: string | undefined,
  files: { config: string; credentials: string },
): AwsAccessError {
  const message = error instanceof Error ? error.message : String(error);
  const loginCommand = `aws sso login${profile ? ` --profile ${profile}` : ""}`;
  if (/\bSSO\b|sso_|token/i.test(message) && /expired|invalid|refresh|token|login/i.test(message)) {
    return new AwsAccessError(
      `the SSO session${profile ? ` of profile "${profile}"` : ""} has expired or was never started: run ${loginCommand}`,
      { cause: error },
    );
  }
  if (/Could not load credentials from any providers/i.test(message)) {
    return new AwsAccessError(
      "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile of " +
        `${shown(files.config)} with --aws-profile or AWS_PROFILE (for an SSO profile run aws sso login --profile NAME first)`,
      { cause: error },
    );
  }
  return new AwsAccessError(
    `AWS credentials${profile ? ` of profile "${profile}"` : ""} could not be loaded (${message.split("\n")[0]}): check ${shown(files.config)} and ${shown(files.credentials)}`,
    { cause: error },
  );
}
