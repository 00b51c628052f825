/**
 * Reads a Lambda FunctionName as the API accepts it: a name (`crud`), a partial ARN (`123456789012:function:crud`),
 * a full ARN (`arn:aws:lambda:us-east-1:123456789012:function:crud`), each optionally with `:<qualifier>`
 * (version or alias), or a name with `:<qualifier>`.
 */
import { AwsWireError } from "./errors.ts";

const FULL_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::([^:]+))?$/;
const PARTIAL_ARN = /^\d{12}:function:([^:]+)(?::([^:]+))?$/;
const NAME = /^([A-Za-z0-9_-]{1,140})(?::([A-Za-z0-9_$-]+))?$/;

export function parseFunctionName(raw: string): { name: string; qualifier?: string } {
  const m = FULL_ARN.exec(raw) ?? PARTIAL_ARN.exec(raw) ?? NAME.exec(raw);
  if (!m?.[1]) {
    throw new AwsWireError(
      "InvalidParameterValueException",
      400,
      `invalid FunctionName ${JSON.stringify(raw.slice(0, 200))}: expected a function name, a partial ARN or a function ARN, optionally with :<version or alias>`,
    );
  }
  return m[2] ? { name: m[1], qualifier: m[2] } : { name: m[1] };
}
