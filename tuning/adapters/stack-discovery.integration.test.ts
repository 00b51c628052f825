/**
 * `--stack-name` through the real @aws-sdk/client-cloudformation against the local stage, which answers
 * DescribeStacks / ListStackResources / DescribeStackResources (awsQuery, XML) about the stack it deployed from
 * service/template.yaml, with the ids it really created. Then the whole AWS target as `--stage aws` resolves it:
 * discovered, overridden, direct mode by function alone, and the failures as one line each.
 */
import { createServer } from "node:net";
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from "@aws-sdk/client-cloudformation";
import {
  GetAliasCommand,
  InvokeCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionUpdatedV2,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../../stage/stage.ts";
import { createAwsClients, createCloudFormationClient } from "./aws-clients.ts";
import { resolveAwsTarget } from "./aws-target.ts";
import { collectLogs } from "./collect.ts";
import { discoverStack } from "./stack-discovery.ts";

let local: LocalStage;
let cloudformation: CloudFormationClient;
const saved: Record<string, string | undefined> = {};
const ENV_KEYS = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_REGION",
  "AWS_PROFILE",
  "AWS_ENDPOINT_URL",
] as const;

beforeAll(async () => {
  local = await startStage({ idleTimeoutMs: 60_000 });
  const creds = local.stage.credentials as { accessKeyId: string; secretAccessKey: string };
  // The SDK's default chain takes the stage's keys from the environment, as a user's run takes theirs.
  for (const key of ENV_KEYS) saved[key] = process.env[key];
  process.env.AWS_ACCESS_KEY_ID = creds.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = creds.secretAccessKey;
  process.env.AWS_REGION = local.stage.region;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ENDPOINT_URL;
  cloudformation = createCloudFormationClient(local.stage);
});

afterAll(async () => {
  cloudformation?.destroy();
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await local?.stop();
});

