/**
 * `--function NAME|ARN` (pure): a function name, a full ARN or a partial ARN, as Lambda's FunctionName takes
 * it, unqualified. A qualified one (`:alias`, `:version`, `:$LATEST`) is refused with the reason: the sweep
 * publishes its own versions and points the alias at them, so it tunes a function, not one of its versions.
 * aws-lambda-power-tuning takes the function's ARN the same way.
 */
import { InvalidSweepOptionError } from "../errors.ts";

export interface FunctionRef {
  /** The function's name (what log groups, metrics and the report use). */
  name: string;
  /** The region of a full ARN. */
  region?: string;
  /** The account of a full or partial ARN. */
  accountId?: string;
}

const NAME = /^[a-zA-Z0-9-_]{1,64}$/;
const FULL_ARN = /^arn:(aws[a-zA-Z-]*):lambda:([a-z0-9-]+):(\d{12}):function:([^:]+)(?::(.+))?$/;
const PARTIAL_ARN = /^(\d{12}):function:([^:]+)(?::(.+))?$/;

function qualified(field: string, value: string, name: string, qualifier: string): never {
  const unqualified = value.slice(0, value.length - qualifier.length - 1);
  throw new InvalidSweepOptionError(
    field,
    value,
    `an unqualified function name or ARN, but it is qualified with "${qualifier}" (a version or alias): the sweep ` +
      `publishes its own versions and points the alias itself; pass ${unqualified === name ? name : unqualified}`,
  );
}

/**
 * Parses a function reference; throws InvalidSweepOptionError naming `field` when it is not one.
 *
 * @example parseFunctionRef("arn:aws:lambda:eu-west-1:123456789012:function:orders", "--function")
 *   // { name: "orders", region: "eu-west-1", accountId: "123456789012" }
 */
export function parseFunctionRef(value: string, field: string): FunctionRef {
  const full = FULL_ARN.exec(value);
  if (full) {
    const [, , region, accountId, name, qualifier] = full as unknown as string[];
    if (qualifier !== undefined) qualified(field, value, name as string, qualifier);
    if (!NAME.test(name as string)) invalidName(field, value);
    return { name: name as string, region: region as string, accountId: accountId as string };
  }
  const partial = PARTIAL_ARN.exec(value);
  if (partial) {
    const [, accountId, name, qualifier] = partial as unknown as string[];
    if (qualifier !== undefined) qualified(field, value, name as string, qualifier);
    if (!NAME.test(name as string)) invalidName(field, value);
    return { name: name as string, accountId: accountId as string };
  }
  const colon = value.indexOf(":");
  if (colon > 0 && !value.startsWith("arn:") && NAME.test(value.slice(0, colon)))
    qualified(field, value, value.slice(0, colon), value.slice(colon + 1));
  if (!NAME.test(value)) invalidName(field, value);
  return { name: value };
}

function invalidName(field: string, value: string): never {
  throw new InvalidSweepOptionError(
    field,
    value,
    "a function name (1-64 letters, digits, - and _) or its ARN arn:aws:lambda:<region>:<account>:function:<name>",
  );
}
