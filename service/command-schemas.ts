/**
 * Schemas of the seed's command API (`{operation, tableName?, payload}`, the /dynamodbmanager tutorial shapes).
 * The seed passed `payload` straight into put_item/get_item/...; here each operation has an explicit schema,
 * unknown fields are rejected (no client-chosen TableName, ConditionExpression, IndexName, Select, ...), and a
 * `tableName` other than the configured table is refused, never used. Pure module.
 */
import { BadRequestError, ValidationError } from "./errors.ts";
import { buildUpdate } from "./update-expression.ts";
import {
  type AttributeValue,
  assertItemSize,
  describeValue,
  expectObject,
  type Item,
  isPlainObject,
  MAX_DEPTH,
  type Patch,
  parseLimit,
  rejectUnknownFields,
  validateAttributeName,
  validateAttributes,
  validateId,
} from "./validation.ts";

export const OPERATIONS = ["create", "read", "update", "delete", "list", "echo", "ping"] as const;
export type Operation = (typeof OPERATIONS)[number];

export type Command =
  | { operation: "create"; item: Item }
  | { operation: "read"; id: string }
  | { operation: "update"; id: string; patch: Patch }
  | { operation: "delete"; id: string }
  | { operation: "list"; limit: number; startKey: { id: string } | undefined }
  | { operation: "echo"; payload: unknown }
  | { operation: "ping" };

export function isOperation(name: string): name is Operation {
  return (OPERATIONS as readonly string[]).includes(name);
}

/** True when an event looks like a bare command (direct invoke or non-proxy integration). */
export function isCommandEvent(event: unknown): event is Record<string, unknown> {
  return isPlainObject(event) && typeof event["operation"] === "string";
}

function parseKey(value: unknown, where: string): string {
  const key = expectObject(value, where);
  rejectUnknownFields(key, ["id"], where);
  return validateId(key["id"], `${where}.id`);
}

function parseAttributeUpdates(value: unknown): Patch {
  const updates = expectObject(value, "payload.AttributeUpdates");
  const names = Object.keys(updates);
  if (names.length === 0) {
    throw new ValidationError("payload.AttributeUpdates is empty: expected at least one attribute to update");
  }
  if (names.includes("id")) {
    throw new ValidationError("payload.AttributeUpdates contains id: the key of an item cannot change");
  }
  const set: Record<string, AttributeValue> = {};
  const remove: string[] = [];
  for (const name of names) {
    const where = `payload.AttributeUpdates.${name}`;
    const update = expectObject(updates[name], where);
    rejectUnknownFields(update, ["Value", "Action"], where);
    const action = update["Action"] ?? "PUT";
    if (action === "PUT") {
      if (!("Value" in update))
        throw new ValidationError(`${where} has Action PUT but no Value: give the new Value`);
      const validated = validateAttributes({ [name]: update["Value"] }, "payload.AttributeUpdates");
      set[name] = validated[name] as AttributeValue;
    } else if (action === "DELETE") {
      if ("Value" in update) {
        throw new ValidationError(
          `${where} has Action DELETE with a Value: DELETE removes the attribute; omit Value`,
        );
      }
      validateAttributeName(name, "payload.AttributeUpdates");
      remove.push(name);
    } else {
      throw new ValidationError(`${where}.Action must be "PUT" or "DELETE", got ${describeValue(action)}`);
    }
  }
  assertItemSize(set);
  const patch = { set, remove };
  buildUpdate(patch); // refuses an update over DynamoDB's 4 KB expression limit
  return patch;
}

/** Echo's payload: any JSON, nested at most MAX_DEPTH levels (deeper ones overflow the serialiser's stack). */
function checkEchoPayload(value: unknown, depth = 0): unknown {
  if (typeof value !== "object" || value === null || !(Array.isArray(value) || isPlainObject(value)))
    return value;
  if (depth >= MAX_DEPTH) {
    throw new ValidationError(
      `payload nests lists/maps deeper than ${MAX_DEPTH} levels: echo returns documents of at most ${MAX_DEPTH} levels`,
    );
  }
  for (const nested of Object.values(value)) checkEchoPayload(nested, depth + 1);
  return value;
}

/**
 * Parses a command event against the configured table.
 *
 * @example parseCommand({ operation: "read", payload: { Key: { id: "a1" } } }, "items") // { operation: "read", id: "a1" }
 */
export function parseCommand(event: unknown, configuredTableName: string): Command {
  const command = expectObject(event, "command");
  const operation = command["operation"];
  if (typeof operation !== "string" || !isOperation(operation)) {
    const got =
      operation === undefined
        ? "the command has no operation"
        : `unknown operation ${typeof operation === "string" ? JSON.stringify(operation.slice(0, 64)) : describeValue(operation)}`;
    throw new BadRequestError(`${got}: expected one of ${OPERATIONS.join(", ")}`);
  }
  rejectUnknownFields(command, ["operation", "tableName", "payload"], "command");
  const tableName = command["tableName"];
  if (tableName !== undefined && tableName !== configuredTableName) {
    throw new BadRequestError(
      `tableName ${describeValue(tableName)} is not this service's table: omit tableName or pass "${configuredTableName}"`,
    );
  }
  const op = operation;
  if (op === "echo") return { operation: "echo", payload: checkEchoPayload(command["payload"] ?? null) };
  if (op === "ping") return { operation: "ping" };
  const payload = expectObject(command["payload"] ?? (op === "list" ? {} : undefined), "payload");
  switch (op) {
    case "create": {
      rejectUnknownFields(payload, ["Item"], "payload");
      const attributes = validateAttributes(payload["Item"], "payload.Item");
      const id = validateId(attributes["id"], "payload.Item.id");
      const item: Item = { ...attributes, id };
      assertItemSize(item);
      return { operation: "create", item };
    }
    case "read":
    case "delete":
      rejectUnknownFields(payload, ["Key"], "payload");
      return { operation: op, id: parseKey(payload["Key"], "payload.Key") };
    case "update":
      rejectUnknownFields(payload, ["Key", "AttributeUpdates"], "payload");
      return {
        operation: "update",
        id: parseKey(payload["Key"], "payload.Key"),
        patch: parseAttributeUpdates(payload["AttributeUpdates"]),
      };
    case "list": {
      rejectUnknownFields(payload, ["Limit", "ExclusiveStartKey"], "payload");
      const startKey =
        payload["ExclusiveStartKey"] === undefined
          ? undefined
          : { id: parseKey(payload["ExclusiveStartKey"], "payload.ExclusiveStartKey") };
      return { operation: "list", limit: parseLimit(payload["Limit"], "payload.Limit"), startKey };
    }
  }
}