/** A 127.0.0.1 port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the local stage's CloudFormation (awsQuery) through the real client", () => {
  it("DescribeStacks: the deployed stack with the template's outputs, resolved to the stage's real values", async () => {
    const out = await cloudformation.send(new DescribeStacksCommand({ StackName: local.stackName }));
    const stack = out.Stacks?.[0];
    expect(stack?.StackName).toBe("powerbench-local");
    expect(stack?.StackStatus).toBe("CREATE_COMPLETE");
    expect(stack?.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:\d{12}:stack\/powerbench-local\//);
    expect(stack?.CreationTime).toBeInstanceOf(Date);
    const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    expect(outputs).toEqual({
      ApiUrl: local.stage.apiUrl,
      FunctionName: local.stage.functionName,
      FunctionAlias: local.stage.alias,
      TableName: local.stage.tableName,
      ApiName: local.stage.apiName,
    });
    expect(local.stage.apiName).toBe("powerbench-local");
    expect(stack?.Parameters?.find((p) => p.ParameterKey === "MemorySize")?.ParameterValue).toBe("1024");
    // Found by its stack id too, as CloudFormation takes StackName.
    const byId = await cloudformation.send(new DescribeStacksCommand({ StackName: stack?.StackId }));
    expect(byId.Stacks?.[0]?.StackName).toBe("powerbench-local");
  });

  it("ListStackResources: the resources after the SAM transform, with the ids the stage created", async () => {
    const out = await cloudformation.send(new ListStackResourcesCommand({ StackName: local.stackName }));
    const byType = (type: string) =>
      (out.StackResourceSummaries ?? [])
        .filter((r) => r.ResourceType === type)
        .map((r) => r.PhysicalResourceId);
    expect(byType("AWS::Lambda::Function")).toEqual([local.stage.functionName]);
    const [aliasArn] = byType("AWS::Lambda::Alias");
    // The alias really exists, under that ARN.
    const lambda = new LambdaClient({
      endpoint: local.stage.awsEndpoint as string,
      region: local.stage.region,
      credentials: local.stage.credentials as { accessKeyId: string; secretAccessKey: string },
    });
    try {
      const alias = await lambda.send(
        new GetAliasCommand({ FunctionName: local.stage.functionName, Name: local.stage.alias }),
      );
      expect(aliasArn).toBe(alias.AliasArn);
      expect(byType("AWS::Lambda::Version")).toEqual([
        `${alias.AliasArn?.replace(/:live$/, "")}:${alias.FunctionVersion}`,
      ]);
    } finally {
      lambda.destroy();
    }
    expect(byType("AWS::DynamoDB::Table")).toEqual([local.stage.tableName]);
    expect(byType("AWS::ApiGateway::RestApi")[0]).toMatch(/^[a-z0-9]{10}$/);
    expect(byType("AWS::ApiGateway::Stage")).toEqual(["prod"]);
    expect(byType("AWS::Logs::LogGroup")).toContain(`/aws/lambda/${local.stage.functionName}`);
    // Not emulated, so not listed: the stage never created them.
    expect(byType("AWS::SecretsManager::Secret")).toEqual([]);
    for (const r of out.StackResourceSummaries ?? []) {
      expect(r.ResourceStatus).toBe("CREATE_COMPLETE");
      expect(r.LastUpdatedTimestamp).toBeInstanceOf(Date);
    }
  });

  it("DescribeStackResources by logical id", async () => {
    const out = await cloudformation.send(
      new DescribeStackResourcesCommand({ StackName: local.stackName, LogicalResourceId: "ItemsTable" }),
    );
    expect(out.StackResources?.map((r) => [r.ResourceType, r.PhysicalResourceId, r.StackName])).toEqual([
      ["AWS::DynamoDB::Table", local.stage.tableName, "powerbench-local"],
    ]);
  });

  it("an unknown stack is CloudFormation's ValidationError, parsed by the client", async () => {
    const error = await cloudformation
      .send(new DescribeStacksCommand({ StackName: "no-such-stack" }))
      .catch((e: unknown) => e as Error & { $metadata: { httpStatusCode?: number } });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("ValidationError");
    expect((error as Error).message).toBe("Stack with id no-such-stack does not exist");
    expect((error as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode).toBe(400);
  });

  it("is SigV4-locked like the rest of the endpoint: a client with other keys is refused", async () => {
    const stranger = new CloudFormationClient({
      endpoint: local.stage.awsEndpoint as string,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "not-the-secret" },
      maxAttempts: 1,
    });
    try {
      const error = await stranger.send(new DescribeStacksCommand({})).catch((e: unknown) => e as Error);
      expect(error).toBeInstanceOf(Error);
      expect((error as { $metadata: { httpStatusCode?: number } }).$metadata.httpStatusCode).toBe(403);
      expect((error as Error).message).toMatch(/signature/i);
    } finally {
      stranger.destroy();
    }
  });
});

describe("--stack-name: discovery through the real client", () => {
  it("finds the API URL and stage, the function and its alias, the table and the log groups", async () => {
    const found = await discoverStack(cloudformation, local.stackName, local.stage.region);
    expect(found).toMatchObject({
      stackName: "powerbench-local",
      apiUrl: local.stage.apiUrl,
      apiStageName: "prod",
      apiType: "REST",
      apiName: local.stage.apiName,
      functionName: local.stage.functionName,
      alias: local.stage.alias,
      tableName: local.stage.tableName,
      tableNames: [local.stage.tableName],
    });
    expect(found.logGroups).toContain(`/aws/lambda/${local.stage.functionName}`);
    // The discovered URL is the API the stage serves.
    const answer = await fetch(`${found.apiUrl}/items`);
    expect(answer.status).toBe(200);
  });

  it("an unknown stack is one line naming it and the region", async () => {
    await expect(discoverStack(cloudformation, "nope", "us-east-1")).rejects.toThrow(
      'stack "nope" not found in us-east-1: check --stack-name and --region (or AWS_REGION)',
    );
  });
});

describe("the AWS target of --stage aws", () => {
  const endpointUrl = () => local.stage.awsEndpoint as string;

  it("--stack-name alone gives the whole stage; region and credentials from the environment", async () => {
    const target = await resolveAwsTarget({
      aws: { stackName: local.stackName, endpointUrl: endpointUrl(), protected: false },
      mode: "api",
      env: process.env,
    });
    const { stage } = target;
    expect(stage).toMatchObject({
      name: "aws",
      region: "us-east-1",
      apiUrl: local.stage.apiUrl,
      apiType: "REST",
      apiName: local.stage.apiName,
      apiStageName: local.stage.apiStageName,
      functionName: local.stage.functionName,
      alias: local.stage.alias,
      tableName: local.stage.tableName,
      awsEndpoint: endpointUrl(),
    });
    expect(target.lines[0]).toBe(
      `region us-east-1, credentials from environment (AWS_ACCESS_KEY_ID), endpoint ${endpointUrl()}`,
    );
  });

  it("explicit fields override what the stack says", async () => {
    const { stage } = await resolveAwsTarget({
      aws: {
        stackName: local.stackName,
        endpointUrl: endpointUrl(),
        apiName: "my-api",
        alias: "live",
        apiUrl: `${local.stage.apiUrl}/`.replace(/\/$/, ""),
        protected: false,
      },
      mode: "api",
      env: process.env,
    });
    expect(stage.apiName).toBe("my-api");
  });

  it("--mode direct with --function NAME alone: no API URL, table or API name needed", async () => {
    const { stage } = await resolveAwsTarget({
      aws: { functionName: local.stage.functionName, endpointUrl: endpointUrl(), protected: false },
      mode: "direct",
      env: process.env,
    });
    expect(stage.functionName).toBe(local.stage.functionName);
    expect(stage.region).toBe("us-east-1");
  });

  it("--function by unqualified ARN: its name, and its region when none is given", async () => {
    const arn = `arn:aws:lambda:us-east-1:123456789012:function:${local.stage.functionName}`;
    const { stage } = await resolveAwsTarget({
      aws: { functionName: arn, endpointUrl: endpointUrl(), protected: false },
      mode: "direct",
      env: { ...process.env, AWS_REGION: "" },
    });
    expect(stage.functionName).toBe(local.stage.functionName);
    expect(stage.region).toBe("us-east-1");
  });

  it("a function the endpoint does not have is one line", async () => {
    await expect(
      resolveAwsTarget({
        aws: { functionName: "nope", endpointUrl: endpointUrl(), protected: false },
        mode: "direct",
        env: process.env,
      }),
    ).rejects.toThrow('function "nope" not found in us-east-1: check --function, --stack-name and --region');
  });

  it("--mode api without a stack names what is missing", async () => {
    await expect(
      resolveAwsTarget({
        aws: { functionName: local.stage.functionName, endpointUrl: endpointUrl(), protected: false },
        mode: "api",
        env: process.env,
      }),
    ).rejects.toThrow(/for --mode api; or --mode direct, which needs only the function/);
  });

  it("an unreachable endpoint names it and suggests the network or --endpoint-url", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const error = await resolveAwsTarget({
      aws: { stackName: local.stackName, endpointUrl: url, protected: false },
      mode: "api",
      env: process.env,
    }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toBe(
      `could not reach the AWS endpoint ${url} (ECONNREFUSED): check the network, or pass --endpoint-url (AWS_ENDPOINT_URL) if the stack is served elsewhere`,
    );
    // Direct mode's check of the function says the same.
    const direct = await resolveAwsTarget({
      aws: { functionName: "f", endpointUrl: url, protected: false },
      mode: "direct",
      env: process.env,
    }).catch((e: unknown) => e as Error);
    expect((direct as Error).message).toMatch(
      new RegExp(`^could not reach the AWS endpoint ${url} \\(ECONNREFUSED\\)`),
    );
  });

  // issue 18: REPORT lines were read from /aws/lambda/<function> whatever log group the function writes to
  it("reads the REPORT lines from the function's own log group (LoggingConfig.LogGroup), named in the target's lines", async () => {
    const lambda = new LambdaClient({
      endpoint: endpointUrl(),
      region: local.stage.region,
      credentials: local.stage.credentials as { accessKeyId: string; secretAccessKey: string },
    });
    const FunctionName = local.stage.functionName;
    const custom = "/custom/powerbench-crud";
    const setGroup = async (LogGroup: string) => {
      await lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName, LoggingConfig: { LogGroup } }),
      );
      await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 30 }, { FunctionName });
    };
    const clients = createAwsClients(local.stage);
    try {
      await setGroup(custom);
      const target = await resolveAwsTarget({
        aws: { stackName: local.stackName, endpointUrl: endpointUrl(), protected: false },
        mode: "api",
        env: process.env,
      });
      expect(target.stage.logGroupName).toBe(custom);
      expect(target.lines).toContain(`log group ${custom} (the function's LoggingConfig)`);
      const startMs = Date.now() - 1;
      await lambda.send(new InvokeCommand({ FunctionName, Payload: new TextEncoder().encode("{}") }));
      const window = { startMs, endMs: Date.now() + 1000 };
      const where = {
        functionName: FunctionName,
        alias: "live",
        version: "$LATEST",
        apiName: "",
        apiStageName: "",
      };
      const found = await collectLogs(clients.logs, { ...where, logGroupName: custom }, window);
      expect(found.reports).toHaveLength(1);
      // the default group has no REPORT line of that invocation
      expect((await collectLogs(clients.logs, where, window)).reports).toHaveLength(0);
    } finally {
      await setGroup(`/aws/lambda/${FunctionName}`);
      clients.destroy();
      lambda.destroy();
    }
  });
});
