/**
 * `--stack-name`: what the tuner needs, read from a deployed CloudFormation stack through
 * @aws-sdk/client-cloudformation: `DescribeStacks` for the outputs, `ListStackResources` for the physical ids.
 *
 * Outputs first (the template's `ApiUrl`, `FunctionName`, `FunctionAlias`, `TableName`, `ApiName`), then the
 * resources as CloudFormation lists a SAM stack after its transform: the one `AWS::Lambda::Function`, its
 * `AWS::Lambda::Alias`, the `AWS::ApiGateway::RestApi` (or `AWS::ApiGatewayV2::Api`) with its stage, the
 * `AWS::DynamoDB::Table`s and the `AWS::Logs::LogGroup`s. The REST API's name (the `ApiName` dimension of its
 * metrics) is the `ApiName` output, else the stack's name: SAM titles a REST API without a Name after its stack.
 */
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  paginateListStackResources,
} from "@aws-sdk/client-cloudformation";
import { TuningError } from "../errors.ts";

/** The stack could not be read, or does not say what the run needs; the message says what to pass. */
export class StackDiscoveryError extends TuningError {
  override name = "StackDiscoveryError";
}

export interface StackResource {
  logicalId: string;
  physicalId: string;
  type: string;
}

/** What the stack says; every field may be missing (explicit flags and config fields fill or override it). */
export interface DiscoveredStack {
  stackName: string;
  apiUrl?: string;
  apiStageName?: string;
  apiType?: "REST" | "HTTP";
  apiName?: string;
  /** The HTTP API's id (`AWS::ApiGatewayV2::Api`): the ApiId dimension of its metrics. */
  apiId?: string;
  functionName?: string;
  /** Every function of the stack, for the message when there are several. */
  functionNames: string[];
  alias?: string;
  tableName?: string;
  tableNames: string[];
  logGroups: string[];
}

/** The output keys service/template.yaml declares. */
export const STACK_OUTPUTS = {
  apiUrl: "ApiUrl",
  apiName: "ApiName",
  functionName: "FunctionName",
  alias: "FunctionAlias",
  tableName: "TableName",
} as const;

/**
 * Maps a stack's outputs and resources to the tuner's target (pure).
 *
 * @example stackTargetOf("my-api", "eu-west-1", { ApiUrl: "https://..." }, resources).functionName
 */
export function stackTargetOf(
  stackName: string,
  region: string,
  outputs: Readonly<Record<string, string>>,
  resources: readonly StackResource[],
): DiscoveredStack {
  const ofType = (type: string) => resources.filter((r) => r.type === type).map((r) => r.physicalId);
  const functionNames = ofType("AWS::Lambda::Function");
  const functionName =
    outputs[STACK_OUTPUTS.functionName] ?? (functionNames.length === 1 ? functionNames[0] : undefined);
  // An alias's physical id is its ARN: arn:aws:lambda:<region>:<account>:function:<name>:<alias>.
  const aliases = ofType("AWS::Lambda::Alias")
    .map((arn) => arn.split(":"))
    .filter((parts) => functionName === undefined || parts[6] === functionName)
    .map((parts) => parts[7])
    .filter((a): a is string => a !== undefined);
  const alias = outputs[STACK_OUTPUTS.alias] ?? (aliases.length === 1 ? aliases[0] : undefined);

  const restApis = ofType("AWS::ApiGateway::RestApi");
  const httpApis = ofType("AWS::ApiGatewayV2::Api");
  const apiType = restApis.length > 0 ? "REST" : httpApis.length > 0 ? "HTTP" : undefined;
  const stages = ofType(apiType === "HTTP" ? "AWS::ApiGatewayV2::Stage" : "AWS::ApiGateway::Stage");
  let apiUrl = outputs[STACK_OUTPUTS.apiUrl]?.replace(/\/+$/, "");
  let apiStageName = stages.length === 1 ? stages[0] : undefined;
  if (apiUrl) {
    const firstSegment = new URL(apiUrl).pathname.split("/").filter(Boolean)[0];
    apiStageName ??= firstSegment ?? "$default";
  } else {
    const apiId = (apiType === "HTTP" ? httpApis : restApis)[0];
    if (apiId && apiStageName) {
      const base = `https://${apiId}.execute-api.${region}.amazonaws.com`;
      apiUrl = apiStageName === "$default" ? base : `${base}/${apiStageName}`;
    }
  }
  const tableNames = ofType("AWS::DynamoDB::Table");
  const tableName = outputs[STACK_OUTPUTS.tableName] ?? (tableNames.length === 1 ? tableNames[0] : undefined);
  const apiName = outputs[STACK_OUTPUTS.apiName] ?? (apiType === "REST" ? stackName : undefined);
  return {
    stackName,
    functionNames,
    tableNames,
    logGroups: ofType("AWS::Logs::LogGroup"),
    ...(apiUrl ? { apiUrl } : {}),
    ...(apiStageName ? { apiStageName } : {}),
    ...(apiType ? { apiType } : {}),
    ...(apiName ? { apiName } : {}),
    ...(apiType === "HTTP" && httpApis.length === 1 ? { apiId: httpApis[0] } : {}),
    ...(functionName ? { functionName } : {}),
    ...(alias ? { alias } : {}),
    ...(tableName ? { tableName } : {}),
  };
}

/**
 * Reads the stack through the real client: DescribeStacks, then every page of ListStackResources.
 * A stack that does not exist is one line naming it and the region.
 */
export async function discoverStack(
  client: CloudFormationClient,
  stackName: string,
  region: string,
): Promise<DiscoveredStack> {
  let stack: DescribeStacksCommandOutput;
  try {
    stack = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error) {
    if ((error as { name?: string }).name === "ValidationError" && /does not exist/.test(String(error))) {
      throw new StackDiscoveryError(
        `stack "${stackName}" not found in ${region}: check --stack-name and --region (or AWS_REGION)`,
        { cause: error },
      );
    }
    throw error;
  }
  const described = stack.Stacks?.[0];
  if (!described) throw new StackDiscoveryError(`stack "${stackName}" not found in ${region}`);
  if (/_IN_PROGRESS$|FAILED$|^DELETE_COMPLETE$/.test(described.StackStatus ?? "")) {
    throw new StackDiscoveryError(
      `stack "${stackName}" is ${described.StackStatus}: wait for the deployment to finish (or fix it) and run again`,
    );
  }
  const outputs: Record<string, string> = {};
  for (const o of described.Outputs ?? []) {
    if (o.OutputKey && o.OutputValue !== undefined) outputs[o.OutputKey] = o.OutputValue;
  }
  const resources: StackResource[] = [];
  for await (const page of paginateListStackResources({ client }, { StackName: stackName })) {
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.LogicalResourceId && r.PhysicalResourceId && r.ResourceType)
        resources.push({
          logicalId: r.LogicalResourceId,
          physicalId: r.PhysicalResourceId,
          type: r.ResourceType,
        });
    }
  }
  return stackTargetOf(stackName, region, outputs, resources);
}
