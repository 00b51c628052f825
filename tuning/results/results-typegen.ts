/**
 * The results type from the results schema (pure): tuning/results/results.schema.json is the one source of truth for
 * results.json, and tuning/results/results-types.ts is this function's output, written by
 * `npx tsx scripts/results-types.ts`; tuning/results/results-typegen.test.ts fails while the file differs. It covers the
 * JSON Schema keywords the results schema uses (type, properties, required, additionalProperties,
 * propertyNames, items, enum, const, oneOf, $ref to $defs); anything else is an error, so the schema cannot
 * grow a construct the type would silently drop.
 */

type SchemaNode = Record<string, unknown>;

/** Keywords that only constrain values, not the shape: they do not change the TypeScript type. */
const VALUE_ONLY = new Set([
  "description",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "minItems",
  "pattern",
  "title",
]);
const SHAPE = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "propertyNames",
  "items",
  "enum",
  "const",
  "oneOf",
  "$ref",
]);

const WIDTH = 110;

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A def is exported under its name when it starts with a capital; lower-case defs are inlined. */
const exported = (name: string) => /^[A-Z]/.test(name);

function refName(ref: unknown): string {
  const match = typeof ref === "string" ? /^#\/\$defs\/(\w+)$/.exec(ref) : null;
  if (!match?.[1]) throw new Error(`unsupported $ref ${JSON.stringify(ref)}: expected "#/$defs/<name>"`);
  return match[1];
}

function docComment(text: string | undefined, indent: string): string[] {
  if (!text) return [];
  const single = `${indent}/** ${text} */`;
  if (single.length <= WIDTH) return [single];
  const lines: string[] = [`${indent}/**`];
  let line = `${indent} *`;
  for (const word of text.split(" ")) {
    if (line.length + 1 + word.length > WIDTH && line !== `${indent} *`) {
      lines.push(line);
      line = `${indent} *`;
    }
    line += ` ${word}`;
  }
  lines.push(line, `${indent} */`);
  return lines;
}

/** An array of `inner`: `T[]` for a name or a primitive, `Array<…>` otherwise. */
function arrayOf(inner: string): string {
  return /^[\w.]+$/.test(inner) ? `${inner}[]` : `Array<${inner}>`;
}

class Generator {
  constructor(private readonly defs: Record<string, SchemaNode>) {}

  type(node: unknown, indent: string, where: string): string {
    if (!isNode(node)) throw new Error(`${where}: expected a schema object`);
    for (const key of Object.keys(node)) {
      if (!SHAPE.has(key) && !VALUE_ONLY.has(key) && key !== "$schema" && key !== "$id" && key !== "$defs")
        throw new Error(
          `${where}: the keyword ${key} has no TypeScript form here; extend tuning/results/results-typegen.ts`,
        );
    }
    if ("$ref" in node) {
      const name = refName(node["$ref"]);
      const def = this.defs[name];
      if (!def) throw new Error(`${where}: $ref to a missing def ${name}`);
      return exported(name) ? name : this.type(def, indent, name);
    }
    if ("const" in node) return JSON.stringify(node["const"]);
    if (Array.isArray(node["enum"])) return node["enum"].map((v) => JSON.stringify(v)).join(" | ");
    if (Array.isArray(node["oneOf"]))
      return node["oneOf"].map((branch, i) => this.type(branch, indent, `${where}.oneOf[${i}]`)).join(" | ");
    const type = node["type"];
    if (Array.isArray(type))
      return type.map((t) => this.type({ ...node, type: t }, indent, where)).join(" | ");
    switch (type) {
      case "string":
        return "string";
      case "number":
      case "integer":
        return "number";
      case "boolean":
        return "boolean";
      case "null":
        return "null";
      case "array":
        return arrayOf(this.type(node["items"], indent, `${where}[]`));
      case "object":
        return this.object(node, indent, where);
      default:
        throw new Error(`${where}: expected a type, $ref, const, enum or oneOf`);
    }
  }

  object(node: SchemaNode, indent: string, where: string): string {
    const properties = isNode(node["properties"]) ? node["properties"] : undefined;
    const extra = node["additionalProperties"];
    if (!properties) {
      if (!isNode(extra))
        throw new Error(`${where}: an object without properties needs additionalProperties`);
      const value = this.type(extra, indent, `${where}.*`);
      const names = isNode(node["propertyNames"]) ? node["propertyNames"] : undefined;
      // A pattern alone constrains the keys' text, which TypeScript cannot express: they are strings.
      return names && !(names["pattern"] !== undefined && names["type"] === undefined && !names["enum"])
        ? `Partial<Record<${this.type(names, indent, `${where} keys`)}, ${value}>>`
        : `Record<string, ${value}>`;
    }
    if (extra !== false)
      throw new Error(`${where}: an object with properties must say additionalProperties: false`);
    const required = new Set(Array.isArray(node["required"]) ? (node["required"] as string[]) : []);
    const inner = `${indent}  `;
    const lines = ["{"];
    for (const [name, child] of Object.entries(properties)) {
      lines.push(
        ...docComment(isNode(child) ? (child["description"] as string | undefined) : undefined, inner),
      );
      lines.push(
        `${inner}${name}${required.has(name) ? "" : "?"}: ${this.type(child, inner, `${where}.${name}`)};`,
      );
    }
    lines.push(`${indent}}`);
    return lines.join("\n");
  }

  declaration(name: string, node: SchemaNode): string[] {
    const doc = docComment(node["description"] as string | undefined, "");
    const branches = Array.isArray(node["oneOf"]) ? (node["oneOf"] as unknown[]) : [];
    if (branches.length > 0 && branches.every((b) => isNode(b) && b["type"] === "object")) {
      // a union of object types, laid out as the formatter lays it out (one `| {` per branch)
      const laid = branches.map((b, i) => this.object(b as SchemaNode, "    ", `${name}.oneOf[${i}]`));
      return [
        ...doc,
        `export type ${name} =`,
        ...laid.map((b, i) => `  | ${b}${i === laid.length - 1 ? ";" : ""}`),
      ];
    }
    const body = this.type(node, "", name);
    return node["type"] === "object" && isNode(node["properties"])
      ? [...doc, `export interface ${name} ${body}`]
      : [...doc, `export type ${name} = ${body};`];
  }
}

/** tuning/results/results-types.ts, generated from the results schema. */
export function renderResultsTypes(schema: SchemaNode): string {
  const defs = (isNode(schema["$defs"]) ? schema["$defs"] : {}) as Record<string, SchemaNode>;
  const generator = new Generator(defs);
  const root = isNode(schema["properties"]) ? schema["properties"] : {};
  const version = isNode(root["schemaVersion"]) ? root["schemaVersion"]["const"] : undefined;
  if (typeof version !== "number") throw new Error("the schema's schemaVersion needs a const version number");
  const out = [
    "/**",
    " * Types of results.json, GENERATED from tuning/results/results.schema.json (the one source of truth) by",
    " * `npx tsx scripts/results-types.ts`: edit the schema, then regenerate; tuning/results/results-typegen.test.ts fails",
    " * while this file differs. Field meanings and units: docs/results-schema.md.",
    " */",
    "",
    `export const RESULTS_SCHEMA_VERSION = ${version} as const;`,
  ];
  for (const [name, def] of Object.entries(defs)) {
    if (exported(name)) out.push("", ...generator.declaration(name, def));
  }
  out.push(
    "",
    ...docComment(schema["description"] as string | undefined, ""),
    `export interface Results ${generator.object(schema, "", "Results")}`,
    "",
  );
  return out.join("\n");
}
