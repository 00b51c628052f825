/**
 * DynamoDB for the local stage: dynalite (the real DynamoDB API over HTTP, LevelDB underneath) on 127.0.0.1,
 * in memory by default or on disk, with the service's table created through the real DynamoDB client.
 */

import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from "@aws-sdk/client-dynamodb";

/** dynalite ships no types: it is a factory of a node:http server. */
type DynaliteFactory = (options: { path?: string; createTableMs?: number; deleteTableMs?: number }) => Server;
const dynalite = createRequire(import.meta.url)("dynalite") as DynaliteFactory;

export interface LocalDynamoDbOptions {
  /** Table to create (on-demand, string partition key). */
  tableName: string;
  /** @default "id" */
  keyName?: string;
  /** The whole primary key (partition key, then sort key), e.g. from the template; replaces `keyName`. */
  keySchema?: ReadonlyArray<{ name: string; keyType: "HASH" | "RANGE"; attributeType: "S" | "N" | "B" }>;
  /** LevelDB directory for an on-disk store; in memory when absent. */
  path?: string;
  /** @default 0 (any free port) */
  port?: number;
  /** @default "us-east-1" */
  region?: string;
}

export interface LocalDynamoDb {
  /** e.g. "http://127.0.0.1:41234": for the DynamoDB client's `endpoint` and AWS_ENDPOINT_URL_DYNAMODB. */
  endpoint: string;
  tableName: string;
  stop(): Promise<void>;
}

/** Static credentials the local stage's clients use; dynalite checks only that a signature is present. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;

/** A DynamoDB client pointed at a local endpoint, with the stage's static credentials. */
export function localDynamoDbClient(endpoint: string, region = "us-east-1"): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
}

/**
 * Starts dynalite and creates the table if it does not exist yet (an on-disk store keeps it between runs).
 *
 * @example const db = await startDynamoDb({ tableName: "ItemsTable" }); ...; await db.stop();
 */
export async function startDynamoDb(options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  const region = options.region ?? "us-east-1";
  // Tables are ACTIVE at once: the CREATING state only slows start-up locally.
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  // Graceful: in-flight requests finish first (dynalite throws from a callback if one meets a closed database).
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
    });

  const client = localDynamoDbClient(endpoint, region);
  const keySchema = options.keySchema ?? [
    { name: options.keyName ?? "id", keyType: "HASH" as const, attributeType: "S" as const },
  ];
  try {
    await client
      .send(
        new CreateTableCommand({
          TableName: options.tableName,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: keySchema.map((k) => ({
            AttributeName: k.name,
            AttributeType: k.attributeType,
          })),
          KeySchema: keySchema.map((k) => ({ AttributeName: k.name, KeyType: k.keyType })),
        }),
      )
      .catch((error: Error) => {
        if (error.name !== "ResourceInUseException") throw error;
      });
    await waitUntilTableExists({ client, maxWaitTime: 10, minDelay: 1 }, { TableName: options.tableName });
  } catch (error) {
    await stop();
    throw new Error(
      `could not create the DynamoDB table "${options.tableName}" on dynalite at ${endpoint}: ${(error as Error).message}`,
      { cause: error },
    );
  } finally {
    client.destroy();
  }
  return { endpoint, tableName: options.tableName, stop };
}
