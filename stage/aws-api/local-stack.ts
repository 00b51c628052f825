/**
 * The CloudFormation stack the local stage deployed: what DescribeStacks and ListStackResources answer (served
 * over awsQuery by cloudformation-api.ts). It is built from the same SAM template the stage read, with the
 * physical ids the stage really created: the function's name, the version it published and the alias pointing
 * at it, the table dynalite holds, the log groups in the CloudWatch Logs store, and a REST API id for the API
 * Gateway front.
 *
 * Resources are listed as CloudFormation lists a deployed SAM stack, i.e. after the SAM transform:
 * `AWS::Serverless::Function` F becomes `AWS::Lambda::Function` F, `AWS::Lambda::Version` F`Version<hash>` and
 * `AWS::Lambda::Alias` F`Alias<alias>`; `AWS::Serverless::Api` A becomes `AWS::ApiGateway::RestApi` A and
 * `AWS::ApiGateway::Stage` A`<StageName>Stage`. Resources the stage does not emulate (IAM roles, secrets, API
 * Gateway account settings, ...) are left out: it never created them.
 *
 * Outputs are resolved from the template with those physical ids. An `execute-api` URL of the stage's REST API
 * (`https://<id>.execute-api.<region>.amazonaws.com/<stage>`) becomes the API front's URL on 127.0.0.1, the way
 * the stage serves that API.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { parse } from "yaml";
import {
  intrinsicTags,
  isRecord,
  type Json,
  Resolver,
  type Resource,
  TemplateError,
} from "../template-intrinsics.ts";

export interface StackResourceSummary {
  logicalResourceId: string;
  physicalResourceId: string;
  resourceType: string;
  resourceStatus: "CREATE_COMPLETE";
  lastUpdatedTimestamp: Date;
}

export interface LocalStackRecord {
  stackName: string;
  stackId: string;
  description?: string;
  creationTime: Date;
  stackStatus: "CREATE_COMPLETE";
  parameters: { key: string; value: string }[];
  outputs: { key: string; value: string; description?: string }[];
  resources: StackResourceSummary[];
}

/** What the stage created, by which the template's resources get their physical ids. */
export interface DeployedFacts {
  stackName: string;
  region: string;
  accountId: string;
  /** Parameter values the template was resolved with (Defaults merged with overrides). */
  parameters: Record<string, string>;
  functionName: string;
  aliasName: string;
  /** The version the alias points at. */
  version: string;
  tableName: string;
  /** The REST API's id (10 lower-case letters and digits, as API Gateway makes them). */
  restApiId: string;
  apiStageName: string;
  /** The API front's base URL, e.g. "http://127.0.0.1:41234/prod". */
  apiUrl: string;
}

/** A GetAtt the stage cannot answer (the resource is not emulated, or the attribute unknown). */
class UnknownAttributeError extends Error {}

/** A REST API id as API Gateway makes one: 10 characters, lower-case letters and digits. */
export function newRestApiId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join("");
}

/** The REST API's name as SAM gives it: its Name property, else the stack's name (SAM's `info.title`). */
export function restApiNameOf(templateText: string, source: string, facts: DeployedFacts): string {
  const doc = parseTemplate(templateText, source);
  const resources = resourcesOf(doc, source);
  const api = Object.values(resources).find((r) => r.Type === "AWS::Serverless::Api");
  const name = api?.Properties?.["Name"];
  if (name === undefined) return facts.stackName;
  return new Resolver(pseudoParameters(facts), resources, source).string(name, "Api.Properties.Name");
}

function parseTemplate(text: string, source: string): Record<string, Json> {
  const doc: unknown = parse(text, { customTags: intrinsicTags() });
  if (!isRecord(doc)) throw new TemplateError(`${source}: expected a mapping at the top level`);
  return doc;
}

function resourcesOf(doc: Record<string, Json>, source: string): Record<string, Resource> {
  const resources = doc["Resources"];
  if (!isRecord(resources)) throw new TemplateError(`${source}: no Resources section`);
  return resources as Record<string, Resource>;
}

function pseudoParameters(facts: DeployedFacts): Record<string, string> {
  return {
    ...facts.parameters,
    "AWS::Region": facts.region,
    "AWS::AccountId": facts.accountId,
    "AWS::StackName": facts.stackName,
  };
}

/**
 * The stack record of a template the local stage deployed.
 *
 * @example buildLocalStack(readFileSync(templatePath, "utf8"), templatePath, facts).outputs
 */
