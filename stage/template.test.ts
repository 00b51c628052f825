import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadServiceTemplate, parseServiceTemplate, TemplateError } from "./template.ts";

const TEMPLATE = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  MemorySize:
    Type: Number
    Default: 256
  Architecture:
    Type: String
    Default: x86_64
Globals:
  Function:
    Timeout: 10
    Runtime: nodejs22.x
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Variables:
        mode: bench
      BinaryMediaTypes: ["application~1octet-stream"]
  CrudFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      CodeUri: ../dist/service
      MemorySize: !Ref MemorySize
      Architectures: [!Ref Architecture]
      AutoPublishAlias: live
      Environment:
        Variables:
          TABLE_NAME: !Ref ItemsTable
          STACK: !Sub "\${AWS::StackName}-crud"
      Events:
        List: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /items, Method: get } }
        Get:
          Type: Api
          Properties: { RestApiId: !Ref Api, Path: "/items/{id}", Method: get }
        Manager: { Type: Api, Properties: { RestApiId: !Ref Api, Path: /dynamodbmanager, Method: post } }
        Schedule: { Type: Schedule, Properties: { Schedule: rate(1 minute) } }
  ItemsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
      KeySchema: [{ AttributeName: id, KeyType: HASH }]
Outputs:
  ApiUrl:
    Value: !Sub "https://\${Api}.execute-api.\${AWS::Region}.amazonaws.com/prod"
`;

describe("parseServiceTemplate", () => {
  it("reads routes, function settings, table and stage from a SAM template with intrinsic tags", () => {
    // Act
    const template = parseServiceTemplate(TEMPLATE, "test.yaml");
    // Assess
    expect(template.routes).toEqual([
      { method: "GET", path: "/items", pathParameters: [] },
      { method: "GET", path: "/items/{id}", pathParameters: ["id"] },
      { method: "POST", path: "/dynamodbmanager", pathParameters: [] },
    ]);
    expect(template.function).toEqual({
      logicalId: "CrudFunction",
      name: "CrudFunction",
      memoryMb: 256,
      timeoutS: 10,
      runtime: "nodejs22.x",
      handler: "index.handler",
      environment: { TABLE_NAME: "ItemsTable", STACK: "powerbench-local-crud" },
      aliasName: "live",
      codeUri: "../dist/service",
      architectures: ["x86_64"],
    });
    expect(template.tableName).toBe("ItemsTable");
    expect(template.tableKeyName).toBe("id");
    expect(template.apiStageName).toBe("prod");
    expect(template.apiName).toBe("Api");
    expect(template.stageVariables).toEqual({ mode: "bench" });
    expect(template.binaryMediaTypes).toEqual(["application/octet-stream"]);
  });

  it("resolves parameters from overrides before their Defaults", () => {
    const template = parseServiceTemplate(TEMPLATE, "test.yaml", { MemorySize: 1769, Architecture: "arm64" });
    expect(template.function.memoryMb).toBe(1769);
    expect(template.function.architectures).toEqual(["arm64"]);
  });

  it("names what is missing: no function, a Ref to nothing, a route without Path", () => {
    expect(() => parseServiceTemplate("Resources: {}", "empty.yaml")).toThrow(
      /empty\.yaml: expected exactly one AWS::Serverless::Function; got 0/,
    );
    expect(() => parseServiceTemplate(TEMPLATE.replace("!Ref ItemsTable", "!Ref Nope"), "t.yaml")).toThrow(
      /TABLE_NAME refers to "Nope", which is neither a parameter nor a resource/,
    );
    expect(() => parseServiceTemplate(TEMPLATE.replace("Path: /items, ", ""), "t.yaml")).toThrow(
      TemplateError,
    );
    expect(() => parseServiceTemplate(TEMPLATE.replace("Handler: index.handler", ""), "t.yaml")).toThrow(
      /Properties\.Handler is missing/,
    );
  });

  it("uses SAM's implicit API (stage Prod) when the template declares no AWS::Serverless::Api", () => {
    const implicit = TEMPLATE.replace(
      / {2}Api:\n {4}Type: AWS::Serverless::Api\n[\s\S]*?(?= {2}CrudFunction:)/,
      "",
    )
      .replaceAll("RestApiId: !Ref Api, ", "")
      .replace(/Outputs:[\s\S]*$/, "");
    const template = parseServiceTemplate(implicit, "t.yaml");
    expect(template.apiStageName).toBe("Prod");
    expect(template.apiName).toBe("ServerlessRestApi");
    expect(template.stageVariables).toBeNull();
  });
});

describe.runIf(existsSync("service/template.yaml"))("the service's own template", () => {
  it("gives the stage a function, a table keyed by id, and the CRUD routes", () => {
    const template = loadServiceTemplate("service/template.yaml");
    expect(template.tableKeyName).toBe("id");
    expect(template.function.environment["TABLE_NAME"]).toBe(template.tableName);
    expect(template.routes.map((r) => `${r.method} ${r.path}`)).toContain("POST /dynamodbmanager");
    expect(template.routes.some((r) => r.pathParameters.length > 0)).toBe(true);
  });
});
