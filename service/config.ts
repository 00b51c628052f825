/** The service's configuration, read from the environment at the edge (handler init) and nowhere else. */
import { ServiceConfigError } from "./errors.ts";

export interface ServiceConfig {
  /** The one DynamoDB table the service uses (env TABLE_NAME). Clients can never choose another. */
  tableName: string;
  /**
   * Key that authenticates list cursors (env CURSOR_KEY, at least 32 characters). The template generates it
   * in Secrets Manager; the local stage generates one per start.
   * @default a random key per execution environment (cursors then only continue in the environment that issued them)
   */
  cursorKey?: string;
  /**
   * Whether POST /dynamodbmanager answers (env COMMAND_ROUTE enabled | disabled | auto, with
   * DEPLOYMENT_ENVIRONMENT benchmark | production: auto is enabled except in production). Direct
   * invocations (IAM-protected by Lambda itself) always run commands.
   * @default true
   */
  commandRouteEnabled?: boolean;
}

const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
export const MIN_CURSOR_KEY_LENGTH = 32;
const COMMAND_ROUTE_VALUES = ["enabled", "disabled", "auto"] as const;
const ENVIRONMENT_VALUES = ["benchmark", "production"] as const;

function oneOf<T extends string>(
  env: Record<string, string | undefined>,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ServiceConfigError(
      `environment variable ${name} is "${value.slice(0, 40)}": expected one of ${allowed.join(", ")}`,
    );
  }
  return value as T;
}

/** Reads the configuration; throws ServiceConfigError naming the variable that is missing or wrong. */
export function readConfig(env: Record<string, string | undefined>): ServiceConfig {
  const tableName = env["TABLE_NAME"];
  if (tableName === undefined || tableName === "") {
    throw new ServiceConfigError(
      "environment variable TABLE_NAME is not set: expected the DynamoDB table name " +
        "(the SAM template sets it from the table resource; set it yourself when running the handler locally)",
    );
  }
  if (!TABLE_NAME_PATTERN.test(tableName)) {
    throw new ServiceConfigError(
      `environment variable TABLE_NAME is "${tableName}": expected a DynamoDB table name ` +
        "(3-255 characters of A-Z a-z 0-9 _ . -)",
    );
  }
  const config: ServiceConfig = { tableName };
  const cursorKey = env["CURSOR_KEY"];
  if (cursorKey !== undefined && cursorKey !== "") {
    if (cursorKey.startsWith("{{resolve:") || cursorKey.length < MIN_CURSOR_KEY_LENGTH) {
      throw new ServiceConfigError(
        `environment variable CURSOR_KEY is ${cursorKey.startsWith("{{resolve:") ? "an unresolved dynamic reference" : `${cursorKey.length} characters`}: ` +
          `expected a secret of at least ${MIN_CURSOR_KEY_LENGTH} characters (the SAM template generates one in Secrets Manager)`,
      );
    }
    config.cursorKey = cursorKey;
  }
  const commandRoute = oneOf(env, "COMMAND_ROUTE", COMMAND_ROUTE_VALUES, "auto");
  const environment = oneOf(env, "DEPLOYMENT_ENVIRONMENT", ENVIRONMENT_VALUES, "benchmark");
  config.commandRouteEnabled =
    commandRoute === "enabled" || (commandRoute === "auto" && environment !== "production");
  return config;
}
