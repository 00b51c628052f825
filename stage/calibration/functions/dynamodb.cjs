// Reference function "dynamodb-*": what the published benchmark's DynamoDB ("light") handler does. INIT
// creates a DynamoDBClient of the AWS SDK v3 (loaded from node_modules, not bundled, as Lambda's Node.js
// runtime provides it); each invocation writes 5 items with BatchWriteItem and reads them back with
// BatchGetItem. The table (key pk, sk) comes from DYNAMODB_TABLE_NAME.
const { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } = require("@aws-sdk/client-dynamodb");

const client = new DynamoDBClient({});

exports.handler = async (_event, context) => {
  const table = process.env.DYNAMODB_TABLE_NAME;
  const stamp = `${Date.now()}-${context.awsRequestId}`;
  const items = [0, 1, 2, 3, 4].map((i) => ({
    pk: { S: `calibration-${stamp}-${i}` },
    sk: { S: "light" },
    data: { S: `calibration item ${i} from ${process.version} ${process.arch}` },
  }));
  await client.send(
    new BatchWriteItemCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }),
  );
  const read = await client.send(
    new BatchGetItemCommand({
      RequestItems: { [table]: { Keys: items.map(({ pk, sk }) => ({ pk, sk })) } },
    }),
  );
  const found = read.Responses?.[table]?.length ?? 0;
  if (found !== items.length) throw new Error(`expected ${items.length} items back, got ${found}`);
  return { written: items.length, read: found };
};
