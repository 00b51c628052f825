/**
 * Test support: points the AWS SDK at a local dynalite through the environment only (no endpoint in code),
 * the way the Lambda emulator and a deployed function configure it.
 */
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./dynalite.ts";

export function useLocalDynamoDbEnvironment(endpoint: string, tableName: string): void {
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint;
  process.env["AWS_REGION"] = LOCAL_REGION;
  process.env["AWS_ACCESS_KEY_ID"] = LOCAL_CREDENTIALS.accessKeyId;
  process.env["AWS_SECRET_ACCESS_KEY"] = LOCAL_CREDENTIALS.secretAccessKey;
  process.env["TABLE_NAME"] = tableName;
}
