/**
 * The gate must hold on a table a bench has filled: the list walk finds this run's items among many
 * (regression: a full walk at 2 items per page used to hit maxPages once a sweep had left ~1,000 items).
 */
import { BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../stage/stage.ts";
import { runCollection } from "./run-collection.ts";

let local: LocalStage;

beforeAll(async () => {
  local = await startStage();
  const client = new DynamoDBClient({
    region: local.stage.region,
    endpoint: local.stage.dynamodbEndpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    // 1,500 items of other runs, written straight into the table in batches of 25.
    for (let batch = 0; batch < 60; batch++) {
      await client.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [local.stage.tableName]: Array.from({ length: 25 }, (_, i) => ({
              PutRequest: {
                Item: { id: { S: `other-${batch}-${i}` }, name: { S: "left by an earlier run" } },
              },
            })),
          },
        }),
      );
    }
  } finally {
    client.destroy();
  }
});

afterAll(async () => {
  await local?.stop();
});

describe("the Newman gate on a big table", () => {
  it("passes: the list walk finds this run's items within maxPages", async () => {
    const outcome = await runCollection({
      baseUrl: local.stage.apiUrl,
      envVars: { tableName: local.stage.tableName },
    });
    expect(outcome.failures).toEqual([]);
    expect(outcome.passed).toBe(true);
  });
});
