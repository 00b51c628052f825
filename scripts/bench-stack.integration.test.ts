/**
 * `npm run bench -- --stage aws --stack-name NAME` as a user runs it, against a second local stage in its own
 * process standing in for AWS (as the signal soak does): the bench finds the API, function, alias and table
 * through CloudFormation (the stage answers DescribeStacks / ListStackResources about the stack it deployed),
 * sweeps, and leaves the function as it found it. Then direct mode by `--function` alone, and the AWS failures
 * as one line each. Credentials and region come from the environment, through the SDK's default chain.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GetAliasCommand, GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StageChild, startStageChild } from "../test/soak/stage-child.ts";
import { runScript, type ScriptRun } from "../test/support/run-script.ts";
import { validateResults } from "../tuning/results/results.ts";

let stage: StageChild;
let work: string;
let lambda: LambdaClient;

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), "powerbench-stack-e2e-"));
  stage = await startStageChild();
  lambda = new LambdaClient({
    endpoint: stage.endpoints.awsEndpoint,
    region: stage.endpoints.region,
    credentials: stage.endpoints.credentials,
  });
}, 90_000);

afterAll(async () => {
  lambda?.destroy();
  await stage?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** The environment of a user with keys in the environment and nothing else (no profile, no metadata). */
function awsEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("AWS_")) delete env[key];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: stage.endpoints.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: stage.endpoints.credentials.secretAccessKey,
    AWS_REGION: stage.endpoints.region,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: path.join(work, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: path.join(work, "no-credentials"),
    POWERBENCH_JOURNAL_DIR: path.join(work, "journals"),
    ...extra,
  };
}

function bench(args: string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return runScript("scripts/bench.ts", args, { env });
}

async function functionState() {
  const config = await lambda.send(
    new GetFunctionConfigurationCommand({ FunctionName: stage.endpoints.functionName }),
  );
  const alias = await lambda.send(
    new GetAliasCommand({ FunctionName: stage.endpoints.functionName, Name: stage.endpoints.alias }),
  );
  return { memoryMb: config.MemorySize, aliasVersion: alias.FunctionVersion };
}

const SMALL_LOAD = [
  "--profile",
  "smoke",
  "--rate",
  "10",
  "--duration",
  "2",
  "--warmup",
  "1",
  "--engine",
  "builtin",
];

describe("bench --stage aws --stack-name", () => {
  it("finds everything in the stack, sweeps and leaves the function as it found it", async () => {
    const before = await functionState();
    const out = path.join(work, "out-stack");
    const run = await bench(
      [
        "--stage",
        "aws",
        "--stack-name",
        "powerbench-local",
        "--endpoint-url",
        stage.endpoints.awsEndpoint,
        "--memory",
        "128,256",
        "--cold-starts",
        "1",
        ...SMALL_LOAD,
        "--out",
        out,
        "--json",
      ],
      awsEnv(),
    );
    expect(run.stderr).toContain(
      `bench: region us-east-1, credentials from environment (AWS_ACCESS_KEY_ID), endpoint ${stage.endpoints.awsEndpoint}`,
    );
    expect(run.stderr).toContain(
      `bench: stack powerbench-local: function ${stage.endpoints.functionName}, alias live, API ${stage.endpoints.apiUrl}, table ${stage.endpoints.tableName}`,
    );
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { resultsPath: string };
    const results = validateResults(JSON.parse(readFileSync(printed.resultsPath, "utf8")));
    expect(results.run.stage).toMatchObject({
      name: "aws",
      apiUrl: stage.endpoints.apiUrl,
      functionName: stage.endpoints.functionName,
      alias: "live",
    });
    expect(results.settings.map((s) => [s.id, s.status])).toEqual([
      ["x86_64-128", "ok"],
      ["x86_64-256", "ok"],
    ]);
    expect(await functionState()).toEqual(before);
  }, 180_000);

  it("--mode direct with --function alone: no API URL, table or API name", async () => {
    const before = await functionState();
    const out = path.join(work, "out-direct");
    const run = await bench(
      [
        "--stage",
        "aws",
        "--mode",
        "direct",
        "--function",
        `arn:aws:lambda:us-east-1:123456789012:function:${stage.endpoints.functionName}`,
        "--endpoint-url",
        stage.endpoints.awsEndpoint,
        "--memory",
        "128",
        "--invocations",
        "5",
        "--cold-starts",
        "1",
        "--out",
        out,
        "--json",
      ],
      awsEnv(),
    );
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as { resultsPath: string };
    const results = validateResults(JSON.parse(readFileSync(printed.resultsPath, "utf8")));
    expect(results.run.stage.functionName).toBe(stage.endpoints.functionName);
    expect(results.settings[0]?.status).toBe("ok");
    expect(await functionState()).toEqual(before);
  }, 120_000);

  it("each AWS failure is one line that says what to do, exit 1", async () => {
    const lines = async (args: string[], env: NodeJS.ProcessEnv) => {
      const run = await bench(["--stage", "aws", ...args, "--dry-run"], env);
      expect(run.code).toBe(1);
      return run.stderr.trim();
    };
    const endpoint = ["--endpoint-url", stage.endpoints.awsEndpoint];
    expect(await lines(["--stack-name", "nope", ...endpoint], awsEnv())).toBe(
      'bench: stack "nope" not found in us-east-1: check --stack-name and --region (or AWS_REGION)',
    );
    writeFileSync(path.join(work, "config"), "[profile other]\nregion = eu-west-1\n");
    expect(
      await lines(
        ["--stack-name", "powerbench-local", "--aws-profile", "dev"],
        awsEnv({ AWS_CONFIG_FILE: path.join(work, "config") }),
      ),
    ).toMatch(
      /^bench: profile "dev" not found in \S+config or \S+no-credentials: create it \(aws configure --profile dev/,
    );
    expect(await lines(["--stack-name", "powerbench-local"], awsEnv({ AWS_REGION: "" }))).toBe(
      "bench: no region: pass --region or set AWS_REGION",
    );
    expect(await lines(["--mode", "direct", "--function", "orders:live"], awsEnv())).toMatch(
      /^bench: invalid --function "orders:live": expected an unqualified function name or ARN/,
    );
    // On the local stage --function may name its one function, nothing else.
    const local = await bench(
      ["--function", "orders", "--memory", "128", "--out", path.join(work, "out-local")],
      awsEnv(),
    );
    expect(local.code).toBe(1);
    expect(local.stderr.trim().split("\n").at(-1)).toBe(
      'bench: invalid --function "orders": expected the local stage\'s function "CrudFunction" (or --stage aws for a deployed one)',
    );
  }, 120_000);
});
