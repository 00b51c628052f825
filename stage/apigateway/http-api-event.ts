/**
 * Builds the Lambda proxy integration event of an HTTP API (payload format 2.0), with the keys and types of a
 * real one (../shared/fixtures/apigateway/apigw-v2-request-no-authorizer.json): header names lower-cased and
 * repeated headers joined with commas, repeated query parameters joined with commas, the Cookie header split
 * into `cookies`, `rawPath` with the stage name unless the stage is `$default`. Pure: the caller passes the
 * ids and the clock reading.
 */
import {
  formatRequestTime,
  type IncomingProxyRequest,
  isBinaryMediaType,
  type ProxyEventContext,
} from "./proxy-event.ts";

/** The HTTP API proxy event (payload format 2.0). Absent maps are left out, as API Gateway leaves them out. */
export interface HttpApiProxyEvent {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
  requestContext: Record<string, unknown> & { http: Record<string, unknown> };
  body?: string;
  isBase64Encoded: boolean;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

function joinInto(map: Record<string, string>, name: string, value: string): void {
  map[name] = map[name] === undefined ? value : `${map[name]},${value}`;
}

/**
 * @param routeKey the matched route, e.g. "GET /items/{id}", or "$default"
 * @example buildHttpApiEvent(request, { ...context, stageName: "$default" }, "GET /items/{id}")
 */
export function buildHttpApiEvent(
  request: IncomingProxyRequest,
  context: ProxyEventContext,
  routeKey: string,
): HttpApiProxyEvent {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = (request.rawHeaders[i] as string).toLowerCase();
    const value = request.rawHeaders[i + 1] as string;
    if (name === "cookie")
      cookies.push(
        ...value
          .split(";")
          .map((c) => c.trim())
          .filter(Boolean),
      );
    else joinInto(headers, name, value);
  }
  // Headers API Gateway adds in front of the integration.
  headers["x-forwarded-for"] = headers["x-forwarded-for"]
    ? `${headers["x-forwarded-for"]}, ${request.sourceIp}`
    : request.sourceIp;
  headers["x-forwarded-port"] ??= String(request.localPort);
  headers["x-forwarded-proto"] ??= "http";
  headers["x-amzn-trace-id"] ??= context.traceId;
  if (request.body.byteLength > 0) headers["content-length"] ??= String(request.body.byteLength);

  const query: Record<string, string> = {};
  for (const part of request.rawQuery.split("&").filter((p) => p !== "")) {
    const eq = part.indexOf("=");
    const name = decodeQueryPart(eq < 0 ? part : part.slice(0, eq));
    joinInto(query, name, eq < 0 ? "" : decodeQueryPart(part.slice(eq + 1)));
  }
  const prefix = context.stageName === "$default" ? "" : `/${context.stageName}`;
  const rawPath = `${prefix}${request.rawPath === "/" && prefix ? "" : request.rawPath}` || "/";
  const binary = isBinaryMediaType(headers["content-type"], context.binaryMediaTypes);
  const hasBody = request.body.byteLength > 0;
  return {
    version: "2.0",
    routeKey,
    rawPath,
    rawQueryString: request.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(context.pathParameters).length > 0
      ? { pathParameters: { ...context.pathParameters } }
      : {}),
    ...(context.stageVariables ? { stageVariables: { ...context.stageVariables } } : {}),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName: context.domainName,
      domainPrefix: context.domainPrefix,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: context.requestId,
      routeKey,
      stage: context.stageName,
      time: formatRequestTime(context.requestTimeEpochMs),
      timeEpoch: context.requestTimeEpochMs,
    },
    ...(hasBody ? { body: Buffer.from(request.body).toString(binary ? "base64" : "utf8") } : {}),
    // HTTP APIs base64-encode every body that is not text; the front treats the binary media types as such.
    isBase64Encoded: hasBody && binary,
  };
}
