/**
 * Test support: points the AWS SDK at a local dynalite through the environment only (no endpoint in code),
 * the way the Lambda emulator and a deployed function configure it.
 */
import { LOCAL_CREDENTIALS, LOCAL_REGION } from "./dynalite.ts";

/** Sets the variables; returns a function that restores their previous values (call it in afterAll). */
export function useLocalDynamoDbEnvironment(endpoint: string, tableName: string): () => void {
  const values: Record<string, string> = {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    TABLE_NAME: tableName,
  };
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  Object.assign(process.env, values);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
