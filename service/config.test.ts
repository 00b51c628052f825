import { describe, expect, it } from "vitest";
import { readConfig } from "./config.ts";
import { ServiceConfigError } from "./errors.ts";

describe("readConfig", () => {
  it("reads TABLE_NAME", () => {
    expect(readConfig({ TABLE_NAME: "stack-ItemsTable-1ABC" })).toEqual({
      tableName: "stack-ItemsTable-1ABC",
      commandRouteEnabled: true,
    });
  });

  it("reads CURSOR_KEY and refuses a short or unresolved one", () => {
    const key = "k".repeat(32);
    expect(readConfig({ TABLE_NAME: "items", CURSOR_KEY: key }).cursorKey).toBe(key);
    expect(() => readConfig({ TABLE_NAME: "items", CURSOR_KEY: "short" })).toThrow(
      /CURSOR_KEY is 5 characters: expected a secret of at least 32 characters/,
    );
    expect(() =>
      readConfig({
        TABLE_NAME: "items",
        CURSOR_KEY: "{{resolve:secretsmanager:CursorKeySecret:SecretString}}",
      }),
    ).toThrow(/CURSOR_KEY is an unresolved dynamic reference/);
  });

  it.each([
    [{}, true],
    [{ COMMAND_ROUTE: "auto", DEPLOYMENT_ENVIRONMENT: "benchmark" }, true],
    [{ COMMAND_ROUTE: "auto", DEPLOYMENT_ENVIRONMENT: "production" }, false],
    [{ DEPLOYMENT_ENVIRONMENT: "production" }, false],
    [{ COMMAND_ROUTE: "enabled", DEPLOYMENT_ENVIRONMENT: "production" }, true],
    [{ COMMAND_ROUTE: "disabled" }, false],
  ])("turns the command route on or off: %j → %s", (env, enabled) => {
    expect(readConfig({ TABLE_NAME: "items", ...env }).commandRouteEnabled).toBe(enabled);
  });

  it("names a wrong COMMAND_ROUTE value", () => {
    expect(() => readConfig({ TABLE_NAME: "items", COMMAND_ROUTE: "on" })).toThrow(
      /COMMAND_ROUTE is "on": expected one of enabled, disabled, auto/,
    );
  });

  it.each([
    [{}, /TABLE_NAME is not set: expected the DynamoDB table name/],
    [{ TABLE_NAME: "" }, /TABLE_NAME is not set/],
    [{ TABLE_NAME: "ab" }, /TABLE_NAME is "ab": expected a DynamoDB table name \(3-255 characters/],
    [{ TABLE_NAME: "items; drop" }, /TABLE_NAME is "items; drop": expected a DynamoDB table name/],
  ])("names the variable when it is missing or wrong: %j", (env, message) => {
    expect(() => readConfig(env)).toThrow(ServiceConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});
