/**
 * The Stage port: a stage is only a set of endpoints. The tuner talks to it through the real AWS SDK
 * clients (Lambda, CloudWatch, CloudWatch Logs) and drives load through `apiUrl`. The same code runs
 * against the local stage (127.0.0.1) and against a stack deployed from service/template.yaml.
 */

import type { CpuScaling } from "./results/results-types.ts";

/**
 * How a local stage scales CPU with memory (the Lambda emulator's cgroups report it; results and reports
 * show it). Its shape is the results schema's (`$defs/CpuScaling`, generated into results-types.ts); the stage
 * takes it from this port, so stage/ depends on tuning's port and never the other way.
 */
export type { CpuScaling };

export interface Stage {
  /** "local" for the embedded stage, "aws" for a deployed stack. */
  name: "local" | "aws";
  region: string;
  /** Base URL of the API, e.g. "http://127.0.0.1:3000/prod" or "https://abc.execute-api.eu-west-1.amazonaws.com/prod". */
  apiUrl: string;
  /** API Gateway flavour, for pricing: REST APIs and HTTP APIs are priced differently. */
  apiType: "REST" | "HTTP";
  /** API Gateway's ApiName and stage name: the dimensions of the AWS/ApiGateway metrics. */
  apiName: string;
  apiStageName: string;
  /**
   * An HTTP API's id: the ApiId dimension of its AWS/ApiGateway metrics (HTTP APIs publish ApiId and Stage,
   * REST APIs ApiName and Stage). @default the id in an execute-api URL
   */
  apiId?: string;
  /** The function's log group (its LoggingConfig.LogGroup). @default /aws/lambda/<functionName> */
  logGroupName?: string;
  /** The function behind the API. */
  functionName: string;
  /** The alias the API invokes; the tuner points it at each setting's version. */
  alias: string;
  /** DynamoDB table of the service. */
  tableName: string;
  /** Endpoint for the Lambda, CloudWatch and CloudWatch Logs clients; absent on AWS (SDK default). */
  awsEndpoint?: string;
  /** Endpoint for the DynamoDB client; absent on AWS. */
  dynamodbEndpoint?: string;
  /** Static credentials for the local stage; absent on AWS (SDK default chain and profiles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Local stage only: whether CPU is scaled with memory. */
  cpuScaling?: CpuScaling;
  /** Local stage only: whether the stage supports changing Architectures. */
  supportsArchitectures: boolean;
}
