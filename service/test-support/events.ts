/**
 * Test support: API Gateway events built from the real samples in ../shared/fixtures/apigateway
 * (REST payload 1.0 and HTTP API payload 2.0), with method, path, query and body replaced.
 */
import { readFileSync } from "node:fs";

const FIXTURES = new URL("../../../shared/fixtures/apigateway/", import.meta.url);

export function readFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), "utf8")) as Record<string, unknown>;
}

export interface EventInput {
  method: string;
  /** Path below the stage, e.g. "/items/abc" (may carry a query string: "/items?limit=2"). */
  path: string;
  /** JSON-serialised when not a string. */
  body?: unknown;
  isBase64Encoded?: boolean;
}

function splitPath(path: string): {
  pathOnly: string;
  query: Record<string, string> | null;
  rawQuery: string;
} {
  const [pathOnly = "/", rawQuery = ""] = path.split("?", 2);
  const params = new URLSearchParams(rawQuery);
  const query = rawQuery === "" ? null : Object.fromEntries(params.entries());
  return { pathOnly, query, rawQuery };
}

function bodyText(body: unknown): string | null {
  if (body === undefined) return null;
  return typeof body === "string" ? body : JSON.stringify(body);
}

/** A REST API proxy event (payload format 1.0) based on apigw-request.json. */
export function restEvent(input: EventInput): Record<string, unknown> {
  const event = readFixture("apigw-request.json");
  const { pathOnly, query } = splitPath(input.path);
  const context = event["requestContext"] as Record<string, unknown>;
  return {
    ...event,
    resource: "/{proxy+}",
    path: pathOnly,
    httpMethod: input.method,
    queryStringParameters: query,
    multiValueQueryStringParameters: query
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]]))
      : null,
    pathParameters: { proxy: pathOnly.slice(1) },
    requestContext: { ...context, httpMethod: input.method, path: `/prod${pathOnly}`, stage: "prod" },
    body: bodyText(input.body),
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}

/** An HTTP API event (payload format 2.0) based on apigw-v2-request-no-authorizer.json, on stage "prod". */
export function httpApiEvent(input: EventInput): Record<string, unknown> {
  const event = readFixture("apigw-v2-request-no-authorizer.json");
  const { pathOnly, query, rawQuery } = splitPath(input.path);
  const context = event["requestContext"] as Record<string, unknown>;
  const body = bodyText(input.body);
  return {
    ...event,
    routeKey: "$default",
    rawPath: `/prod${pathOnly}`,
    rawQueryString: rawQuery,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      ...context,
      stage: "prod",
      http: { ...(context["http"] as object), method: input.method, path: `/prod${pathOnly}` },
    },
    ...(body === null ? {} : { body }),
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}
