/**
 * Reads a workload file (YAML or JSON; docs/workload.md), validates it against its JSON Schema
 * (loadtests/workload/file.schema.json, with ajv) and compiles it (loadtests/workload/plan.ts). Every problem is
 * one line naming the file and the field: `invalid workload notes.yaml: routes[1].method: must be one of GET,
 * POST, PUT, PATCH, DELETE; got "FETCH"`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "../errors.ts";
import { type CompiledWorkload, compileWorkload, type WorkloadFile, WorkloadFileError } from "./plan.ts";

/** The bundled CRUD workload: the harness's own service as one workload file. */
export const CRUD_WORKLOAD_PATH = fileURLToPath(new URL("./crud.yaml", import.meta.url));
export const WORKLOAD_SCHEMA_PATH = fileURLToPath(new URL("./file.schema.json", import.meta.url));
/** Largest workload file read (a workload is a few KB; a mistaken path to a data file should fail fast). */
export const MAX_WORKLOAD_BYTES = 1_000_000;

/** A workload file that cannot be used; the message is the one line to print. */
export class InvalidWorkloadError extends ConfigError {
  constructor(file: string, field: string, problem: string) {
    super(`workload ${file}${field ? `: ${field}` : ""}`, problem);
    this.name = "InvalidWorkloadError";
  }
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(WORKLOAD_SCHEMA_PATH, "utf8")) as object;
    validator = new Ajv2020({ allErrors: false, strict: true, allowUnionTypes: true }).compile(schema);
  }
  return validator;
}

/** "/routes/2/method" → "routes[2].method". */
export function fieldOf(instancePath: string): string {
  return instancePath
    .split("/")
    .slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce(
      (out, segment) => (/^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment),
      "",
    );
}

function valueAt(data: unknown, instancePath: string): unknown {
  let node = data;
  for (const segment of instancePath.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[segment.replaceAll("~1", "/").replaceAll("~0", "~")];
  }
  return node;
}

/** One schema error as [field, problem]. */
export function describeSchemaError(error: ErrorObject, data: unknown): [string, string] {
  const field = fieldOf(error.instancePath);
  const got = JSON.stringify(valueAt(data, error.instancePath));
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return [
        field ? `${field}.${String(params["additionalProperty"])}` : String(params["additionalProperty"]),
        "no such field (docs/workload.md lists the fields)",
      ];
    case "required":
      return [
        field ? `${field}.${String(params["missingProperty"])}` : String(params["missingProperty"]),
        "is required",
      ];
    case "enum":
      return [field, `must be one of ${(params["allowedValues"] as unknown[]).join(", ")}; got ${got}`];
    case "const":
      return [field, `must be ${JSON.stringify(params["allowedValue"])}; got ${got}`];
    default:
      return [field || "(top level)", `${error.message ?? "is invalid"}; got ${got}`];
  }
}

/**
 * Parses, validates and compiles a workload file's text. `file` names it in errors.
 *
 * @example parseWorkloadFile("version: 1\nroutes: [{name: ping, method: GET, path: /ping}]", "ping.yaml")
 */
export function parseWorkloadFile(text: string, file: string): CompiledWorkload {
  let data: unknown;
  try {
    data = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InvalidWorkloadError(
      file,
      "",
      `is not valid ${file.endsWith(".json") ? "JSON" : "YAML"} (${(error as Error).message.split("\n")[0]})`,
    );
  }
  const check = validate();
  if (!check(data)) {
    const [field, problem] = describeSchemaError((check.errors ?? [])[0] as ErrorObject, data);
    throw new InvalidWorkloadError(file, field, problem);
  }
  try {
    return compileWorkload(data as WorkloadFile);
  } catch (error) {
    if (error instanceof WorkloadFileError) throw new InvalidWorkloadError(file, error.field, error.message);
    throw error;
  }
}

/** Reads a workload file from disk; errors name the path. */
export function loadWorkloadFile(file: string): CompiledWorkload {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InvalidWorkloadError(
      file,
      "",
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path given to --workload`,
    );
  }
  if (text.length > MAX_WORKLOAD_BYTES)
    throw new InvalidWorkloadError(
      file,
      "",
      `is ${text.length} bytes; a workload file is at most ${MAX_WORKLOAD_BYTES}`,
    );
  return parseWorkloadFile(text, file);
}
