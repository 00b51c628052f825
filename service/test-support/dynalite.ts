/**
 * Test support: an in-memory dynalite on 127.0.0.1 (port 0) and a table shaped like the service's
 * (HASH key `id`, type S), created with the real DynamoDB client. Reusable by other areas' tests.
 *
 * @example
 * const db = await startDynalite();
 * await db.createItemsTable("items");
 * // ... point clients at db.endpoint ...
 * await db.stop();
 */
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  ScanCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";

/** Static credentials dynalite accepts (it does not check signatures). */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" } as const;
export const LOCAL_REGION = "us-east-1";

export interface RunningDynalite {
  /** e.g. "http://127.0.0.1:41234" */
  endpoint: string;
  /** A real DynamoDB client pointed at this dynalite. */
  client: DynamoDBClient;
  /** Creates a PAY_PER_REQUEST table with HASH key `id` (S) and waits until it is ACTIVE. */
  createItemsTable(tableName: string): Promise<void>;
  deleteTable(tableName: string): Promise<void>;
  /** Every item of the table in the DynamoDB wire format, sorted by id (for before/after comparisons). */
  scanAll(tableName: string): Promise<Record<string, unknown>[]>;
  /** TCP connections accepted so far (to check that clients keep connections alive). */
  connectionCount(): number;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<RunningDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  let connections = 0;
  server.on("connection", () => {
    connections += 1;
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });

  return {
    endpoint,
    client,
    async createItemsTable(tableName) {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      await waitUntilTableExists(
        { client, minDelay: 1, maxDelay: 1, maxWaitTime: 10 },
        { TableName: tableName },
      );
    },
    async deleteTable(tableName) {
      await client.send(new DeleteTableCommand({ TableName: tableName }));
    },
    async scanAll(tableName) {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, never> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
        );
        items.push(...((page.Items ?? []) as Record<string, unknown>[]));
        startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (startKey);
      return items.sort((a, b) => JSON.stringify(a["id"]).localeCompare(JSON.stringify(b["id"])));
    },
    connectionCount: () => connections,
    async stop() {
      client.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
