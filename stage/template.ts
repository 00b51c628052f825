/**
 * Reads the service's SAM template (service/template.yaml) into what the local stage needs: the API routes,
 * the function's runtime settings and the table. The template stays the single source of truth: the stage
 * never hard-codes a route, a memory size or an environment variable the template declares.
 *
 * CloudFormation intrinsic functions (`!Ref`, `!Sub`, `!GetAtt`, ...) are parsed as custom YAML tags and
 * resolved against the template's parameters (their Defaults, or the overrides passed in). A `Ref` to a
 * resource resolves to its physical name where the template gives one (e.g. a table's TableName), else to
 * its logical id, which is the name the local stage gives it.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import {
  intrinsicTags,
  isRecord,
  type Json,
  Resolver,
  type Resource,
  TemplateError,
} from "./template-intrinsics.ts";

export { TemplateError };

/** One route of the API, as a SAM `Api` (REST API) or `HttpApi` (HTTP API) event declares it. */
export interface TemplateRoute {
  /** Upper-case HTTP method, or "ANY". */
  method: string;
  /** API Gateway resource path, e.g. "/items/{id}" or "/{proxy+}". */
  path: string;
  /** Names of the path parameters in `path`, in order (greedy `{proxy+}` gives "proxy"). */
  pathParameters: string[];
}

/** The function behind the API, with its settings resolved. */
export interface TemplateFunction {
  logicalId: string;
  /** The function's name: its FunctionName property, else its logical id (the local stage's name for it). */
  name: string;
  memoryMb: number;
  timeoutS: number;
  runtime: string;
  /** e.g. "index.handler" */
  handler: string;
  /** Environment variables, resolved to strings. */
  environment: Record<string, string>;
  /** The alias SAM publishes (AutoPublishAlias), e.g. "live". */
  aliasName: string;
  /** Directory of the code relative to the template, e.g. "../dist/service". */
  codeUri: string;
  /** e.g. ["x86_64"] */
  architectures: string[];
}

export interface ServiceTemplate {
  routes: TemplateRoute[];
  function: TemplateFunction;
  /** Logical id of the DynamoDB table resource. */
  tableLogicalId: string;
  /** The table name the function is given (TableName property, else the logical id). */
  tableName: string;
  /** Name of the partition key attribute of the table. */
  tableKeyName: string;
  /** The table's whole primary key: partition (HASH) key first, then the sort (RANGE) key when it has one. */
  tableKeySchema: TableKeyAttribute[];
  /** REST API (`Api` events, payload format 1.0) or HTTP API (`HttpApi` events, payload format 2.0). */
  apiType: "REST" | "HTTP";
  /** StageName of the API ("Prod" for SAM's implicit REST API, "$default" for an HTTP API's). */
  apiStageName: string;
  /** Name of the REST API (its Name property, else its logical id; "ServerlessRestApi" for SAM's implicit API). */
  apiName: string;
  /** Stage variables of the API (the Api resource's Variables), or null when there are none. */
  stageVariables: Record<string, string> | null;
  /** The API's BinaryMediaTypes, e.g. ["image/png", "application/octet-stream"]; empty when none. */
  binaryMediaTypes: string[];
  /** Parameter values used to resolve the template (Defaults merged with overrides). */
  parameters: Record<string, string>;
}

/** One attribute of a table's primary key, with its DynamoDB type (S, N or B). */
export interface TableKeyAttribute {
  name: string;
  keyType: "HASH" | "RANGE";
  attributeType: "S" | "N" | "B";
}

/** Template parameters that may be overridden, e.g. { MemorySize: "512" }. */
export type ParameterOverrides = Record<string, string | number>;

/**
 * Parses a SAM template's text.
 *
 * @param source where the text came from, for error messages (a path)
 * @example parseServiceTemplate(readFileSync("service/template.yaml", "utf8"), "service/template.yaml", { MemorySize: 512 })
 */
