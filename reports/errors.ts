/**
 * Errors of the reports area. Each says what was wrong, what was expected, what was got and how to fix it.
 */
import { invalidInput } from "../loadtests/errors.ts";

export class ReportError extends Error {
  override name = "ReportError";
}

/** A command-line option of `npm run report` is invalid. */
export class ReportOptionError extends ReportError {
  override name = "ReportOptionError";
  constructor(
    readonly option: string,
    readonly value: unknown,
    expected: string,
  ) {
    super(invalidInput(option, `expected ${expected}`, value));
  }
}

/** A browser bundle of vega, vega-lite or vega-embed is missing from node_modules. */
export class ReportAssetError extends ReportError {
  override name = "ReportAssetError";
  constructor(
    readonly asset: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot inline ${asset}: ${message}`, options);
  }
}

/** A baseline of another stage, mode or load profile: its deltas would measure the difference in load. */
export class IncomparableBaselineError extends ReportError {
  override name = "IncomparableBaselineError";
}
