import { describe, expect, it } from "vitest";
import { readConfig } from "./config.ts";
import { ConfigError } from "./errors.ts";

describe("readConfig", () => {
  it("reads TABLE_NAME", () => {
    expect(readConfig({ TABLE_NAME: "stack-ItemsTable-1ABC" })).toEqual({
      tableName: "stack-ItemsTable-1ABC",
    });
  });

  it.each([
    [{}, /TABLE_NAME is not set: expected the DynamoDB table name/],
    [{ TABLE_NAME: "" }, /TABLE_NAME is not set/],
    [{ TABLE_NAME: "ab" }, /TABLE_NAME is "ab": expected a DynamoDB table name \(3-255 characters/],
    [{ TABLE_NAME: "items; drop" }, /TABLE_NAME is "items; drop": expected a DynamoDB table name/],
  ])("names the variable when it is missing or wrong: %j", (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});