export function parseServiceTemplate(
  text: string,
  source: string,
  overrides: ParameterOverrides = {},
): ServiceTemplate {
  let doc: unknown;
  try {
    doc = parse(text, { customTags: intrinsicTags() });
  } catch (error) {
    throw new TemplateError(`${source}: not valid YAML (${(error as Error).message})`, { cause: error });
  }
  if (!isRecord(doc))
    throw new TemplateError(`${source}: expected a mapping at the top level; got ${typeof doc}`);
  const resources = (isRecord(doc["Resources"]) ? doc["Resources"] : undefined) as
    | Record<string, Resource>
    | undefined;
  if (!resources)
    throw new TemplateError(`${source}: no Resources section. A SAM template declares its resources there.`);

  const parameters: Record<string, string> = {};
  for (const [name, spec] of Object.entries(isRecord(doc["Parameters"]) ? doc["Parameters"] : {})) {
    if (isRecord(spec) && spec["Default"] !== undefined) parameters[name] = String(spec["Default"]);
  }
  for (const [name, value] of Object.entries(overrides)) parameters[name] = String(value);
  const resolver = new Resolver(parameters, resources, source);

  const ofType = (type: string) =>
    Object.entries(resources).filter(([, r]) => isRecord(r) && r.Type === type);
  const functions = ofType("AWS::Serverless::Function");
  const fn = functions[0];
  if (!fn || functions.length > 1) {
    throw new TemplateError(
      `${source}: expected exactly one AWS::Serverless::Function; got ${functions.length} (${functions.map(([id]) => id).join(", ") || "none"}).`,
    );
  }
  const tables = [...ofType("AWS::DynamoDB::Table"), ...ofType("AWS::Serverless::SimpleTable")];
  const table = tables[0];
  if (!table)
    throw new TemplateError(
      `${source}: no AWS::DynamoDB::Table (or AWS::Serverless::SimpleTable) resource; the local stage serves the API's table from it`,
    );

  const globals =
    isRecord(doc["Globals"]) && isRecord(doc["Globals"]["Function"]) ? doc["Globals"]["Function"] : {};
  const [fnId, fnResource] = fn;
  const props = { ...globals, ...(fnResource.Properties ?? {}) };
  const at = (key: string) => `Resources.${fnId}.Properties.${key}`;
  const required = (key: string): Json => {
    const value = props[key];
    if (value === undefined)
      throw new TemplateError(
        `${source}: ${at(key)} is missing (nor in Globals.Function); the local stage needs it.`,
      );
    return value;
  };
  const number = (key: string, fallback: number) => {
    if (props[key] === undefined) return fallback;
    const n = Number(resolver.value(props[key], at(key)));
    if (!Number.isFinite(n))
      throw new TemplateError(`${source}: ${at(key)} must be a number; got ${JSON.stringify(props[key])}`);
    return n;
  };

  const envNode = resolver.value(props["Environment"] ?? {}, at("Environment"));
  const environment: Record<string, string> = {};
  const variables = isRecord(envNode) && isRecord(envNode["Variables"]) ? envNode["Variables"] : {};
  for (const [name, value] of Object.entries(variables))
    environment[name] = generatedSecrets(
      resolver.string(value, at(`Environment.Variables.${name}`)),
      resources,
    );

  const alias = props["AutoPublishAlias"];
  const architecturesNode = resolver.value(props["Architectures"] ?? ["x86_64"], at("Architectures"));
  const fnConfig: TemplateFunction = {
    logicalId: fnId,
    name:
      props["FunctionName"] === undefined ? fnId : resolver.string(props["FunctionName"], at("FunctionName")),
    memoryMb: number("MemorySize", 128),
    timeoutS: number("Timeout", 3),
    runtime: resolver.string(required("Runtime"), at("Runtime")),
    handler: resolver.string(required("Handler"), at("Handler")),
    environment,
    aliasName: alias === undefined ? "live" : resolver.string(alias, at("AutoPublishAlias")),
    codeUri: resolver.string(required("CodeUri"), at("CodeUri")),
    architectures: Array.isArray(architecturesNode) ? architecturesNode.map(String) : ["x86_64"],
  };

  const { routes, apiType } = readRoutes(props["Events"], resolver, source, at("Events"));
  if (routes.length === 0)
    throw new TemplateError(
      `${source}: ${at("Events")} declares no event of Type Api or HttpApi; the API has no routes.`,
    );

  const apis = ofType(apiType === "HTTP" ? "AWS::Serverless::HttpApi" : "AWS::Serverless::Api");
  const implicit =
    apiType === "HTTP"
      ? { stage: "$default", name: "ServerlessHttpApi" }
      : { stage: "Prod", name: "ServerlessRestApi" };
  const api = apis[0];
  const apiProps = api?.[1].Properties ?? {};
  const stageVariablesNode =
    apiProps["Variables"] === undefined ? null : resolver.value(apiProps["Variables"], "Variables");
  const binaryNode =
    apiProps["BinaryMediaTypes"] === undefined
      ? []
      : resolver.value(apiProps["BinaryMediaTypes"], "BinaryMediaTypes");

  const [tableId, tableResource] = table;
  const keyName = tableKey(tableResource, source, tableId);
  const keySchema = tableKeySchema(tableResource, keyName);
  return {
    routes,
    function: fnConfig,
    tableLogicalId: tableId,
    tableName: resolver.string({ Ref: tableId }, `Resources.${tableId}`),
    tableKeyName: keyName,
    apiType,
    tableKeySchema: keySchema,
    apiStageName: api
      ? resolver.string(apiProps["StageName"] ?? implicit.stage, `Resources.${api[0]}.Properties.StageName`)
      : implicit.stage,
    apiName: !api
      ? implicit.name
      : apiProps["Name"] === undefined
        ? api[0]
        : resolver.string(apiProps["Name"], `Resources.${api[0]}.Properties.Name`),
    stageVariables: isRecord(stageVariablesNode)
      ? Object.fromEntries(Object.entries(stageVariablesNode).map(([k, v]) => [k, String(v)]))
      : null,
    // SAM writes "~1" for "/" in binary media types (a JSON-pointer escape).
    binaryMediaTypes: Array.isArray(binaryNode) ? binaryNode.map((t) => String(t).replaceAll("~1", "/")) : [],
    parameters,
  };
}

