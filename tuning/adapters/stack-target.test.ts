/**
 * What a stack's outputs and resources say (pure mapping of --stack-name): outputs first, then the resources as
 * CloudFormation lists a SAM stack, and what is left unknown when the stack does not say it.
 */
import { describe, expect, it } from "vitest";
import { type StackResource, stackTargetOf } from "./stack-discovery.ts";

const fnArn = "arn:aws:lambda:eu-west-1:123456789012:function:orders-Fn-AbC123";
const samResources: StackResource[] = [
  { logicalId: "Fn", physicalId: "orders-Fn-AbC123", type: "AWS::Lambda::Function" },
  { logicalId: "FnAliaslive", physicalId: `${fnArn}:live`, type: "AWS::Lambda::Alias" },
  { logicalId: "FnVersion0a1b2c3d4e", physicalId: `${fnArn}:3`, type: "AWS::Lambda::Version" },
  { logicalId: "Api", physicalId: "k2j3h4g5f6", type: "AWS::ApiGateway::RestApi" },
  { logicalId: "ApiprodStage", physicalId: "prod", type: "AWS::ApiGateway::Stage" },
  { logicalId: "Orders", physicalId: "orders-Orders-XYZ", type: "AWS::DynamoDB::Table" },
  { logicalId: "FnLogs", physicalId: "/aws/lambda/orders-Fn-AbC123", type: "AWS::Logs::LogGroup" },
];

describe("stackTargetOf", () => {
  it("a SAM stack without outputs: everything from its resources; the REST API is named after the stack", () => {
    expect(stackTargetOf("orders", "eu-west-1", {}, samResources)).toEqual({
      stackName: "orders",
      apiUrl: "https://k2j3h4g5f6.execute-api.eu-west-1.amazonaws.com/prod",
      apiStageName: "prod",
      apiType: "REST",
      apiName: "orders",
      functionName: "orders-Fn-AbC123",
      functionNames: ["orders-Fn-AbC123"],
      alias: "live",
      tableName: "orders-Orders-XYZ",
      tableNames: ["orders-Orders-XYZ"],
      logGroups: ["/aws/lambda/orders-Fn-AbC123"],
    });
  });

  it("outputs win over resources", () => {
    const target = stackTargetOf(
      "orders",
      "eu-west-1",
      { ApiUrl: "https://api.example.com/v1/", ApiName: "Orders API", TableName: "custom" },
      samResources,
    );
    expect(target).toMatchObject({
      apiUrl: "https://api.example.com/v1",
      apiName: "Orders API",
      tableName: "custom",
    });
  });

  it("an HTTP API's $default stage has no path", () => {
    const target = stackTargetOf("h", "us-east-1", {}, [
      { logicalId: "Fn", physicalId: "h-fn", type: "AWS::Lambda::Function" },
      { logicalId: "HttpApi", physicalId: "abcdef1234", type: "AWS::ApiGatewayV2::Api" },
      { logicalId: "HttpApiDefaultStage", physicalId: "$default", type: "AWS::ApiGatewayV2::Stage" },
    ]);
    expect(target).toMatchObject({
      apiType: "HTTP",
      apiUrl: "https://abcdef1234.execute-api.us-east-1.amazonaws.com",
      // the ApiId dimension of an HTTP API's metrics
      apiId: "abcdef1234",
    });
    expect(target.apiName).toBeUndefined();
  });

  it("several functions or tables and no output to choose: left unknown, with the candidates", () => {
    const target = stackTargetOf("two", "us-east-1", {}, [
      { logicalId: "A", physicalId: "two-A", type: "AWS::Lambda::Function" },
      { logicalId: "B", physicalId: "two-B", type: "AWS::Lambda::Function" },
      { logicalId: "T1", physicalId: "t1", type: "AWS::DynamoDB::Table" },
      { logicalId: "T2", physicalId: "t2", type: "AWS::DynamoDB::Table" },
    ]);
    expect(target.functionName).toBeUndefined();
    expect(target.functionNames).toEqual(["two-A", "two-B"]);
    expect(target.tableName).toBeUndefined();
    expect(target.tableNames).toEqual(["t1", "t2"]);
    expect(target.apiUrl).toBeUndefined();
  });
});
