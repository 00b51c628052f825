import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadServiceTemplate } from "../stage/template.ts";
// The template is read with the same CloudFormation tags the local stage uses (`!GetAtt A.B` → ["A", "B"]).
import { intrinsicTags } from "../stage/template-intrinsics.ts";
import { readConfig } from "./config.ts";
import { ROUTES, routeName } from "./routes.ts";

// biome-ignore lint/suspicious/noExplicitAny: a parsed CloudFormation template is untyped JSON
type Json = any;
const template: Json = parse(readFileSync(new URL("./template.yaml", import.meta.url), "utf8"), {
  customTags: intrinsicTags(),
});
const resources: Record<string, Json> = template.Resources;
const fn = Object.values(resources).find((r) => r.Type === "AWS::Serverless::Function");
const [tableId, table] = Object.entries(resources).find(([, r]) => r.Type === "AWS::DynamoDB::Table") ?? [];
const api = Object.values(resources).find((r) => r.Type === "AWS::Serverless::Api");

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

  it("keeps the table: Retain on delete and replace, point-in-time recovery, encryption at rest", () => {
    const [, tableResource] =
      Object.entries(resources).find(([, r]) => r.Type === "AWS::DynamoDB::Table") ?? [];
    expect(tableResource.DeletionPolicy).toBe("Retain");
    expect(tableResource.UpdateReplacePolicy).toBe("Retain");
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });

  it("has an authorizer, an API key with a usage plan and stage throttling, each a parameter", () => {
    expect(template.Parameters.Authorizer).toMatchObject({
      Default: "NONE",
      AllowedValues: ["NONE", "AWS_IAM", "COGNITO"],
    });
    expect(template.Parameters.ApiKeyRequired.AllowedValues).toEqual(["true", "false"]);
    const auth = api.Properties.Auth;
    expect(auth.DefaultAuthorizer["Fn::If"][1]).toBe("AWS_IAM");
    expect(auth.Authorizers["Fn::If"][1].CognitoAuthorizer.UserPoolArn).toEqual({
      Ref: "CognitoUserPoolArn",
    });
    expect(auth.ApiKeyRequired).toEqual({ "Fn::If": ["RequireApiKey", true, false] });
    expect(auth.UsagePlan.CreateUsagePlan).toEqual({ "Fn::If": ["RequireApiKey", "PER_API", "NONE"] });
    expect(auth.UsagePlan.Quota).toEqual({ Limit: { Ref: "UsagePlanQuotaPerDay" }, Period: "DAY" });
    expect(api.Properties.MethodSettings).toEqual([
      expect.objectContaining({
        ResourcePath: "/*",
        HttpMethod: "*",
        ThrottlingRateLimit: { Ref: "ThrottlingRateLimit" },
        ThrottlingBurstLimit: { Ref: "ThrottlingBurstLimit" },
      }),
    ]);
    // Safe defaults: bounded, not so low that a benchmark is throttled by surprise.
    expect(template.Parameters.ThrottlingRateLimit.Default).toBeGreaterThan(0);
    expect(template.Parameters.ReservedConcurrency.Default).toBeGreaterThan(0);
    expect(fn.Properties.ReservedConcurrentExecutions).toEqual({
      "Fn::If": ["ReserveConcurrency", { Ref: "ReservedConcurrency" }, { Ref: "AWS::NoValue" }],
    });
    // Fn::If inside SAM's Auth needs AWS::LanguageExtensions to be resolved before the SAM transform.
    expect(template.Transform).toEqual(["AWS::LanguageExtensions", "AWS::Serverless-2016-10-31"]);
  });

  it("logs every API request as JSON with the Lambda request id, into log groups with a retention", () => {
    const setting = api.Properties.AccessLogSetting;
    expect(setting.DestinationArn).toEqual({ "Fn::GetAtt": ["ApiAccessLogs", "Arn"] });
    const fields = JSON.parse(setting.Format) as Record<string, string>;
    expect(fields).toMatchObject({
      requestId: "$context.requestId",
      awsEndpointRequestId: "$context.awsEndpointRequestId",
      status: "$context.status",
      integrationStatus: "$context.integrationStatus",
    });
    for (const id of ["ApiAccessLogs", "FunctionLogs"]) {
      expect(resources[id].Type).toBe("AWS::Logs::LogGroup");
      expect(resources[id].Properties.RetentionInDays).toEqual({ Ref: "LogRetentionDays" });
    }
    // The tuner reads REPORT lines from the group Lambda writes to.
    expect(resources["FunctionLogs"].Properties.LogGroupName).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript
      "Fn::Sub": "/aws/lambda/${CrudFunction}",
    });
  });

  it("puts the command route behind a parameter, off by default in production", () => {
    expect(template.Parameters.CommandRoute).toMatchObject({
      Default: "auto",
      AllowedValues: ["auto", "enabled", "disabled"],
    });
    const env = fn.Properties.Environment.Variables;
    expect(env.COMMAND_ROUTE).toEqual({ Ref: "CommandRoute" });
    expect(env.DEPLOYMENT_ENVIRONMENT).toEqual({ Ref: "DeploymentEnvironment" });
    const resolved = (environment: string, route: string) =>
      readConfig({ TABLE_NAME: "items", DEPLOYMENT_ENVIRONMENT: environment, COMMAND_ROUTE: route })
        .commandRouteEnabled;
    expect(resolved("production", template.Parameters.CommandRoute.Default)).toBe(false);
    expect(resolved("benchmark", template.Parameters.CommandRoute.Default)).toBe(true);
  });

  it("gives the function a generated cursor key, which the local stage generates too", () => {
    expect(resources["CursorKeySecret"]).toMatchObject({
      Type: "AWS::SecretsManager::Secret",
      Properties: { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } },
    });
    expect(fn.Properties.Environment.Variables.CURSOR_KEY).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript
      "Fn::Sub": "{{resolve:secretsmanager:${CursorKeySecret}:SecretString}}",
    });
    const path = new URL("./template.yaml", import.meta.url).pathname;
    const first = loadServiceTemplate(path).function.environment;
    const second = loadServiceTemplate(path).function.environment;
    expect(readConfig(first).cursorKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(first["CURSOR_KEY"]).not.toBe(second["CURSOR_KEY"]);
  });

  it("outputs the API URL of the prod stage, the function name and the table name", () => {
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(["ApiUrl", "FunctionName", "TableName"]),
    );
    expect(template.Outputs.ApiUrl.Value["Fn::Sub"]).toContain("/prod");
    expect(template.Outputs.TableName.Value).toEqual({ Ref: tableId });
  });
});

