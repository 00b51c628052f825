/**
 * The real AWS SDK clients for a Stage. Against the local stage they point at its 127.0.0.1 endpoint with
 * static credentials; against AWS they use the default endpoint and the SDK's default credential chain.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import type { Stage } from "./stage.ts";

export interface AwsClients {
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  destroy(): void;
}

export function createAwsClients(stage: Stage): AwsClients {
  const config = {
    region: stage.region,
    ...(stage.awsEndpoint ? { endpoint: stage.awsEndpoint } : {}),
    ...(stage.credentials ? { credentials: stage.credentials } : {}),
    // Throttling and transient errors are retried by the SDK's standard strategy.
    maxAttempts: 5,
  };
  const lambda = new LambdaClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const logs = new CloudWatchLogsClient(config);
  return {
    lambda,
    cloudwatch,
    logs,
    destroy() {
      lambda.destroy();
      cloudwatch.destroy();
      logs.destroy();
    },
  };
}
