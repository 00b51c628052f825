/**
 * CloudFormation over the awsQuery protocol, as @aws-sdk/client-cloudformation sends it: a form-encoded POST
 * to `/` (`Action=<Operation>&Version=2010-05-15&...`), answered with XML in the 2010-05-15 namespace
 * (`<OpResponse><OpResult>...</OpResult><ResponseMetadata><RequestId>`), lists as `<member>` elements and
 * errors as `<ErrorResponse><Error><Type><Code><Message>` (CloudFormation API reference, "Common errors" and
 * each action's response elements). Read-only: DescribeStacks, ListStackResources and DescribeStackResources
 * about the stack the local stage deployed (local-stack.ts).
 */
import { randomUUID } from "node:crypto";
import { AwsWireError } from "./errors.ts";
import type { WireResponse } from "./http-io.ts";
import type { LocalStackRecord, StackResourceSummary, StackStore } from "./local-stack.ts";

export const CLOUDFORMATION_VERSION = "2010-05-15";
const NAMESPACE = `http://cloudformation.amazonaws.com/doc/${CLOUDFORMATION_VERSION}/`;
/** ListStackResources' page size (AWS pages by response size; 100 keeps pages small). */
const PAGE_SIZE = 100;

type Operation = (params: URLSearchParams, stacks: StackStore) => string;

const operations: Record<string, Operation> = {
  DescribeStacks: describeStacks,
  ListStackResources: listStackResources,
  DescribeStackResources: describeStackResources,
};

/** Answers one awsQuery request (the form body, already SigV4-checked). */
export function handleCloudFormation(body: Buffer, stacks: StackStore): WireResponse {
  const requestId = randomUUID();
  try {
    const params = new URLSearchParams(body.toString("utf8"));
    const action = params.get("Action") ?? "";
    const operation = operations[action];
    if (!operation) {
      throw new AwsWireError(
        "InvalidAction",
        400,
        `the local stage's CloudFormation does not serve Action "${action}": it answers ${Object.keys(operations).join(", ")}`,
      );
    }
    if (params.get("Version") !== CLOUDFORMATION_VERSION) {
      throw new AwsWireError(
        "InvalidParameterValue",
        400,
        `Version must be ${CLOUDFORMATION_VERSION}; got "${params.get("Version") ?? ""}"`,
      );
    }
    const result = operation(params, stacks);
    const xml =
      `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
    return { statusCode: 200, headers: xmlHeaders(requestId), body: xml };
  } catch (error) {
    return queryErrorResponse(error, requestId);
  }
}

/** An error in awsQuery's shape; anything but an AwsWireError is the service's fault. */
export function queryErrorResponse(error: unknown, requestId: string = randomUUID()): WireResponse {
  const wire =
    error instanceof AwsWireError
      ? error
      : new AwsWireError("InternalFailure", 500, `the local stage failed: ${String(error)}`);
  const type = wire.statusCode >= 500 ? "Receiver" : "Sender";
  return {
    statusCode: wire.statusCode,
    headers: xmlHeaders(requestId),
    body:
      `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${escapeXml(wire.code)}</Code>` +
      `<Message>${escapeXml(wire.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

function xmlHeaders(requestId: string): Record<string, string> {
  return { "content-type": "text/xml", "x-amzn-RequestId": requestId };
}

function stackOf(params: URLSearchParams, stacks: StackStore): LocalStackRecord {
  const name = params.get("StackName");
  if (!name)
    throw new AwsWireError("ValidationError", 400, "1 validation error detected: StackName is required");
  const stack = stacks.find(name);
  // CloudFormation's own answer for a stack that is not there.
  if (!stack) throw new AwsWireError("ValidationError", 400, `Stack with id ${name} does not exist`);
  return stack;
}

function describeStacks(params: URLSearchParams, stacks: StackStore): string {
  const selected = params.get("StackName") ? [stackOf(params, stacks)] : stacks.all();
  return `<Stacks>${selected.map(stackXml).join("")}</Stacks>`;
}

function stackXml(stack: LocalStackRecord): string {
  const members = <T>(items: readonly T[], render: (item: T) => string) =>
    items.map((item) => `<member>${render(item)}</member>`).join("");
  return (
    "<member>" +
    el("StackId", stack.stackId) +
    el("StackName", stack.stackName) +
    (stack.description ? el("Description", stack.description) : "") +
    `<Parameters>${members(stack.parameters, (p) => el("ParameterKey", p.key) + el("ParameterValue", p.value))}</Parameters>` +
    el("CreationTime", stack.creationTime.toISOString()) +
    el("StackStatus", stack.stackStatus) +
    el("DisableRollback", "false") +
    `<Outputs>${members(
      stack.outputs,
      (o) =>
        el("OutputKey", o.key) +
        el("OutputValue", o.value) +
        (o.description ? el("Description", o.description) : ""),
    )}</Outputs>` +
    "<Tags/>" +
    "</member>"
  );
}

function listStackResources(params: URLSearchParams, stacks: StackStore): string {
  const stack = stackOf(params, stacks);
  const start = pageStart(params.get("NextToken"), stack.resources.length);
  const page = stack.resources.slice(start, start + PAGE_SIZE);
  const next = start + PAGE_SIZE < stack.resources.length ? String(start + PAGE_SIZE) : undefined;
  return (
    `<StackResourceSummaries>${page.map((r) => `<member>${resourceXml(r)}</member>`).join("")}</StackResourceSummaries>` +
    (next ? el("NextToken", Buffer.from(next).toString("base64")) : "")
  );
}

function describeStackResources(params: URLSearchParams, stacks: StackStore): string {
  const stack = stackOf(params, stacks);
  const logical = params.get("LogicalResourceId");
  const physical = params.get("PhysicalResourceId");
  const selected = stack.resources.filter(
    (r) => (!logical || r.logicalResourceId === logical) && (!physical || r.physicalResourceId === physical),
  );
  return `<StackResources>${selected
    .map(
      (r) =>
        `<member>${el("StackName", stack.stackName)}${el("StackId", stack.stackId)}${el("LogicalResourceId", r.logicalResourceId)}` +
        `${el("PhysicalResourceId", r.physicalResourceId)}${el("ResourceType", r.resourceType)}` +
        `${el("Timestamp", r.lastUpdatedTimestamp.toISOString())}${el("ResourceStatus", r.resourceStatus)}</member>`,
    )
    .join("")}</StackResources>`;
}

function resourceXml(r: StackResourceSummary): string {
  return (
    el("LogicalResourceId", r.logicalResourceId) +
    el("PhysicalResourceId", r.physicalResourceId) +
    el("ResourceType", r.resourceType) +
    el("LastUpdatedTimestamp", r.lastUpdatedTimestamp.toISOString()) +
    el("ResourceStatus", r.resourceStatus)
  );
}

function pageStart(token: string | null, total: number): number {
  if (!token) return 0;
  const start = Number(Buffer.from(token, "base64").toString("utf8"));
  if (!Number.isInteger(start) || start < 0 || start >= total) {
    throw new AwsWireError("ValidationError", 400, "NextToken is not one this stack's listing gave");
  }
  return start;
}

function el(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

function escapeXml(text: string): string {
  return text.replace(
    /[&<>"'\r]/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;" })[c] ?? c,
  );
}
