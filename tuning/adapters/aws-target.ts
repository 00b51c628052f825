/**
 * The AWS stage of a run, resolved before anything changes: region and credentials through the SDK's chain
 * (aws-access.ts), the stack read from CloudFormation when `--stack-name` is given (stack-discovery.ts), every
 * field given in the config or on the command line over what the stack says, then the function checked
 * (`GetFunctionConfiguration`, read-only) so that a wrong name, region or endpoint is one line before the run.
 *
 * Precedence per field: explicit (flags > config file) > the stack's outputs > the stack's resources > defaults.
 * Direct mode needs only the function; API mode needs the API's URL and the table too.
 */
import { GetFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import type { AwsStageConfig } from "../config/bench-config.ts";
import { parseFunctionRef } from "../config/function-ref.ts";
import { InvalidSweepOptionError, TuningError } from "../errors.ts";
import type { Stage } from "../stage.ts";
import { type AwsAccess, resolveAwsAccess } from "./aws-access.ts";
import { asUnreachable, createAwsClients, createCloudFormationClient, endpointOf } from "./aws-clients.ts";
import { type DiscoveredStack, discoverStack } from "./stack-discovery.ts";

/** Defaults of fields neither given nor found in the stack (service/template.yaml's values). */
export const AWS_TARGET_DEFAULTS = {
  /** @default "live" (the template's AutoPublishAlias) */
  alias: "live",
  /** @default "prod" */
  apiStageName: "prod",
  /** @default "REST" */
  apiType: "REST",
} as const;

export interface AwsTarget {
  stage: Stage;
  access: AwsAccess;
  discovered?: DiscoveredStack;
  /** One line per fact worth printing before the run (where each value came from). */
  lines: string[];
}

export interface AwsTargetInput {
  aws: AwsStageConfig;
  mode: "api" | "direct";
  env: Record<string, string | undefined>;
  /** Check the function with GetFunctionConfiguration. @default true */
  checkFunction?: boolean;
}

/** Resolves the AWS stage; every failure is one line that says what to do. */
export async function resolveAwsTarget(input: AwsTargetInput): Promise<AwsTarget> {
  const { aws, mode, env } = input;
  const fnRef = aws.functionName ? parseFunctionRef(aws.functionName, "--function") : undefined;
  const access = await resolveAwsAccess({
    ...((aws.region ?? fnRef?.region) ? { region: aws.region ?? fnRef?.region } : {}),
    ...(aws.awsProfile ? { profile: aws.awsProfile } : {}),
    env,
  });
  const awsEndpoint = aws.endpointUrl ?? (env["AWS_ENDPOINT_URL"] || undefined);
  const where = { region: access.region, ...(awsEndpoint ? { awsEndpoint } : {}) };
  const lines = [
    `region ${access.region}, credentials from ${access.credentialSource}${awsEndpoint ? `, endpoint ${awsEndpoint}` : ""}`,
  ];

  let discovered: DiscoveredStack | undefined;
  if (aws.stackName) {
    const client = createCloudFormationClient(where);
    try {
      discovered = await discoverStack(client, aws.stackName, access.region);
    } catch (error) {
      throw asUnreachable(error, endpointOf("cloudformation", where));
    } finally {
      client.destroy();
    }
    lines.push(
      `stack ${discovered.stackName}: function ${discovered.functionName ?? "?"}, alias ${discovered.alias ?? "?"}, ` +
        `API ${discovered.apiUrl ?? "?"}, table${discovered.tableNames.length > 1 ? "s" : ""} ${discovered.tableNames.join(", ") || "?"}` +
        `, log groups ${discovered.logGroups.join(", ") || "none"}`,
    );
  }

  const functionName = fnRef?.name ?? discovered?.functionName;
  if (!functionName) {
    const several = (discovered?.functionNames.length ?? 0) > 1;
    throw new InvalidSweepOptionError(
      "--function",
      undefined,
      several
        ? `one of the stack's functions (${discovered?.functionNames.join(", ")}): pass --function NAME`
        : `the function to tune: stack "${aws.stackName}" has no AWS::Lambda::Function; pass --function NAME|ARN`,
    );
  }
  const apiUrl = aws.apiUrl ?? discovered?.apiUrl;
  const tableName = aws.tableName ?? discovered?.tableName;
  if (mode === "api") {
    const missing = [
      ...(apiUrl ? [] : ["the API's URL (aws.apiUrl, or an ApiUrl output / REST API in the stack)"]),
      ...(tableName
        ? []
        : [
            (discovered?.tableNames.length ?? 0) > 1
              ? `one table of ${discovered?.tableNames.join(", ")} (aws.tableName)`
              : "the table (aws.tableName, or a TableName output / table in the stack)",
          ]),
    ];
    if (missing.length > 0) {
      throw new InvalidSweepOptionError(
        "--stage aws",
        aws.stackName ?? functionName,
        `${missing.join(" and ")} for --mode api; or --mode direct, which needs only the function`,
      );
    }
  }
  const apiType = aws.apiType ?? discovered?.apiType ?? AWS_TARGET_DEFAULTS.apiType;
  // An HTTP API's metrics are published by ApiId: the stack's HTTP API, else the id in its execute-api URL.
  const apiId =
    apiType === "HTTP"
      ? (discovered?.apiId ??
        (apiUrl ? /^https:\/\/([a-z0-9]+)\.execute-api\./.exec(apiUrl)?.[1] : undefined))
      : undefined;
  const stage: Stage = {
    name: "aws",
    region: access.region,
    // Direct mode without an API: what the load is sent to, Lambda's Invoke URL (results.json records a target).
    apiUrl: apiUrl ?? `${endpointOf("lambda", where)}/2015-03-31/functions/${functionName}/invocations`,
    apiType,
    apiName: aws.apiName ?? discovered?.apiName ?? aws.stackName ?? "",
    ...(apiId ? { apiId } : {}),
    apiStageName: aws.apiStageName ?? discovered?.apiStageName ?? AWS_TARGET_DEFAULTS.apiStageName,
    functionName,
    alias: aws.alias ?? discovered?.alias ?? AWS_TARGET_DEFAULTS.alias,
    tableName: tableName ?? "",
    ...(awsEndpoint ? { awsEndpoint } : {}),
    supportsArchitectures: true,
  };
  if (input.checkFunction ?? true) {
    // The REPORT lines are read where the function writes them: its LoggingConfig.LogGroup (a stack may route
    // them to a log group of its own), else Lambda's default /aws/lambda/<function>.
    const logGroupName = await checkFunction(stage);
    if (logGroupName && logGroupName !== `/aws/lambda/${functionName}`) {
      stage.logGroupName = logGroupName;
      const declared = discovered?.logGroups.includes(logGroupName) ? ", declared by the stack" : "";
      lines.push(`log group ${logGroupName} (the function's LoggingConfig${declared})`);
    }
  }
  if (mode === "api" && apiType === "HTTP" && !apiId)
    lines.push(
      "HTTP API id unknown (no stack HTTP API, no execute-api URL): API Gateway metrics are not cross-checked",
    );
  return { stage, access, ...(discovered ? { discovered } : {}), lines };
}

/** The function exists and the endpoint answers: one read-only call. Returns the function's log group. */
async function checkFunction(stage: Stage): Promise<string | undefined> {
  const clients = createAwsClients(stage);
  try {
    const config = await clients.lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: stage.functionName }),
    );
    return config.LoggingConfig?.LogGroup;
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException") {
      throw new TuningError(
        `function "${stage.functionName}" not found in ${stage.region}: check --function, --stack-name and --region`,
        { cause: error },
      );
    }
    throw asUnreachable(error, endpointOf("lambda", stage));
  } finally {
    clients.destroy();
  }
}
