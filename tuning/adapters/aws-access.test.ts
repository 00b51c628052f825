/**
 * Region and credentials through the AWS SDK's real default chain, from temporary shared config and
 * credentials files (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, HOME for the SSO token cache). Each failure
 * is one line that says what to do. No network: the instance metadata lookup is switched off
 * (AWS_EC2_METADATA_DISABLED), SSO profiles fail on their missing or expired cached token before any call.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resolveAwsAccess } from "./aws-access.ts";

const START_URL = "https://example.awsapps.com/start";
const CONFIG = `
[default]
output = json

[profile dev]
aws_access_key_id = AKIDEXAMPLEDEV
aws_secret_access_key = dev-secret
region = eu-west-1

[profile noregion]
aws_access_key_id = AKIDEXAMPLENR
aws_secret_access_key = nr-secret

[profile sso-legacy]
sso_start_url = ${START_URL}
sso_region = eu-west-1
sso_account_id = 123456789012
sso_role_name = Admin
region = eu-west-1

[profile sso-new]
sso_session = corp
sso_account_id = 123456789012
sso_role_name = Admin
region = eu-central-1

[sso-session corp]
sso_start_url = ${START_URL}
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
`;
const CREDENTIALS = `
[keys-only]
aws_access_key_id = AKIDEXAMPLEKO
aws_secret_access_key = ko-secret
`;

const ENV_KEYS = [
  "HOME",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_EC2_METADATA_DISABLED",
  "AWS_PROFILE",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
] as const;
const saved: Record<string, string | undefined> = {};
let home: string;

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), "powerbench-aws-access-"));
  mkdirSync(path.join(home, "aws"));
  writeFileSync(path.join(home, "aws", "config"), CONFIG);
  writeFileSync(path.join(home, "aws", "credentials"), CREDENTIALS);
  // The legacy SSO profile's cached token, expired an hour ago (the CLI caches it by the start URL's SHA-1).
  const cache = path.join(home, ".aws", "sso", "cache");
  mkdirSync(cache, { recursive: true });
  writeFileSync(
    path.join(cache, `${createHash("sha1").update(START_URL).digest("hex")}.json`),
    JSON.stringify({
      startUrl: START_URL,
      region: "eu-west-1",
      accessToken: "expired-token",
      expiresAt: new Date(Date.now() - 3_600_000).toISOString(),
    }),
  );
  for (const key of ENV_KEYS) saved[key] = process.env[key];
});

beforeEach(() => {
  for (const key of ENV_KEYS) delete process.env[key];
  process.env.HOME = home;
  process.env.AWS_CONFIG_FILE = path.join(home, "aws", "config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(home, "aws", "credentials");
  process.env.AWS_EC2_METADATA_DISABLED = "true";
});

afterEach(() => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

afterAll(() => rmSync(home, { recursive: true, force: true }));

async function failure(input: Parameters<typeof resolveAwsAccess>[0]): Promise<string> {
  const error = await resolveAwsAccess(input).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error, "expected a failure").toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

describe("region and credentials follow the SDK's default chain", () => {
  it("--aws-profile: the profile's keys and region", async () => {
    const access = await resolveAwsAccess({ profile: "dev", env: process.env });
    expect(access).toEqual({ region: "eu-west-1", profile: "dev", credentialSource: "profile dev" });
  });

  it("AWS_PROFILE works the same, and --aws-profile overrides it", async () => {
    process.env.AWS_PROFILE = "dev";
    expect((await resolveAwsAccess({ env: process.env })).profile).toBe("dev");
    const access = await resolveAwsAccess({ profile: "keys-only", region: "us-west-2", env: process.env });
    expect(access.profile).toBe("keys-only");
  });

  it("AWS_REGION over the profile's region; --region over both", async () => {
    process.env.AWS_REGION = "ap-southeast-2";
    expect((await resolveAwsAccess({ profile: "dev", env: process.env })).region).toBe("ap-southeast-2");
    expect((await resolveAwsAccess({ profile: "dev", region: "sa-east-1", env: process.env })).region).toBe(
      "sa-east-1",
    );
  });

  it("a profile only in the credentials file is found", async () => {
    const access = await resolveAwsAccess({ profile: "keys-only", region: "us-east-1", env: process.env });
    expect(access.credentialSource).toBe("profile keys-only");
  });

  it("keys in the environment, no profile", async () => {
    process.env.AWS_ACCESS_KEY_ID = "AKIDENV";
    process.env.AWS_SECRET_ACCESS_KEY = "env-secret";
    process.env.AWS_REGION = "us-east-2";
    expect(await resolveAwsAccess({ env: process.env })).toEqual({
      region: "us-east-2",
      credentialSource: "environment (AWS_ACCESS_KEY_ID)",
    });
  });
});

describe("each failure is one line that says what to do", () => {
  it("a profile in neither file", async () => {
    // Shown as ~/... under the home folder (HOME is the temporary folder here).
    expect(await failure({ profile: "nope", env: process.env })).toBe(
      `profile "nope" not found in ~/aws/config or ~/aws/credentials: create it (aws configure --profile nope, or aws configure sso), or name an existing one with --aws-profile or AWS_PROFILE`,
    );
    process.env.AWS_PROFILE = "typo";
    expect(await failure({ env: process.env })).toMatch(/^profile "typo" not found in /);
  });

  it("an SSO profile whose cached token expired: aws sso login --profile", async () => {
    expect(await failure({ profile: "sso-legacy", env: process.env })).toBe(
      'the SSO session of profile "sso-legacy" has expired or was never started: run aws sso login --profile sso-legacy',
    );
  });

  it("an SSO session profile that never logged in: aws sso login --profile", async () => {
    expect(await failure({ profile: "sso-new", env: process.env })).toBe(
      'the SSO session of profile "sso-new" has expired or was never started: run aws sso login --profile sso-new',
    );
  });

  it("no region anywhere", async () => {
    expect(await failure({ profile: "noregion", env: process.env })).toBe(
      `no region: pass --region or set AWS_REGION (or set region in profile "noregion" in ~/aws/config)`,
    );
    expect(await failure({ env: process.env })).toBe("no region: pass --region or set AWS_REGION");
  });

  it("no credentials at all: how to provide them", async () => {
    expect(await failure({ region: "us-east-1", env: process.env })).toBe(
      `no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile of ~/aws/config with --aws-profile or AWS_PROFILE (for an SSO profile run aws sso login --profile NAME first)`,
    );
  });
});