export function buildLocalStack(text: string, source: string, facts: DeployedFacts): LocalStackRecord {
  const doc = parseTemplate(text, source);
  const resources = resourcesOf(doc, source);
  const now = new Date();
  const fnArn = `arn:aws:lambda:${facts.region}:${facts.accountId}:function:${facts.functionName}`;
  const tableArn = `arn:aws:dynamodb:${facts.region}:${facts.accountId}:table/${facts.tableName}`;
  const versionHash = createHash("sha256").update(text).digest("hex").slice(0, 10);

  // Physical ids by logical id (what Ref gives), and GetAtt attributes; filled resource by resource.
  const physical: Record<string, string> = {};
  const attributes: Record<string, Record<string, string>> = {};
  const summaries: StackResourceSummary[] = [];
  const add = (logicalResourceId: string, resourceType: string, physicalResourceId: string) =>
    summaries.push({
      logicalResourceId,
      physicalResourceId,
      resourceType,
      resourceStatus: "CREATE_COMPLETE",
      lastUpdatedTimestamp: now,
    });

  for (const [id, resource] of Object.entries(resources)) {
    if (!isRecord(resource)) continue;
    switch (resource.Type) {
      case "AWS::Serverless::Function":
      case "AWS::Lambda::Function": {
        physical[id] = facts.functionName;
        attributes[id] = { Arn: fnArn };
        add(id, "AWS::Lambda::Function", facts.functionName);
        if (resource.Properties?.["AutoPublishAlias"] !== undefined) {
          add(`${id}Version${versionHash}`, "AWS::Lambda::Version", `${fnArn}:${facts.version}`);
          const aliasId = `${id}Alias${facts.aliasName}`;
          physical[aliasId] = `${fnArn}:${facts.aliasName}`;
          add(aliasId, "AWS::Lambda::Alias", `${fnArn}:${facts.aliasName}`);
        }
        break;
      }
      case "AWS::DynamoDB::Table":
      case "AWS::Serverless::SimpleTable":
        physical[id] = facts.tableName;
        attributes[id] = { Arn: tableArn };
        add(id, "AWS::DynamoDB::Table", facts.tableName);
        break;
      case "AWS::Serverless::Api":
        physical[id] = facts.restApiId;
        add(id, "AWS::ApiGateway::RestApi", facts.restApiId);
        add(`${id}${facts.apiStageName}Stage`, "AWS::ApiGateway::Stage", facts.apiStageName);
        break;
      case "AWS::Serverless::HttpApi":
        // SAM: an HTTP API and its stage ("$default" unless StageName says otherwise).
        physical[id] = facts.restApiId;
        add(id, "AWS::ApiGatewayV2::Api", facts.restApiId);
        add(`${id}ApiGatewayDefaultStage`, "AWS::ApiGatewayV2::Stage", facts.apiStageName || "$default");
        break;
      default:
        break;
    }
  }

  const resolver = new Resolver({ ...pseudoParameters(facts), ...physical }, resources, source);
  // Log groups: after the function, whose name their LogGroupName usually refers to.
  for (const [id, resource] of Object.entries(resources)) {
    if (!isRecord(resource) || resource.Type !== "AWS::Logs::LogGroup") continue;
    const named = resource.Properties?.["LogGroupName"];
    const name =
      named === undefined
        ? `${facts.stackName}-${id}-${randomBytes(6).toString("hex").toUpperCase()}`
        : resolver.string(named, `Resources.${id}.Properties.LogGroupName`);
    physical[id] = name;
    attributes[id] = { Arn: `arn:aws:logs:${facts.region}:${facts.accountId}:log-group:${name}:*` };
    add(id, "AWS::Logs::LogGroup", name);
  }

  const full = new Resolver({ ...pseudoParameters(facts), ...physical }, resources, source);
  const conditions = isRecord(doc["Conditions"]) ? doc["Conditions"] : {};
  const holds = (name: string): boolean => {
    const condition = conditions[name];
    if (condition === undefined) throw new TemplateError(`${source}: no condition named ${name}`);
    return evaluateCondition(condition, full, holds);
  };
  const outputs: LocalStackRecord["outputs"] = [];
  for (const [key, output] of Object.entries(isRecord(doc["Outputs"]) ? doc["Outputs"] : {})) {
    if (!isRecord(output)) continue;
    if (typeof output["Condition"] === "string" && !holds(output["Condition"])) continue;
    let resolvedNode: Json;
    try {
      resolvedNode = withAttributes(output["Value"], attributes);
    } catch (error) {
      // An attribute the stage does not have (e.g. a role's Arn): the output is left out, never made up.
      if (error instanceof UnknownAttributeError) continue;
      throw error;
    }
    const value = full.string(resolvedNode, `Outputs.${key}.Value`);
    outputs.push({
      key,
      value: localApiUrl(value, facts),
      ...(typeof output["Description"] === "string" ? { description: output["Description"] } : {}),
    });
  }

  const parameterSpecs = isRecord(doc["Parameters"]) ? doc["Parameters"] : {};
  return {
    stackName: facts.stackName,
    stackId: `arn:aws:cloudformation:${facts.region}:${facts.accountId}:stack/${facts.stackName}/${randomUUID()}`,
    ...(typeof doc["Description"] === "string" ? { description: doc["Description"].trim() } : {}),
    creationTime: now,
    stackStatus: "CREATE_COMPLETE",
    parameters: Object.keys(parameterSpecs).map((key) => ({
      key,
      // As CloudFormation answers a NoEcho parameter.
      value:
        isRecord(parameterSpecs[key]) && parameterSpecs[key]["NoEcho"] === true
          ? "****"
          : (facts.parameters[key] ?? ""),
    })),
    outputs,
    resources: summaries,
  };
}

