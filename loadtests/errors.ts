/**
 * Errors of the loadtests area. Pure (no imports): the k6 scenarios load this module too, so only erasable
 * TypeScript syntax (no parameter properties, no enums).
 * Messages say what was wrong, what was expected, what was got and how to fix it.
 */

/**
 * The one "invalid" line of the project, for every area (loadtests, tuning, reports, scripts): what was
 * wrong (and the value given, when there is one), then what was expected and how to fix it.
 * `invalidInput("--memory", 'expected an integer from 128 to 10240 MB', "64")` →
 * `invalid --memory "64": expected an integer from 128 to 10240 MB`. Here because this module imports
 * nothing, so every area (and the k6 scenarios) can use it.
 */
export function invalidInput(what: string, detail: string, ...value: [unknown?]): string {
  return `invalid ${what}${value.length > 0 ? ` ${JSON.stringify(value[0])}` : ""}: ${detail}`;
}

/** Base of every loadtests error. */
export class LoadtestError extends Error {
  override name = "LoadtestError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A workload, profile or run option is invalid. `field` names the offending setting, e.g. "mix.read". */
export class ConfigError extends LoadtestError {
  override name = "ConfigError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(invalidInput(field, message));
    this.field = field;
  }
}

/** The requested engine cannot run here, e.g. k6 asked for but not installed. */
export class EngineUnavailableError extends LoadtestError {
  override name = "EngineUnavailableError";
}

/** k6 ran but failed (exit code other than 0 or 99), or its summary could not be read. */
export class K6RunError extends LoadtestError {
  override name = "K6RunError";
  readonly exitCode: number | null;
  constructor(message: string, exitCode: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}