/**
 * A dynamic reference to a secret the template generates (`{{resolve:secretsmanager:<Secret>:SecretString}}`
 * with <Secret> an AWS::SecretsManager::Secret with GenerateSecretString) becomes a random value, generated
 * once per parse, as CloudFormation would generate one per stack. Other text is returned unchanged.
 */
function generatedSecrets(text: string, resources: Record<string, Resource>): string {
  return text.replace(
    /\{\{resolve:secretsmanager:([A-Za-z0-9]+):SecretString\}\}/g,
    (reference, id: string) => {
      const secret = resources[id];
      if (
        secret?.Type !== "AWS::SecretsManager::Secret" ||
        !isRecord(secret.Properties?.["GenerateSecretString"])
      )
        return reference;
      return randomBytes(32).toString("base64url");
    },
  );
}

function readRoutes(
  events: Json,
  resolver: Resolver,
  source: string,
  at: string,
): { routes: TemplateRoute[]; apiType: "REST" | "HTTP" } {
  const routes: TemplateRoute[] = [];
  const types = new Set<"REST" | "HTTP">();
  if (!isRecord(events)) return { routes, apiType: "REST" };
  for (const [name, event] of Object.entries(events)) {
    if (!isRecord(event) || (event["Type"] !== "Api" && event["Type"] !== "HttpApi")) continue;
    types.add(event["Type"] === "HttpApi" ? "HTTP" : "REST");
    if (types.size > 1)
      throw new TemplateError(
        `${source}: ${at} mixes Api (REST API) and HttpApi (HTTP API) events; the local stage serves one API: keep one type`,
      );
    const props = isRecord(event["Properties"]) ? event["Properties"] : {};
    if (props["Path"] === undefined || props["Method"] === undefined)
      throw new TemplateError(
        `${source}: ${at}.${name}.Properties needs Path and Method; got ${JSON.stringify(props)}`,
      );
    const path = resolver.string(props["Path"], `${at}.${name}.Properties.Path`);
    const method = resolver.string(props["Method"], `${at}.${name}.Properties.Method`).toUpperCase();
    if (!path.startsWith("/"))
      throw new TemplateError(`${source}: ${at}.${name}.Properties.Path must start with "/"; got "${path}"`);
    const pathParameters = [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1] ?? "");
    routes.push({ method, path, pathParameters });
  }
  return { routes, apiType: types.has("HTTP") ? "HTTP" : "REST" };
}

