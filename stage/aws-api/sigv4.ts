/**
 * Signature Version 4 checked for real on the local AWS endpoint: every request must carry an
 * `Authorization: AWS4-HMAC-SHA256 ...` header made with the stage's credentials, as the AWS SDK and the AWS
 * CLI make it anyway. The signature is recomputed from the request as received (method, raw path, query,
 * the headers it names, the body's SHA-256) with the signer the SDK itself uses (@smithy/signature-v4) and
 * the secret key, and compared in constant time. A web page cannot produce one: it has no secret, and an
 * Authorization header needs a CORS preflight the endpoint never grants.
 *
 * Errors are AWS's: 403 MissingAuthenticationTokenException (no signature), UnrecognizedClientException
 * (another access key), InvalidSignatureException (wrong signature, or a date more than 15 minutes off).
 */
import { createHash, createHmac, type Hash, type Hmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import { AwsWireError } from "./errors.ts";

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** SHA-256 and HMAC-SHA-256 from node:crypto, in the shape the signer takes. */
type Bytes = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: Bytes): Buffer {
  if (typeof data === "string") return Buffer.from(data, "utf8");
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: Buffer | undefined;
  constructor(secret?: Bytes) {
    this.secret = secret === undefined ? undefined : toBuffer(secret);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: Bytes): void {
    this.hash.update(toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** How far a request's X-Amz-Date may be from the endpoint's clock, as AWS allows. */
const MAX_SKEW_MS = 15 * 60_000;

const AUTH =
  /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;._-]+),\s*Signature=([0-9a-f]{64})$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

function deny(code: string, message: string): AwsWireError {
  return new AwsWireError(code, 403, message);
}

/** `20261206T225423Z` → Date, or undefined. */
function amzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? "");
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

/** The query as the signer wants it: decoded keys and values, repeated keys as arrays. */
function queryOf(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(search)) {
    const had = query[key];
    query[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return query;
}

/**
 * Throws a 403 AwsWireError unless the request is signed with `credentials`. `body` is the raw body as
 * received (before any Content-Encoding is undone): the signature covers those bytes.
 */
export async function verifySigV4(
  req: IncomingMessage,
  body: Buffer,
  credentials: StaticCredentials,
  now: Date = new Date(),
): Promise<void> {
  const authorization = header(req, "authorization");
  if (!authorization) {
    throw deny(
      "MissingAuthenticationTokenException",
      "Missing Authentication Token: sign requests with SigV4 and the credentials `npm run stage` prints (the AWS SDK and CLI do)",
    );
  }
  const m = AUTH.exec(authorization.trim());
  if (!m) {
    throw deny(
      "IncompleteSignatureException",
      "the Authorization header is not an AWS4-HMAC-SHA256 signature (Credential=..., SignedHeaders=..., Signature=...)",
    );
  }
  const [, accessKeyId, shortDate, region, service, signedHeaders, signature] = m as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) {
    throw deny(
      "UnrecognizedClientException",
      "The security token included in the request is invalid: use the access key the local stage prints",
    );
  }
  const date = amzDate(header(req, "x-amz-date"));
  if (!date || shortDate !== header(req, "x-amz-date")?.slice(0, 8)) {
    throw deny(
      "IncompleteSignatureException",
      "X-Amz-Date is missing or does not match the credential scope",
    );
  }
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    throw deny(
      "InvalidSignatureException",
      "Signature expired: X-Amz-Date is more than 15 minutes from the endpoint's clock",
    );
  }
  const names = (signedHeaders as string).split(";");
  if (!names.includes("host")) throw deny("InvalidSignatureException", "SignedHeaders must include host");
  const bodyHash = createHash("sha256").update(body).digest("hex");
  const claimed = header(req, "x-amz-content-sha256");
  if (claimed !== undefined && claimed !== bodyHash) {
    throw deny(
      "InvalidSignatureException",
      "X-Amz-Content-Sha256 does not match the body (unsigned payloads are refused)",
    );
  }
  const headers: Record<string, string> = {};
  for (const name of names) {
    const value = header(req, name);
    if (value === undefined) throw deny("InvalidSignatureException", `signed header ${name} is missing`);
    headers[name] = value;
  }
  const rawUrl = req.url ?? "/";
  const q = rawUrl.indexOf("?");
  const signer = new SignatureV4({
    credentials,
    region: region as string,
    service: service as string,
    sha256: NodeSha256,
    uriEscapePath: true,
  });
  const expected = await signer.sign(
    {
      method: req.method ?? "GET",
      protocol: "http:",
      hostname: headers["host"] ?? "",
      path: q < 0 ? rawUrl : rawUrl.slice(0, q),
      query: q < 0 ? {} : queryOf(rawUrl.slice(q + 1)),
      headers,
      body,
    },
    { signingDate: date, signableHeaders: new Set(names) },
  );
  const expectedSignature =
    /Signature=([0-9a-f]{64})/.exec(String(expected.headers["authorization"] ?? ""))?.[1] ?? "";
  const a = Buffer.from(expectedSignature, "utf8");
  const b = Buffer.from(signature as string, "utf8");
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw deny(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided: sign with the secret key the local stage prints",
    );
  }
}

/**
 * Signs a raw HTTP request for the local endpoint, as the SDK would: returns the headers to send (host,
 * x-amz-date, authorization added). For tests and tools that speak HTTP without the SDK.
 */
export async function signedHeaders(
  request: { method: string; url: URL; headers: Record<string, string>; body: Buffer | string },
  credentials: StaticCredentials,
  scope: { region: string; service: string } = { region: "us-east-1", service: "lambda" },
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, ...scope, sha256: NodeSha256, uriEscapePath: true });
  const lower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const signed = await signer.sign({
    method: request.method,
    protocol: request.url.protocol,
    hostname: request.url.hostname,
    ...(request.url.port ? { port: Number(request.url.port) } : {}),
    path: request.url.pathname,
    query: queryOf(request.url.search.slice(1)),
    headers: { ...lower, host: request.url.host },
    body: typeof request.body === "string" ? Buffer.from(request.body, "utf8") : request.body,
  });
  return Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k, String(v)]));
}