/**
 * What AWS::LanguageExtensions does before the SAM transform, for one set of parameter values: Conditions
 * evaluated, every Fn::If replaced by its branch, AWS::NoValue dropped. cfn-lint (and the SAM translator in it)
 * does not resolve Fn::If in SAM's Auth, so each variant is resolved here and then linted.
 */
function resolveVariant(doc: Json, values: Record<string, string>): Json {
  const parameters: Record<string, string> = {};
  for (const [name, spec] of Object.entries(doc.Parameters as Record<string, Json>))
    parameters[name] = values[name] ?? String(spec.Default);
  const evaluate = (node: Json): unknown => {
    if (typeof node !== "object" || node === null) return node;
    if ("Ref" in node) return parameters[node.Ref];
    if ("Fn::Equals" in node)
      return String(evaluate(node["Fn::Equals"][0])) === String(evaluate(node["Fn::Equals"][1]));
    if ("Fn::Not" in node) return !evaluate(node["Fn::Not"][0]);
    if ("Fn::And" in node) return node["Fn::And"].every(evaluate);
    if ("Fn::Or" in node) return node["Fn::Or"].some(evaluate);
    if ("Condition" in node) return evaluate(doc.Conditions[node.Condition]);
    throw new Error(`condition ${JSON.stringify(node)} is not evaluated by this test`);
  };
  const conditions: Record<string, boolean> = {};
  for (const [name, condition] of Object.entries(doc.Conditions as Record<string, Json>))
    conditions[name] = Boolean(evaluate(condition));
  const NO_VALUE = Symbol("NoValue");
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk).filter((v) => v !== NO_VALUE);
    if (typeof node !== "object" || node === null) return node;
    if (node.Ref === "AWS::NoValue") return NO_VALUE;
    if ("Fn::If" in node && Object.keys(node).length === 1) {
      const [name, whenTrue, whenFalse] = node["Fn::If"];
      if (!(name in conditions)) throw new Error(`Fn::If names an unknown condition ${name}`);
      return walk(conditions[name] ? whenTrue : whenFalse);
    }
    const out: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) {
      const walked = walk(value);
      if (walked !== NO_VALUE) out[key] = walked;
    }
    return out;
  };
  const resolved = walk(structuredClone(doc));
  resolved.Transform = "AWS::Serverless-2016-10-31";
  return resolved;
}

const cfnLint = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" });

describe("service/template.yaml passes cfn-lint (with the SAM translator) in every security variant", () => {
  const VARIANTS: Record<string, string>[] = [
    {},
    {
      Authorizer: "AWS_IAM",
      ApiKeyRequired: "true",
      DeploymentEnvironment: "production",
      ReservedConcurrency: "0",
    },
    {
      Authorizer: "COGNITO",
      CognitoUserPoolArn: "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_example",
      CreateApiGatewayLoggingRole: "true",
    },
  ];

  it.skipIf(cfnLint.status !== 0 && !process.env["CI"])(
    `lints ${VARIANTS.length} variants with ${cfnLint.stdout?.trim() || "cfn-lint (missing: pip install cfn-lint)"}`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), "powerbench-template-"));
      try {
        const files = VARIANTS.map((values, i) => {
          const file = join(dir, `variant-${i}.json`);
          const resolved = resolveVariant(template, values);
          writeFileSync(file, JSON.stringify(resolved, null, 1));
          return file;
        });
        let output = "";
        try {
          // W8001 "condition not used": the variants have their conditions resolved already.
          // W3005 "dependency already enforced": in the usage plan resources SAM generates, not in ours.
          const ignore = ["--ignore-checks", "W8001", "W3005"];
          output = execFileSync("cfn-lint", ["--format", "parseable", ...ignore, "--", ...files], {
            encoding: "utf8",
          });
        } catch (error) {
          output = String((error as { stdout?: string }).stdout ?? error);
        }
        expect(output.trim()).toBe("");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  it("resolves every Fn::If of the template (no condition the variants cannot evaluate)", () => {
    const resolved = resolveVariant(template, {});
    expect(JSON.stringify(resolved)).not.toContain("Fn::If");
    expect(resolved.Resources.CrudApi.Properties.Auth).toEqual({
      ApiKeyRequired: false,
      UsagePlan: expect.objectContaining({ CreateUsagePlan: "NONE" }),
    });
  });
});
