/** Helpers of the soak's driver: a seeded generator, a pool of ids, and a scan of the table's ids. */
import { DynamoDBClient, paginateScan } from "@aws-sdk/client-dynamodb";
import { createRandom } from "../../loadtests/random.ts";
import type { StageChild } from "./stage-child.ts";

/** The project's seeded generator (loadtests/random.ts), so a soak's sequence of operations is replayable. */
export function seeded(seed: number): () => number {
  const random = createRandom(seed);
  return () => random.next();
}

/** Ids believed present, with O(1) add, remove and random pick. */
export class IdPool {
  private readonly ids: string[] = [];
  private readonly index = new Map<string, number>();
  add(id: string): void {
    if (this.index.has(id)) return;
    this.index.set(id, this.ids.length);
    this.ids.push(id);
  }
  remove(id: string): void {
    const i = this.index.get(id);
    if (i === undefined) return;
    const last = this.ids.pop() as string;
    if (last !== id) {
      this.ids[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(id);
  }
  pick(random: () => number): string | undefined {
    return this.ids.length === 0 ? undefined : this.ids[Math.floor(random() * this.ids.length)];
  }
}

/** Every id in the table, with the real DynamoDB client. */
export async function scanIds(stage: StageChild): Promise<string[]> {
  const { dynamodbEndpoint, region, credentials, tableName } = stage.endpoints;
  const client = new DynamoDBClient({ endpoint: dynamodbEndpoint, region, credentials, maxAttempts: 3 });
  try {
    const ids: string[] = [];
    for await (const page of paginateScan({ client }, { TableName: tableName, ProjectionExpression: "id" })) {
      for (const item of page.Items ?? []) if (item["id"]?.S !== undefined) ids.push(item["id"].S);
    }
    return ids;
  } finally {
    client.destroy();
  }
}
