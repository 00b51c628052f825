/**
 * DynamoDB access for the items table, through the lib-dynamodb DocumentClient. Every call asks for
 * ReturnConsumedCapacity TOTAL and adds it to the request's CapacityMeter. DynamoDB exceptions become domain
 * errors here (the adapter's job); nothing client-supplied reaches a call except validated ids and attributes.
 *
 * No transactions and no ReturnValuesOnConditionCheckFailure: dynalite (the local stage) lacks both.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { CapacityMeter } from "./capacity.ts";
import {
  ConflictError,
  fromDynamoDbError,
  NotFoundError,
  PayloadTooLargeError,
  ValidationError,
} from "./errors.ts";
import { ExactNumber } from "./exact-number.ts";
import { fitPage } from "./response-size.ts";
import { buildUpdate, MAX_EXPRESSION_BYTES } from "./update-expression.ts";
import type { Item, Patch } from "./validation.ts";

/** Numbers are read as exact text (ExactNumber), never rounded through a JavaScript number. */
export const DOCUMENT_CLIENT_OPTIONS = {
  unmarshallOptions: { wrapNumbers: (text: string) => new ExactNumber(text) },
} as const;

/**
 * Builds the DocumentClient once per execution environment. Its connections are kept alive: the SDK's
 * NodeHttpHandler creates keep-alive agents (maxSockets 50) when given none. The service does not import
 * node:http itself: in an ES module that import costs 100–450 ms of INIT on Node 22 (the builtin's ESM facade
 * reads every export, and node:http's WebSocket getters load undici), against ~15 ms for the SDK's require.
 * The endpoint is left to the SDK: it honours AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL, so one bundle runs
 * on AWS and against the local stage.
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({});
  return DynamoDBDocumentClient.from(client, DOCUMENT_CLIENT_OPTIONS);
}

export interface ItemsPage {
  items: Item[];
  /** Key to continue from, absent on the last page. */
  lastKey?: { id: string };
}

/**
 * The page a client gets: the items that fit the encoded-size budget (response-size.ts); when it stops early,
 * the page continues after its last item (a Scan's ExclusiveStartKey may be any item's key).
 */
export function boundPage(page: ItemsPage): ItemsPage {
  const items = fitPage(page.items);
  if (items.length === page.items.length) return page;
  const last = items[items.length - 1];
  return { items, ...(last ? { lastKey: { id: last.id } } : {}) };
}

// AWS's messages: "Item size has exceeded the maximum allowed size", "Item size to update has exceeded ...";
// "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size".
function translate(err: unknown, onConditionFailed: () => Error): unknown {
  if (err instanceof Error) {
    if (err.name === "ConditionalCheckFailedException") return onConditionFailed();
    if (err.name === "ValidationException" && /expression size/i.test(err.message)) {
      return new ValidationError(
        `the update is too long for DynamoDB's ${MAX_EXPRESSION_BYTES}-byte expression limit: change fewer attributes per update`,
      );
    }
    if (err.name === "ValidationException" && /item size/i.test(err.message)) {
      return new PayloadTooLargeError(
        "the item would exceed DynamoDB's 400 KB item size limit after this update: store large data elsewhere",
      );
    }
  }
  return fromDynamoDbError(err);
}

export class ItemsRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Creates the item if its id is free (PutItem with attribute_not_exists(id)); ConflictError otherwise. */
  async create(item: Item, meter: CapacityMeter): Promise<Item> {
    try {
      const out = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(#id)",
          ExpressionAttributeNames: { "#id": "id" },
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      meter.add("write", out.ConsumedCapacity);
      return item;
    } catch (err) {
      throw translate(
        err,
        () => new ConflictError(`item "${item.id}" already exists: choose another id or PUT to replace it`),
      );
    }
  }

  async get(id: string, meter: CapacityMeter): Promise<Item | undefined> {
    try {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.tableName, Key: { id }, ReturnConsumedCapacity: "TOTAL" }),
      );
      meter.add("read", out.ConsumedCapacity);
      return out.Item as Item | undefined;
    } catch (err) {
      throw fromDynamoDbError(err);
    }
  }

  /** Replaces an existing item whole (condition attribute_exists(id)); NotFoundError when there is none. */
  async replace(item: Item, meter: CapacityMeter): Promise<Item> {
    try {
      const out = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: "attribute_exists(#id)",
          ExpressionAttributeNames: { "#id": "id" },
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      meter.add("write", out.ConsumedCapacity);
      return item;
    } catch (err) {
      throw translate(err, () => notFound(item.id));
    }
  }

  /** Sets and removes top-level attributes of an existing item; returns the item after the update. */
  async patch(id: string, patch: Patch, meter: CapacityMeter): Promise<Item> {
    const update = buildUpdate(patch);
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: update.updateExpression,
          ConditionExpression: update.conditionExpression,
          ExpressionAttributeNames: update.names,
          ExpressionAttributeValues: update.values,
          ReturnValues: "ALL_NEW",
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      meter.add("write", out.ConsumedCapacity);
      return out.Attributes as Item;
    } catch (err) {
      throw translate(err, () => notFound(id));
    }
  }

  /** Deletes an item and returns it; NotFoundError when there was none. */
  async delete(id: string, meter: CapacityMeter): Promise<Item> {
    let old: Item | undefined;
    try {
      const out = await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { id },
          ReturnValues: "ALL_OLD",
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      meter.add("write", out.ConsumedCapacity);
      old = out.Attributes as Item | undefined;
    } catch (err) {
      throw fromDynamoDbError(err);
    }
    if (!old) throw notFound(id);
    return old;
  }

  /** One page of a Scan of at most `limit` items, from after `startKey`. */
  async list(limit: number, startKey: { id: string } | undefined, meter: CapacityMeter): Promise<ItemsPage> {
    try {
      const out = await this.doc.send(
        new ScanCommand({
          TableName: this.tableName,
          Limit: limit,
          ExclusiveStartKey: startKey ? { id: startKey.id } : undefined,
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      meter.add("read", out.ConsumedCapacity);
      const lastId = out.LastEvaluatedKey?.["id"];
      return {
        items: (out.Items ?? []) as Item[],
        ...(typeof lastId === "string" ? { lastKey: { id: lastId } } : {}),
      };
    } catch (err) {
      throw fromDynamoDbError(err);
    }
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`item "${id}" does not exist: create it with POST /items first`);
}
