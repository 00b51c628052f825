/**
 * Errors of the tuning area. Each names what was wrong, what was expected and how to fix it, and
 * carries its context (memory size, setting, function) for the results and the terminal.
 */
import { invalidInput } from "../loadtests/errors.ts";

export class TuningError extends Error {
  override name = "TuningError";
}

/** A sweep option (memory list, architecture, strategy weight, ...) is invalid. */
export class InvalidSweepOptionError extends TuningError {
  override name = "InvalidSweepOptionError";
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(invalidInput(option, `expected ${expected}`, value));
  }
}

/** Configuring the function for a setting failed (UpdateFunctionConfiguration, PublishVersion, UpdateAlias). */
export class ConfigureError extends TuningError {
  override name = "ConfigureError";
  constructor(
    readonly settingId: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`setting ${settingId}: ${message}`, options);
  }
}

/** Restoring the function's original configuration failed: the user must act, so the message says how. */
export class RestoreError extends TuningError {
  override name = "RestoreError";
  constructor(
    readonly functionName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`could not restore function ${functionName}: ${message}`, options);
  }
}

/** Best-effort text of an unknown thrown value, for results and logs (never a stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}

/** A config file key that is unknown or was renamed; the message is the whole line (docs/config.md). */
export class ConfigKeyError extends TuningError {
  override name = "ConfigKeyError";
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}
