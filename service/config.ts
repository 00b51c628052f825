/** The service's configuration, read from the environment at the edge (handler init) and nowhere else. */
import { ConfigError } from "./errors.ts";

export interface ServiceConfig {
  /** The one DynamoDB table the service uses (env TABLE_NAME). Clients can never choose another. */
  tableName: string;
}

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;

/** Reads the configuration; throws ConfigError naming the variable that is missing or wrong. */
export function readConfig(env: Record<string, string | undefined>): ServiceConfig {
  const tableName = env["TABLE_NAME"];
  if (tableName === undefined || tableName === "") {
    throw new ConfigError(
      "environment variable TABLE_NAME is not set: expected the DynamoDB table name " +
        "(the SAM template sets it from the table resource; set it yourself when running the handler locally)",
    );
  }
  if (!TABLE_NAME_PATTERN.test(tableName)) {
    throw new ConfigError(
      `environment variable TABLE_NAME is "${tableName}": expected a DynamoDB table name ` +
        "(3-255 characters of A-Z a-z 0-9 _ . -)",
    );
  }
  return { tableName };
}
