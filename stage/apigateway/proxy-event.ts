/**
 * Builds the Lambda proxy integration event of a REST API (payload format 1.0), with the keys and types of
 * a real one (see ../shared/fixtures/apigateway/apigw-request.json). Pure: the caller passes the ids and the
 * clock reading.
 */

/** An HTTP request as the front received it. */
export interface IncomingProxyRequest {
  method: string;
  /** Path after the stage prefix, still percent-encoded, e.g. "/items/a%20b". */
  rawPath: string;
  /** Query string without "?", e.g. "a=1&a=2"; "" when none. */
  rawQuery: string;
  /** Header names and values alternating, names as the client wrote them (node's `rawHeaders`). */
  rawHeaders: readonly string[];
  body: Uint8Array;
  sourceIp: string;
  /** e.g. "HTTP/1.1" */
  protocol: string;
  /** Port the front listens on, for X-Forwarded-Port. */
  localPort: number;
}

/** What API Gateway knows about the request besides the request itself. */
export interface ProxyEventContext {
  stageName: string;
  /** The matched resource, e.g. "/items/{id}". */
  resourcePath: string;
  pathParameters: Record<string, string>;
  stageVariables: Record<string, string> | null;
  requestId: string;
  extendedRequestId: string;
  apiId: string;
  accountId: string;
  resourceId: string;
  domainName: string;
  /** First label of the API's domain name: the API id on execute-api. */
  domainPrefix: string;
  requestTimeEpochMs: number;
  /** X-Amzn-Trace-Id to add, e.g. "Root=1-5f84c7a9-...". */
  traceId: string;
  /** Media types whose bodies are passed base64-encoded, e.g. ["image/*", "application/octet-stream"]. */
  binaryMediaTypes: readonly string[];
}

/** The REST proxy event (payload format 1.0). Nullable fields are null when absent, as API Gateway sends them. */
export interface ApiGatewayProxyEvent {
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string> | null;
  multiValueHeaders: Record<string, string[]> | null;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: Record<string, unknown> & { identity: Record<string, unknown> };
  body: string | null;
  isBase64Encoded: boolean;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** API Gateway's requestTime: "15/May/2020:06:01:09 +0000" (UTC). */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}

/** True when `contentType` matches one of the binary media types ("image/*" and "*\/*" included). */
export function isBinaryMediaType(
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  if (!contentType) return false;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return binaryMediaTypes.some((pattern) => {
    const p = pattern.toLowerCase();
    if (p === "*/*") return true;
    if (p.endsWith("/*")) return type.startsWith(p.slice(0, -1));
    return p === type;
  });
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}

function decodePath(rawPath: string): string {
  try {
    return decodeURI(rawPath);
  } catch {
    return rawPath;
  }
}

/** Builds single- and multi-value maps: the single-value map keeps the last value, as API Gateway does. */
function multiMap(
  pairs: [string, string][],
): [Record<string, string>, Record<string, string[]>] | [null, null] {
  if (pairs.length === 0) return [null, null];
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    single[name] = value;
    const existing = multi[name];
    if (existing) existing.push(value);
    else multi[name] = [value];
  }
  return [single, multi];
}

function headerPairs(request: IncomingProxyRequest, context: ProxyEventContext): [string, string][] {
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    pairs.push([name, request.rawHeaders[i + 1] as string]);
    seen.add(name.toLowerCase());
  }
  // Headers API Gateway adds in front of the integration.
  const forwardedFor = pairs.find(([n]) => n.toLowerCase() === "x-forwarded-for");
  if (forwardedFor) forwardedFor[1] = `${forwardedFor[1]}, ${request.sourceIp}`;
  else pairs.push(["X-Forwarded-For", request.sourceIp]);
  if (!seen.has("x-forwarded-port")) pairs.push(["X-Forwarded-Port", String(request.localPort)]);
  if (!seen.has("x-forwarded-proto")) pairs.push(["X-Forwarded-Proto", "http"]);
  if (!seen.has("x-amzn-trace-id")) pairs.push(["X-Amzn-Trace-Id", context.traceId]);
  return pairs;
}

function queryPairs(rawQuery: string): [string, string][] {
  if (rawQuery === "") return [];
  return rawQuery
    .split("&")
    .filter((part) => part !== "")
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0
        ? [decodeQueryPart(part), ""]
        : [decodeQueryPart(part.slice(0, eq)), decodeQueryPart(part.slice(eq + 1))];
    });
}

/**
 * Builds the event a REST API's Lambda proxy integration sends.
 *
 * @example buildProxyEvent({ method: "GET", rawPath: "/items/1", rawQuery: "", rawHeaders: [], body: new Uint8Array(), sourceIp: "127.0.0.1", protocol: "HTTP/1.1", localPort: 3000 }, context)
 */
export function buildProxyEvent(
  request: IncomingProxyRequest,
  context: ProxyEventContext,
): ApiGatewayProxyEvent {
  const [headers, multiValueHeaders] = multiMap(headerPairs(request, context));
  const [query, multiQuery] = multiMap(queryPairs(request.rawQuery));
  const contentType = headers
    ? Object.entries(headers).find(([name]) => name.toLowerCase() === "content-type")?.[1]
    : undefined;
  const userAgent = headers
    ? (Object.entries(headers).find(([name]) => name.toLowerCase() === "user-agent")?.[1] ?? null)
    : null;
  const binary = isBinaryMediaType(contentType, context.binaryMediaTypes);
  const hasBody = request.body.byteLength > 0;
  const path = decodePath(request.rawPath);
  return {
    resource: context.resourcePath,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiQuery,
    pathParameters: Object.keys(context.pathParameters).length > 0 ? { ...context.pathParameters } : null,
    stageVariables: context.stageVariables ? { ...context.stageVariables } : null,
    requestContext: {
      resourceId: context.resourceId,
      resourcePath: context.resourcePath,
      httpMethod: request.method,
      extendedRequestId: context.extendedRequestId,
      requestTime: formatRequestTime(context.requestTimeEpochMs),
      path: `/${context.stageName}${path}`,
      accountId: context.accountId,
      protocol: request.protocol,
      stage: context.stageName,
      domainPrefix: context.domainPrefix,
      requestTimeEpoch: context.requestTimeEpochMs,
      requestId: context.requestId,
      identity: {
        cognitoIdentityPoolId: null,
        accountId: null,
        cognitoIdentityId: null,
        caller: null,
        apiKey: null,
        apiKeyId: null,
        accessKey: null,
        sourceIp: request.sourceIp,
        principalOrgId: null,
        cognitoAuthenticationType: null,
        cognitoAuthenticationProvider: null,
        userArn: null,
        userAgent,
        user: null,
        clientCert: null,
      },
      domainName: context.domainName,
      apiId: context.apiId,
    },
    body: hasBody ? Buffer.from(request.body).toString(binary ? "base64" : "utf8") : null,
    isBase64Encoded: hasBody && binary,
  };
}
