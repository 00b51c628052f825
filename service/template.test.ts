import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
// The template is read with the same CloudFormation tags the local stage uses (`!GetAtt A.B` → ["A", "B"]).
import { intrinsicTags } from "../stage/template-intrinsics.ts";
import { ROUTES, routeName } from "./routes.ts";

// biome-ignore lint/suspicious/noExplicitAny: a parsed CloudFormation template is untyped JSON
type Json = any;
const template: Json = parse(readFileSync(new URL("./template.yaml", import.meta.url), "utf8"), {
  customTags: intrinsicTags(),
});
const resources: Record<string, Json> = template.Resources;
const fn = Object.values(resources).find((r) => r.Type === "AWS::Serverless::Function");
const [tableId, table] = Object.entries(resources).find(([, r]) => r.Type === "AWS::DynamoDB::Table") ?? [];

describe("service/template.yaml", () => {
  it("declares an API event for every route the handler serves, and no other", () => {
    const events = Object.values(fn.Properties.Events as Record<string, Json>);
    expect(events.every((e) => e.Type === "Api")).toBe(true);
    const declared = events
      .map((e) => `${String(e.Properties.Method).toUpperCase()} ${e.Properties.Path}`)
      .sort();
    expect(declared).toEqual(ROUTES.map(routeName).sort());
    const api = Object.entries(resources).find(([, r]) => r.Type === "AWS::Serverless::Api");
    expect(api?.[1].Properties.StageName).toBe("prod");
    expect(events.every((e) => e.Properties.RestApiId?.Ref === api?.[0])).toBe(true);
  });

  it("takes MemorySize, Architecture and Timeout as parameters and wires them to the function", () => {
    expect(template.Parameters.MemorySize).toMatchObject({ Type: "Number", Default: 1024 });
    expect(template.Parameters.Architecture.AllowedValues).toEqual(["x86_64", "arm64"]);
    expect(template.Parameters.Timeout.Type).toBe("Number");
    expect(fn.Properties.MemorySize).toEqual({ Ref: "MemorySize" });
    expect(fn.Properties.Architectures).toEqual([{ Ref: "Architecture" }]);
    expect(fn.Properties.Timeout).toEqual({ Ref: "Timeout" });
  });

  it("runs the esbuild bundle behind the alias live, with the table from configuration", () => {
    expect(fn.Properties).toMatchObject({
      CodeUri: "../dist/service/",
      Handler: "index.handler",
      AutoPublishAlias: "live",
    });
    expect(fn.Properties.Runtime).toMatch(/^nodejs(22|24)\.x$/);
    expect(fn.Properties.Environment.Variables.TABLE_NAME).toEqual({ Ref: tableId });
  });

  it("has an on-demand table keyed by the string attribute id", () => {
    expect(table.Properties.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(table.Properties.AttributeDefinitions).toEqual([{ AttributeName: "id", AttributeType: "S" }]);
  });

  it("limits the function's policy to item actions on this table (no wildcard)", () => {
    const statements: Json[] = fn.Properties.Policies.flatMap((p: Json) => p.Statement ?? []);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const resourcesOfStatement = [statement.Resource].flat();
      for (const resource of resourcesOfStatement) {
        expect(JSON.stringify(resource)).not.toContain("*");
        expect(resource).toEqual({ "Fn::GetAtt": [tableId, "Arn"] });
      }
      for (const action of [statement.Action].flat()) {
        expect(action).toMatch(/^dynamodb:(GetItem|PutItem|UpdateItem|DeleteItem|Scan)$/);
      }
    }
    // Managed policy templates (strings / SAM policy templates) would escape this check: none allowed.
    expect(fn.Properties.Policies.every((p: Json) => typeof p === "object" && "Statement" in p)).toBe(true);
  });

  it("outputs the API URL of the prod stage, the function name and the table name", () => {
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(["ApiUrl", "FunctionName", "TableName"]),
    );
    expect(template.Outputs.ApiUrl.Value["Fn::Sub"]).toContain("/prod");
    expect(template.Outputs.TableName.Value).toEqual({ Ref: tableId });
  });
});
