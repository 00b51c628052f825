/**
 * CloudFormation's awsQuery on the local endpoint at the wire: the XML answers and errors for what the real
 * client never sends (unknown actions, another API version, a foreign page token, an unsigned form post),
 * with a stack built from service/template.yaml. After each, the real client still gets its answer.
 */
import { readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { CloudFormationClient, ListStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogStore } from "../cloudwatch/log-store.ts";
import { MetricStore } from "../cloudwatch/metric-store.ts";
import { LocalLambda } from "../lambda/local-lambda.ts";
import { loadServiceTemplate } from "../template.ts";
import { type AwsEndpoint, LOCAL_ENDPOINT_CREDENTIALS, startAwsEndpoint } from "./endpoint.ts";
import { buildLocalStack, StackStore } from "./local-stack.ts";
import { signedHeaders } from "./sigv4.ts";

const TEMPLATE = fileURLToPath(new URL("../../service/template.yaml", import.meta.url));
const lambda = new LocalLambda({ metricSink: new MetricStore(), logSink: new LogStore(), cpuScaling: "off" });
const stacks = new StackStore();
let endpoint: AwsEndpoint;
let client: CloudFormationClient;

beforeAll(async () => {
  const template = loadServiceTemplate(TEMPLATE);
  stacks.add(
    buildLocalStack(readFileSync(TEMPLATE, "utf8"), TEMPLATE, {
      stackName: "wire",
      region: "us-east-1",
      accountId: "123456789012",
      parameters: template.parameters,
      functionName: template.function.name,
      aliasName: "live",
      version: "1",
      tableName: template.tableName,
      restApiId: "abcde12345",
      apiStageName: "prod",
      apiUrl: "http://127.0.0.1:9/prod",
    }),
  );
  endpoint = await startAwsEndpoint({ lambda, metrics: new MetricStore(), logs: new LogStore(), stacks });
  client = new CloudFormationClient({
    endpoint: endpoint.url,
    region: "us-east-1",
    credentials: LOCAL_ENDPOINT_CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client.destroy();
  await endpoint.close();
  await lambda.close();
});

async function post(form: string, sign = true): Promise<{ status: number; type: string; body: string }> {
  const url = new URL("/", endpoint.url);
  const headers = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  const sent = sign
    ? await signedHeaders({ method: "POST", url, headers, body: form }, LOCAL_ENDPOINT_CREDENTIALS, {
        region: "us-east-1",
        service: "cloudformation",
      })
    : { ...headers, host: url.host };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: sent, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers["content-type"]),
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(form);
  });
}

const errorCode = (xml: string) => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

describe("CloudFormation awsQuery at the wire", () => {
  it("a ListStackResources answer is XML in the 2010-05-15 namespace, lists as <member>", async () => {
    const answer = await post("Action=ListStackResources&Version=2010-05-15&StackName=wire");
    expect(answer.status).toBe(200);
    expect(answer.type).toBe("text/xml");
    expect(answer.body).toMatch(
      /^<ListStackResourcesResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><ListStackResourcesResult><StackResourceSummaries><member><LogicalResourceId>/,
    );
    expect(answer.body).toMatch(
      /<ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata>/,
    );
  });

  it.each([
    [
      "an action it does not serve",
      "Action=CreateStack&Version=2010-05-15&StackName=x",
      400,
      "InvalidAction",
    ],
    ["another API version", "Action=DescribeStacks&Version=2011-01-01", 400, "InvalidParameterValue"],
    ["no StackName", "Action=ListStackResources&Version=2010-05-15", 400, "ValidationError"],
    [
      "a foreign page token",
      "Action=ListStackResources&Version=2010-05-15&StackName=wire&NextToken=eA==",
      400,
      "ValidationError",
    ],
  ])("%s: 4xx with <ErrorResponse><Error><Type>Sender", async (_case, form, status, code) => {
    const answer = await post(form);
    expect(answer.status).toBe(status);
    expect(answer.body).toContain("<ErrorResponse");
    expect(answer.body).toContain("<Type>Sender</Type>");
    expect(errorCode(answer.body)).toBe(code);
    // The server is still there for the real client.
    const listed = await client.send(new ListStackResourcesCommand({ StackName: "wire" }));
    expect(listed.StackResourceSummaries?.length).toBeGreaterThan(0);
  });

  it("an unsigned form post (what a web page can send) reads nothing: 403 in the query error shape", async () => {
    const answer = await post("Action=DescribeStacks&Version=2010-05-15", false);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("<ErrorResponse");
    expect(answer.body).not.toContain("wire");
  });

  it("outputs: the REST API's execute-api URL is the front's, the API name is the stack's, parameters as resolved", () => {
    const stack = stacks.find("wire");
    const outputs = Object.fromEntries((stack?.outputs ?? []).map((o) => [o.key, o.value]));
    expect(outputs["ApiUrl"]).toBe("http://127.0.0.1:9/prod");
    expect(outputs["ApiName"]).toBe("wire");
    expect(stack?.parameters.find((p) => p.key === "MemorySize")?.value).toBe("1024");
  });

  it("outputs with attributes resolve to real ARNs; a condition that fails or an attribute it lacks leaves the output out", () => {
    const text = `
Parameters:
  Env: { Type: String, Default: dev }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { Handler: index.handler, Runtime: nodejs22.x, CodeUri: ., AutoPublishAlias: live }
  Table:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: !Sub "\${AWS::StackName}-items" }
  Role:
    Type: AWS::IAM::Role
  Api:
    Type: AWS::Serverless::HttpApi
Outputs:
  TableArn: { Value: !GetAtt Table.Arn }
  FnArn: { Value: !Sub "\${Fn.Arn}:live" }
  RoleArn: { Value: !GetAtt Role.Arn }
  ProdOnly: { Condition: IsProd, Value: yes }
  Url: { Value: !Sub "https://\${Api}.execute-api.\${AWS::Region}.amazonaws.com" }
`;
    const stack = buildLocalStack(text, "inline.yaml", {
      stackName: "s",
      region: "eu-west-1",
      accountId: "123456789012",
      parameters: { Env: "dev" },
      functionName: "Fn",
      aliasName: "live",
      version: "1",
      tableName: "s-items",
      restApiId: "zz00zz00zz",
      apiStageName: "",
      apiUrl: "http://127.0.0.1:9",
    });
    expect(Object.fromEntries(stack.outputs.map((o) => [o.key, o.value]))).toEqual({
      TableArn: "arn:aws:dynamodb:eu-west-1:123456789012:table/s-items",
      FnArn: "arn:aws:lambda:eu-west-1:123456789012:function:Fn:live",
      Url: "http://127.0.0.1:9",
    });
    expect(stack.resources.map((r) => [r.resourceType, r.physicalResourceId])).toContainEqual([
      "AWS::ApiGatewayV2::Stage",
      "$default",
    ]);
  });
});