/**
 * Replaces `!GetAtt X.Attr` and `${X.Attr}` in !Sub strings with the attributes the stage knows; throws
 * UnknownAttributeError for one it does not.
 */
function withAttributes(node: Json, attributes: Record<string, Record<string, string>>): Json {
  const lookup = (logicalId: string, attribute: string): string | undefined =>
    attributes[logicalId]?.[attribute];
  if (Array.isArray(node)) return node.map((n) => withAttributes(n, attributes));
  if (!isRecord(node)) return node;
  const getAtt = node["Fn::GetAtt"];
  if (getAtt !== undefined && Object.keys(node).length === 1) {
    const [logicalId, attribute] = Array.isArray(getAtt) ? getAtt.map(String) : String(getAtt).split(".");
    const known = lookup(logicalId ?? "", attribute ?? "");
    if (known === undefined) throw new UnknownAttributeError(`${logicalId}.${attribute}`);
    return known;
  }
  const sub = node["Fn::Sub"];
  if (sub !== undefined && Object.keys(node).length === 1) {
    const replace = (text: string) =>
      text.replace(/\$\{([^}!.]+)\.([^}]+)\}/g, (_m, id: string, attr: string) => {
        const known = lookup(id, attr);
        if (known === undefined) throw new UnknownAttributeError(`${id}.${attr}`);
        return known;
      });
    if (typeof sub === "string") return { "Fn::Sub": replace(sub) };
    if (Array.isArray(sub) && typeof sub[0] === "string")
      return { "Fn::Sub": [replace(sub[0]), withAttributes(sub[1], attributes)] };
  }
  const out: Record<string, Json> = {};
  for (const [key, child] of Object.entries(node)) out[key] = withAttributes(child, attributes);
  return out;
}

function evaluateCondition(node: Json, resolver: Resolver, holds: (name: string) => boolean): boolean {
  if (typeof node === "boolean") return node;
  if (!isRecord(node)) throw new TemplateError(`unsupported condition ${JSON.stringify(node)}`);
  const [key, arg] = Object.entries(node)[0] ?? [];
  const list = Array.isArray(arg) ? (arg as Json[]) : [];
  switch (key) {
    case "Condition":
      return holds(String(arg));
    case "Fn::Equals":
      return resolver.string(list[0], "Fn::Equals") === resolver.string(list[1], "Fn::Equals");
    case "Fn::Not":
      return !evaluateCondition(list[0], resolver, holds);
    case "Fn::And":
      return list.every((c) => evaluateCondition(c, resolver, holds));
    case "Fn::Or":
      return list.some((c) => evaluateCondition(c, resolver, holds));
    default:
      throw new TemplateError(`unsupported condition function ${key}`);
  }
}

/** `https://<rest api id>.execute-api.<region>.<suffix>/<path>` → the API front's origin + `/<path>`. */
function localApiUrl(value: string, facts: DeployedFacts): string {
  const origin = new URL(facts.apiUrl).origin;
  const pattern = new RegExp(
    `https://${facts.restApiId}\\.execute-api\\.[a-z0-9-]+\\.amazonaws\\.com(?=/|$)`,
    "g",
  );
  return value.replace(pattern, origin);
}

/** The stacks the local stage answers CloudFormation calls about (one per stage start). */
export class StackStore {
  private readonly stacks: LocalStackRecord[] = [];

  add(stack: LocalStackRecord): void {
    this.stacks.push(stack);
  }

  all(): readonly LocalStackRecord[] {
    return this.stacks;
  }

  /** By name or by stack id (ARN), as CloudFormation takes StackName. */
  find(nameOrId: string): LocalStackRecord | undefined {
    return this.stacks.find((s) => s.stackName === nameOrId || s.stackId === nameOrId);
  }
}
