/** TEST SUPPORT: the real SDK clients pointed at a local endpoint, with static credentials and no retries. */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient } from "@aws-sdk/client-lambda";

export function localClients(endpoint: string) {
  const config = {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  };
  return {
    lambda: new LambdaClient(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    destroy(): void {
      this.lambda.destroy();
      this.cloudwatch.destroy();
      this.logs.destroy();
    },
  };
}
