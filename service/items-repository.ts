/**
 * DynamoDB access for the items table, through the lib-dynamodb DocumentClient. Every call asks for
 * ReturnConsumedCapacity TOTAL and adds it to the request's CapacityMeter. DynamoDB exceptions become domain
 * errors here (the adapter's job); nothing client-supplied reaches a call except validated ids and attributes.
 *
 * No transactions and no ReturnValuesOnConditionCheckFailure: dynalite (the local stage) lacks both.
 */
import http from "node:http";
import https from "node:https";
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
import { ConflictError, fromDynamoDbError, NotFoundError, PayloadTooLargeError } from "./errors.ts";
import type { Item, Patch } from "./validation.ts";

/**
 * Builds the DocumentClient once per execution environment, with keep-alive connections. The endpoint is
 * left to the SDK: it honours AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL, so one bundle runs on AWS and
 * against the local stage.
 */
export function createDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    requestHandler: {
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
    },
  });
  return DynamoDBDocumentClient.from(client);
}

export interface ItemsPage {
  items: Item[];
  /** Key to continue from, absent on the last page. */
  lastKey?: { id: string };
}

function translate(err: unknown, onConditionFailed: () => Error): unknown {
  if (err instanceof Error) {
    if (err.name === "ConditionalCheckFailedException") return onConditionFailed();
    if (err.name === "ValidationException" && /size/i.test(err.message)) {
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
    const names: Record<string, string> = { "#id": "id" };
    const values: Record<string, unknown> = {};
    const setClauses: string[] = [];
    const removeClauses: string[] = [];
    Object.entries(patch.set).forEach(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      setClauses.push(`#s${i} = :s${i}`);
    });
    patch.remove.forEach((name, i) => {
      names[`#r${i}`] = name;
      removeClauses.push(`#r${i}`);
    });
    const expression = [
      setClauses.length > 0 ? `SET ${setClauses.join(", ")}` : "",
      removeClauses.length > 0 ? `REMOVE ${removeClauses.join(", ")}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: expression,
          ConditionExpression: "attribute_exists(#id)",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: setClauses.length > 0 ? values : undefined,
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
