import { describe, expect, it } from "vitest";
import { parseCommand } from "./command-schemas.ts";
import { BadRequestError, PayloadTooLargeError, ValidationError } from "./errors.ts";

const TABLE = "items-table";
/** What a value looks like on the wire (ExactNumber prints its text). */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("parseCommand: the tutorial's payload shapes", () => {
  it("reads create, read, update, delete, list, echo and ping", () => {
    expect(
      wire(
        parseCommand(
          { operation: "create", tableName: TABLE, payload: { Item: { id: "1234ABCD", number: 5 } } },
          TABLE,
        ),
      ),
    ).toEqual({
      operation: "create",
      item: { id: "1234ABCD", number: 5 },
    });
    expect(parseCommand({ operation: "read", payload: { Key: { id: "1234ABCD" } } }, TABLE)).toEqual({
      operation: "read",
      id: "1234ABCD",
    });
    expect(
      wire(
        parseCommand(
          {
            operation: "update",
            payload: {
              Key: { id: "1234ABCD" },
              AttributeUpdates: {
                number: { Value: 10 },
                old: { Action: "DELETE" },
                tag: { Value: "t", Action: "PUT" },
              },
            },
          },
          TABLE,
        ),
      ),
    ).toEqual({
      operation: "update",
      id: "1234ABCD",
      patch: { set: { number: 10, tag: "t" }, remove: ["old"] },
    });
    expect(parseCommand({ operation: "delete", payload: { Key: { id: "x" } } }, TABLE)).toEqual({
      operation: "delete",
      id: "x",
    });
    expect(parseCommand({ operation: "list", payload: {} }, TABLE)).toEqual({
      operation: "list",
      limit: 25,
      startKey: undefined,
    });
    expect(parseCommand({ operation: "list" }, TABLE)).toEqual({
      operation: "list",
      limit: 25,
      startKey: undefined,
    });
    expect(
      parseCommand({ operation: "list", payload: { Limit: 3, ExclusiveStartKey: { id: "k" } } }, TABLE),
    ).toEqual({
      operation: "list",
      limit: 3,
      startKey: { id: "k" },
    });
    expect(parseCommand({ operation: "echo", payload: { somekey1: "somevalue1" } }, TABLE)).toEqual({
      operation: "echo",
      payload: { somekey1: "somevalue1" },
    });
    expect(parseCommand({ operation: "ping", payload: {} }, TABLE)).toEqual({ operation: "ping" });
  });
});

describe("parseCommand: the seed's holes are closed", () => {
  it("refuses a foreign tableName instead of using it", () => {
    expect(() =>
      parseCommand({ operation: "read", tableName: "other", payload: { Key: { id: "a" } } }, TABLE),
    ).toThrow(
      new BadRequestError(
        `tableName the string "other" is not this service's table: omit tableName or pass "${TABLE}"`,
      ),
    );
  });

  it("answers an unknown operation with BadRequest listing the known ones (the seed raised → 500)", () => {
    expect(() => parseCommand({ operation: "drop", payload: {} }, TABLE)).toThrow(
      /unknown operation "drop": expected one of create, read, update, delete, list, echo, ping/,
    );
    expect(() => parseCommand({ operation: "__proto__" }, TABLE)).toThrow(BadRequestError);
  });

  it.each([
    [
      "ConditionExpression",
      { operation: "create", payload: { Item: { id: "a" }, ConditionExpression: "attribute_exists(x)" } },
    ],
    ["TableName", { operation: "read", payload: { Key: { id: "a" }, TableName: "other" } }],
    ["IndexName", { operation: "list", payload: { IndexName: "gsi" } }],
    ["Select", { operation: "list", payload: { Select: "COUNT" } }],
    ["FilterExpression", { operation: "list", payload: { FilterExpression: "a = b" } }],
    [
      "UpdateExpression",
      { operation: "update", payload: { Key: { id: "a" }, UpdateExpression: "REMOVE x" } },
    ],
    ["extra key attribute", { operation: "read", payload: { Key: { id: "a", sk: "b" } } }],
    ["extra top-level field", { operation: "ping", extra: 1 }],
  ])("refuses a client-chosen %s", (name, event) => {
    const attempt = () => parseCommand(event, TABLE);
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(/unsupported field\(s\)/);
    expect(String(name)).not.toBe("");
  });

  it.each([
    [{ operation: "create", payload: { Item: { number: 5 } } }, /payload\.Item\.id must be 1-128 characters/],
    [
      { operation: "create", payload: {} },
      /payload\.Item must be a JSON object, got nothing \(the field is missing\)/,
    ],
    [{ operation: "read", payload: { Key: { id: 5 } } }, /payload\.Key\.id must be/],
    [{ operation: "read" }, /payload must be a JSON object/],
    [
      {
        operation: "update",
        payload: { Key: { id: "a" }, AttributeUpdates: { n: { Value: 1, Action: "ADD" } } },
      },
      /Action must be "PUT" or "DELETE"/,
    ],
    [
      { operation: "update", payload: { Key: { id: "a" }, AttributeUpdates: { id: { Value: "b" } } } },
      /contains id/,
    ],
    [
      { operation: "update", payload: { Key: { id: "a" }, AttributeUpdates: {} } },
      /AttributeUpdates is empty/,
    ],
    [{ operation: "list", payload: { Limit: 0 } }, /payload\.Limit must be an integer from 1 to 100/],
    [{ operation: "list", payload: { Limit: "5" } }, /payload\.Limit must be an integer/],
  ])("explains a wrong or missing field: %j", (event, message) => {
    expect(() => parseCommand(event, TABLE)).toThrow(message);
  });

  it("answers an oversized item with PayloadTooLargeError", () => {
    const event = { operation: "create", payload: { Item: { id: "big", data: "x".repeat(410 * 1024) } } };
    expect(() => parseCommand(event, TABLE)).toThrow(PayloadTooLargeError);
  });
});
