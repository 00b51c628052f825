/**
 * results.json: validation against the versioned JSON Schema (tuning/results/results.schema.json, draft 2020-12),
 * serialisation and parsing. Pure: no file I/O here (see results-file.ts). Errors name the first bad field
 * by its path, what was expected and what was got.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { TuningError } from "../errors.ts";
import schema from "./results.schema.json" with { type: "json" };
import { RESULTS_SCHEMA_VERSION, type Results } from "./results-types.ts";
import { upgradeResultsV1, validatorV1 } from "./results-v1.ts";
import { type ResultsV2, upgradeResultsV2, validatorV2 } from "./results-v2.ts";

export { schema as resultsSchema };

/** results.json does not match the schema (or is not JSON). */
export class ResultsValidationError extends TuningError {
  override name = "ResultsValidationError";
  constructor(
    /** Path of the first bad field, e.g. "settings[2].memoryMb"; "" for the whole document. */
    readonly fieldPath: string,
    /** What was expected and what was got. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`results.json: ${fieldPath ? `${fieldPath}: ` : ""}${detail}`, options);
  }
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv2020({ allErrors: false, verbose: true, strict: true, allowUnionTypes: true });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** "/settings/2/memoryMb" → "settings[2].memoryMb" */
function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split("/").slice(1);
  if (extra !== undefined) parts.push(extra);
  let path = "";
  for (const raw of parts) {
    const part = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    path += /^\d+$/.test(part) ? `[${part}]` : path === "" ? part : `.${part}`;
  }
  return path;
}

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Words for what a schema node accepts, e.g. "integer ≥ 128 and ≤ 10240", "one of \"ok\", \"failed\"". */
function describe(node: unknown): string {
  if (typeof node !== "object" || node === null) return "a valid value";
  const s = node as Record<string, unknown>;
  if ("const" in s) return show(s["const"]);
  if (Array.isArray(s["enum"])) return `one of ${s["enum"].map(show).join(", ")}`;
  const type = Array.isArray(s["type"])
    ? s["type"].join(" or ")
    : typeof s["type"] === "string"
      ? s["type"]
      : "value";
  const bounds: string[] = [];
  if (typeof s["minimum"] === "number") bounds.push(`≥ ${s["minimum"]}`);
  if (typeof s["exclusiveMinimum"] === "number") bounds.push(`> ${s["exclusiveMinimum"]}`);
  if (typeof s["maximum"] === "number") bounds.push(`≤ ${s["maximum"]}`);
  if (typeof s["exclusiveMaximum"] === "number") bounds.push(`< ${s["exclusiveMaximum"]}`);
  if (typeof s["minLength"] === "number" && s["minLength"] > 0) bounds.push("non-empty");
  if (typeof s["pattern"] === "string") bounds.push("in ISO 8601 form (2026-11-27T02:10:00.000Z)");
  return [type, bounds.join(" and ")].filter(Boolean).join(" ");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function explain(error: ErrorObject, version: number = RESULTS_SCHEMA_VERSION): ResultsValidationError {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return new ResultsValidationError(
        fieldPath(error.instancePath, String(params["missingProperty"])),
        "expected a value (the field is required), got nothing",
      );
    case "additionalProperties":
      return new ResultsValidationError(
        fieldPath(error.instancePath, String(params["additionalProperty"])),
        `unexpected field: schema version ${version} does not have it (allowed: ${Object.keys(
          ((error.parentSchema as Record<string, unknown>)?.["properties"] as object) ?? {},
        ).join(", ")})`,
      );
    case "propertyNames":
      return new ResultsValidationError(
        fieldPath(error.instancePath, String(params["propertyName"])),
        "unexpected key: expected an operation name (create, read, update, list, delete)",
      );
    default:
      return new ResultsValidationError(
        fieldPath(error.instancePath),
        `expected ${describe(error.parentSchema)}, got ${show(error.data)}`,
      );
  }
}

/** Checks the schema cannot express: unique setting ids, recommendations that name a setting that ran. */
function checkReferences(results: Results): void {
  const ids = new Map<string, number>();
  results.settings.forEach((setting, index) => {
    const earlier = ids.get(setting.id);
    if (earlier !== undefined) {
      throw new ResultsValidationError(
        `settings[${index}].id`,
        `expected a unique setting id, got ${show(setting.id)} (also settings[${earlier}].id)`,
      );
    }
    ids.set(setting.id, index);
  });
  results.recommendations.forEach((recommendation, index) => {
    const id = recommendation.settingId;
    if (id === null) return;
    const at = ids.get(id);
    if (at === undefined) {
      throw new ResultsValidationError(
        `recommendations[${index}].settingId`,
        `expected the id of a setting in settings or null, got ${show(id)}`,
      );
    }
    if (results.settings[at]?.status !== "ok") {
      throw new ResultsValidationError(
        `recommendations[${index}].settingId`,
        `expected a setting with status "ok" (failed settings never win), got ${show(id)} which failed`,
      );
    }
  });
}

/**
 * Validate data against the results schema; returns it typed, or throws a ResultsValidationError naming the
 * first bad field, e.g. `results.json: settings[2].memoryMb: expected integer ≥ 128 and ≤ 10240, got "abc"`.
 */
export function validateResults(data: unknown): Results {
  // Older files are read through their own schema and upgraded, version by version (tuning/results/results-v1.ts,
  // tuning/results/results-v2.ts).
  const version = isRecord(data) ? data["schemaVersion"] : undefined;
  if (version === 1 || version === 2) {
    const validateOld = version === 1 ? validatorV1() : validatorV2();
    if (!validateOld(data)) {
      const first = validateOld.errors?.[0];
      throw first
        ? explain(first, version)
        : new ResultsValidationError("", `does not match the results schema version ${version}`);
    }
    const v2 =
      version === 1
        ? upgradeResultsV1(data as unknown as Parameters<typeof upgradeResultsV1>[0])
        : (data as unknown as ResultsV2);
    const upgraded = upgradeResultsV2(v2);
    checkReferences(upgraded);
    return upgraded;
  }
  const validate = validator();
  if (!validate(data)) {
    const first = validate.errors?.[0];
    throw first ? explain(first) : new ResultsValidationError("", "does not match the results schema");
  }
  const results = data as Results;
  checkReferences(results);
  return results;
}

/** Validated, stable JSON text (2-space indent, trailing newline). */
export function serializeResults(results: Results): string {
  return `${JSON.stringify(validateResults(results), null, 2)}\n`;
}

/** Parse and validate results.json text. */
export function parseResults(text: string): Results {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsValidationError(
      "",
      `expected JSON text, got a parse error: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return validateResults(data);
}
