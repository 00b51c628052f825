import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, describe, expect, it } from "vitest";
import { type LocalDynamoDb, localDynamoDbClient, startDynamoDb } from "./dynamodb.ts";

const started: LocalDynamoDb[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((db) => db.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("startDynamoDb", () => {
  it("creates the table on-demand with a string key id, on 127.0.0.1", async () => {
    const db = await startDynamoDb({ tableName: "ItemsTable" });
    started.push(db);
    expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = localDynamoDbClient(db.endpoint);
    const { Table } = await client.send(new DescribeTableCommand({ TableName: "ItemsTable" }));
    client.destroy();
    expect(Table?.TableStatus).toBe("ACTIVE");
    expect(Table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(Table?.AttributeDefinitions).toEqual([{ AttributeName: "id", AttributeType: "S" }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
  });

  it("keeps items on disk between runs with a path, and reuses the existing table", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "powerbench-dynalite-"));
    dirs.push(dir);
    const first = await startDynamoDb({ tableName: "ItemsTable", path: dir });
    const put = DynamoDBDocumentClient.from(localDynamoDbClient(first.endpoint));
    await put.send(new PutCommand({ TableName: "ItemsTable", Item: { id: "kept", n: 1 } }));
    put.destroy();
    await first.stop();

    const second = await startDynamoDb({ tableName: "ItemsTable", path: dir });
    started.push(second);
    const get = DynamoDBDocumentClient.from(localDynamoDbClient(second.endpoint));
    const { Item } = await get.send(new GetCommand({ TableName: "ItemsTable", Key: { id: "kept" } }));
    get.destroy();
    expect(Item).toEqual({ id: "kept", n: 1 });
  });

  it("names the table and the endpoint when the table cannot be created", async () => {
    await expect(startDynamoDb({ tableName: "x" })).rejects.toThrow(
      /could not create the DynamoDB table "x" on dynalite at http:\/\/127\.0\.0\.1:\d+: TableName must be at least 3 characters/,
    );
  });
});
