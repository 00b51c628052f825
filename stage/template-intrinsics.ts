/**
 * CloudFormation intrinsic functions in a SAM template: the YAML tags (`!Ref`, `!Sub`, ...) and their
 * resolution against the template's parameters and resources, as far as the local stage needs them.
 */
import type { CollectionTag, ScalarTag, YAMLMap, YAMLSeq } from "yaml";

/** A template the stage cannot use, with what is missing and where. */
export class TemplateError extends Error {
  override readonly name = "TemplateError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const SCALAR_INTRINSICS = ["Ref", "Condition"] as const;
const FN_INTRINSICS = [
  "Sub",
  "GetAtt",
  "Join",
  "Select",
  "Split",
  "If",
  "Equals",
  "Not",
  "And",
  "Or",
  "FindInMap",
  "ImportValue",
  "Base64",
  "GetAZs",
  "Cidr",
  "Transform",
] as const;

/** Custom tags that turn `!Ref X` into `{Ref: "X"}` and `!Sub ...` into `{"Fn::Sub": ...}`, as JSON templates write them. */
export function intrinsicTags(): (ScalarTag | CollectionTag)[] {
  const tags: (ScalarTag | CollectionTag)[] = [];
  const add = (name: string, key: string) => {
    // The short form `!GetAtt A.B` is the JSON form's ["A", "B"].
    tags.push({
      tag: `!${name}`,
      resolve: (value: string) => ({ [key]: name === "GetAtt" ? value.split(".") : value }),
    });
    tags.push({
      tag: `!${name}`,
      collection: "seq",
      resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: value.toJSON() }),
    });
    tags.push({
      tag: `!${name}`,
      collection: "map",
      resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: value.toJSON() }),
    });
  };
  for (const name of SCALAR_INTRINSICS) add(name, name);
  for (const name of FN_INTRINSICS) add(name, `Fn::${name}`);
  return tags;
}

export type Json = unknown;
export type Resource = { Type?: string; Properties?: Record<string, Json> };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Resolves intrinsic functions against parameters and resources; what cannot be resolved locally throws. */
export class Resolver {
  constructor(
    private readonly parameters: Record<string, string>,
    private readonly resources: Record<string, Resource>,
    private readonly where: string,
  ) {}

  value(node: Json, at: string): Json {
    if (Array.isArray(node)) return node.map((item, i) => this.value(item, `${at}[${i}]`));
    if (!isRecord(node)) return node;
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] !== undefined && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
      return this.intrinsic(keys[0], node[keys[0]], at);
    }
    const out: Record<string, Json> = {};
    for (const [key, child] of Object.entries(node)) out[key] = this.value(child, `${at}.${key}`);
    return out;
  }

  string(node: Json, at: string): string {
    const value = this.value(node, at);
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new TemplateError(
      `${this.where}: ${at} must resolve to a string; got ${JSON.stringify(value)}. Use a literal or a !Ref to a parameter.`,
    );
  }

  private ref(name: string, at: string): string {
    const pseudo: Record<string, string> = {
      "AWS::Region": this.parameters["AWS::Region"] ?? "us-east-1",
      "AWS::AccountId": "000000000000",
      "AWS::StackName": this.parameters["AWS::StackName"] ?? "powerbench-local",
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::NoValue": "",
    };
    const fromParameters = this.parameters[name];
    if (fromParameters !== undefined) return fromParameters;
    const fromPseudo = pseudo[name];
    if (fromPseudo !== undefined) return fromPseudo;
    const resource = this.resources[name];
    if (resource) {
      const physical = resource.Properties?.["TableName"] ?? resource.Properties?.["FunctionName"];
      return physical === undefined ? name : this.string(physical, `${name}.Properties`);
    }
    throw new TemplateError(
      `${this.where}: ${at} refers to "${name}", which is neither a parameter nor a resource of the template. ` +
        "Declare it under Parameters (with a Default) or Resources.",
    );
  }

  private intrinsic(key: string, arg: Json, at: string): Json {
    switch (key) {
      case "Ref":
        return this.ref(String(arg), at);
      case "Fn::Sub": {
        const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
        if (typeof text !== "string")
          throw new TemplateError(`${this.where}: ${at} !Sub needs a string; got ${JSON.stringify(text)}`);
        return text.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
          if (isRecord(vars) && name in vars) return this.string(vars[name], `${at}.${name}`);
          if (name.includes(".")) return name.split(".")[0] ?? name;
          return this.ref(name, at);
        });
      }
      case "Fn::GetAtt": {
        const parts = Array.isArray(arg) ? arg.map(String) : String(arg).split(".");
        const [logicalId, attribute] = parts;
        if (attribute === "Arn") return `arn:aws:local:::${logicalId}`;
        return `${logicalId}.${attribute}`;
      }
      case "Fn::Join": {
        if (!Array.isArray(arg) || arg.length !== 2 || !Array.isArray(arg[1]))
          throw new TemplateError(`${this.where}: ${at} !Join needs [delimiter, [values...]]`);
        return (arg[1] as Json[]).map((v, i) => this.string(v, `${at}[${i}]`)).join(String(arg[0]));
      }
      case "Fn::Select": {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new TemplateError(`${this.where}: ${at} !Select needs [index, list]`);
        const list = this.value(arg[1], at);
        if (!Array.isArray(list)) throw new TemplateError(`${this.where}: ${at} !Select needs a list`);
        return list[Number(this.value(arg[0], at))];
      }
      case "Fn::Split": {
        if (!Array.isArray(arg) || arg.length !== 2)
          throw new TemplateError(`${this.where}: ${at} !Split needs [delimiter, text]`);
        return this.string(arg[1], at).split(String(arg[0]));
      }
      default:
        throw new TemplateError(
          `${this.where}: ${at} uses ${key}, which the local stage does not resolve. ` +
            "Supported: !Ref, !Sub, !GetAtt, !Join, !Select, !Split.",
        );
    }
  }
}