function tableKey(table: Resource, source: string, tableId: string): string {
  const props = table.Properties ?? {};
  if (table.Type === "AWS::Serverless::SimpleTable") {
    const pk = props["PrimaryKey"];
    return isRecord(pk) && typeof pk["Name"] === "string" ? pk["Name"] : "id";
  }
  const schema = props["KeySchema"];
  const hash = Array.isArray(schema) ? schema.find((k) => isRecord(k) && k["KeyType"] === "HASH") : undefined;
  if (!isRecord(hash) || typeof hash["AttributeName"] !== "string") {
    throw new TemplateError(
      `${source}: Resources.${tableId}.Properties.KeySchema needs a HASH key; got ${JSON.stringify(schema)}`,
    );
  }
  return hash["AttributeName"];
}

/**
 * The table's primary key with attribute types: KeySchema with AttributeDefinitions (a type not defined
 * there is "S"), or a SimpleTable's PrimaryKey (String unless its Type says Number or Binary).
 */
function tableKeySchema(table: Resource, hashName: string): TableKeyAttribute[] {
  const props = table.Properties ?? {};
  const toType = (t: unknown): "S" | "N" | "B" =>
    t === "N" || t === "Number" ? "N" : t === "B" || t === "Binary" ? "B" : "S";
  if (table.Type === "AWS::Serverless::SimpleTable") {
    const pk = props["PrimaryKey"];
    return [{ name: hashName, keyType: "HASH", attributeType: toType(isRecord(pk) ? pk["Type"] : "S") }];
  }
  const definitions = Array.isArray(props["AttributeDefinitions"]) ? props["AttributeDefinitions"] : [];
  const typeOf = (name: string) =>
    toType(definitions.find((d) => isRecord(d) && d["AttributeName"] === name)?.["AttributeType" as never]);
  const schema = Array.isArray(props["KeySchema"]) ? props["KeySchema"] : [];
  const range = schema.find((k) => isRecord(k) && k["KeyType"] === "RANGE");
  const rangeName =
    isRecord(range) && typeof range["AttributeName"] === "string" ? range["AttributeName"] : undefined;
  return [
    { name: hashName, keyType: "HASH", attributeType: typeOf(hashName) },
    ...(rangeName ? [{ name: rangeName, keyType: "RANGE" as const, attributeType: typeOf(rangeName) }] : []),
  ];
}

/**
 * Reads and parses the SAM template at `templatePath`; `codeUri` stays relative to the template's folder.
 *
 * @example loadServiceTemplate("service/template.yaml", { MemorySize: 1024 })
 */
export function loadServiceTemplate(
  templatePath: string,
  overrides: ParameterOverrides = {},
): ServiceTemplate {
  let text: string;
  try {
    text = readFileSync(templatePath, "utf8");
  } catch (error) {
    throw new TemplateError(
      `cannot read the service template "${templatePath}" (${(error as Error).message}); expected the SAM template ` +
        "of the service (service/template.yaml) or pass `template` with its path.",
      { cause: error },
    );
  }
  return parseServiceTemplate(text, templatePath, overrides);
}
