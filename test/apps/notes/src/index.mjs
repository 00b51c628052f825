// A small notes API (test data for powerbench: a second, different service). REST proxy events (payload 1.0):
//   POST   /users/{userId}/notes            {"noteId","title","text","tags"?}  201, 409 when it exists
//   GET    /users/{userId}/notes?limit=&tag= 200 {"notes":[...]}  (Query on the partition, optional tag filter)
//   GET    /users/{userId}/notes/{noteId}    200 | 404
//   PUT    /users/{userId}/notes/{noteId}    200 | 404  (replaces title, text, tags)
//   DELETE /users/{userId}/notes/{noteId}    204
// Every answer carries x-lambda-request-id (context.awsRequestId), the header powerbench attributes by, and
// every request writes one JSON log line {"msg":"request", requestId, consumedRcu, consumedWcu, ...}: the line
// powerbench prices DynamoDB from (docs/workload.md, "Your API's side of the contract").
import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from "@aws-sdk/lib-dynamodb";

const table = process.env.NOTES_TABLE;
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const ID = /^[A-Za-z0-9_-]{1,128}$/;

function answer(context, statusCode, body) {
  return {
    statusCode,
    headers: { "content-type": "application/json", "x-lambda-request-id": context.awsRequestId },
    body: body === undefined ? "" : JSON.stringify(body),
  };
}

function readNote(event) {
  let note;
  try {
    note = JSON.parse(event.body ?? "");
  } catch {
    return { error: "the body must be JSON" };
  }
  if (typeof note !== "object" || note === null) return { error: "the body must be a JSON object" };
  if (typeof note.title !== "string" || note.title.length === 0)
    return { error: "title: a non-empty string" };
  if (typeof note.text !== "string") return { error: "text: a string" };
  if (note.tags !== undefined && !(Array.isArray(note.tags) && note.tags.every((t) => typeof t === "string")))
    return { error: "tags: a list of strings" };
  return { note };
}

let consumed = { rcu: 0, wcu: 0 };
async function send(command) {
  command.input.ReturnConsumedCapacity = "TOTAL";
  const result = await documents.send(command);
  const units = result.ConsumedCapacity;
  const read =
    units?.ReadCapacityUnits ??
    (command instanceof GetCommand || command instanceof QueryCommand ? units?.CapacityUnits : 0);
  const write =
    units?.WriteCapacityUnits ??
    (command instanceof PutCommand || command instanceof DeleteCommand ? units?.CapacityUnits : 0);
  consumed = { rcu: consumed.rcu + (read ?? 0), wcu: consumed.wcu + (write ?? 0) };
  return result;
}

export async function handler(event, context) {
  const started = performance.now();
  consumed = { rcu: 0, wcu: 0 };
  const response = await route(event, context);
  console.log(
    JSON.stringify({
      level: response.statusCode >= 500 ? "error" : "info",
      msg: "request",
      requestId: context.awsRequestId,
      route: `${event.httpMethod} ${event.resource}`,
      method: event.httpMethod,
      status: response.statusCode,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      consumedRcu: consumed.rcu,
      consumedWcu: consumed.wcu,
    }),
  );
  return response;
}

async function route(event, context) {
  const { userId, noteId } = event.pathParameters ?? {};
  if (!ID.test(userId ?? "") || (noteId !== undefined && !ID.test(noteId)))
    return answer(context, 400, { message: "userId and noteId: 1 to 128 of [A-Za-z0-9_-]" });
  const method = event.httpMethod;
  try {
    if (noteId === undefined && method === "GET") {
      const query = event.queryStringParameters ?? {};
      const limit = Math.min(100, Math.max(1, Number(query.limit ?? 20) || 20));
      const result = await send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: "userId = :u",
          ExpressionAttributeValues: { ":u": userId, ...(query.tag ? { ":t": query.tag } : {}) },
          ...(query.tag ? { FilterExpression: "contains(tags, :t)" } : {}),
          Limit: limit,
        }),
      );
      return answer(context, 200, { notes: result.Items ?? [] });
    }
    if (noteId === undefined && method === "POST") {
      const { note, error } = readNote(event);
      if (error) return answer(context, 400, { message: error });
      if (!ID.test(note.noteId ?? ""))
        return answer(context, 400, { message: "noteId: 1 to 128 of [A-Za-z0-9_-]" });
      const item = { userId, noteId: note.noteId, title: note.title, text: note.text, tags: note.tags ?? [] };
      await send(
        new PutCommand({ TableName: table, Item: item, ConditionExpression: "attribute_not_exists(noteId)" }),
      );
      return answer(context, 201, item);
    }
    if (method === "GET") {
      const result = await send(new GetCommand({ TableName: table, Key: { userId, noteId } }));
      return result.Item
        ? answer(context, 200, result.Item)
        : answer(context, 404, { message: "no such note" });
    }
    if (method === "PUT") {
      const { note, error } = readNote(event);
      if (error) return answer(context, 400, { message: error });
      const item = { userId, noteId, title: note.title, text: note.text, tags: note.tags ?? [] };
      await send(
        new PutCommand({ TableName: table, Item: item, ConditionExpression: "attribute_exists(noteId)" }),
      );
      return answer(context, 200, item);
    }
    if (method === "DELETE") {
      await send(new DeleteCommand({ TableName: table, Key: { userId, noteId } }));
      return answer(context, 204);
    }
    return answer(context, 405, { message: `${method} is not allowed here` });
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      return method === "POST"
        ? answer(context, 409, { message: "the note exists" })
        : answer(context, 404, { message: "no such note" });
    console.error(JSON.stringify({ level: "error", message: error.message }));
    return answer(context, 500, { message: "internal error" });
  }
}
