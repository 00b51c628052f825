/**
 * Who may talk to the local AWS endpoint, checked before anything is read or run:
 *
 * - the Host header must name a loopback host (127.0.0.0/8, localhost, [::1]): a page on another origin that
 *   gets its name resolved to 127.0.0.1 (DNS rebinding) sends its own host name, and is refused;
 * - the content type must be one the AWS protocols use (REST-JSON's application/json, Invoke's octet-stream,
 *   JSON 1.0/1.1's application/x-amz-json-*, awsQuery's application/x-www-form-urlencoded for CloudFormation):
 *   text/plain and multipart/form-data, which a browser may send cross-origin without a preflight, never are.
 *   A form post is the third such type; CloudFormation's protocol needs it, so it is let through to the
 *   signature check, which a page cannot pass (it has no secret key), and it only reads (Describe/List);
 * - the request must be SigV4-signed with the stage's credentials (sigv4.ts).
 */
import type { IncomingMessage } from "node:http";
import { AwsWireError } from "./errors.ts";

const LOOPBACK_HOST = /^(127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d{1,5})?$/i;

export function checkLoopbackHost(req: IncomingMessage): void {
  const host = req.headers.host ?? "";
  if (!LOOPBACK_HOST.test(host)) {
    throw new AwsWireError(
      "AccessDeniedException",
      403,
      `the local AWS endpoint answers only requests addressed to a loopback host (127.0.0.1, localhost, [::1]), got Host ${JSON.stringify(host)}`,
    );
  }
}

const PROTOCOL_TYPES = new Set([
  "application/json",
  "application/octet-stream",
  "binary/octet-stream",
  "application/x-amz-json-1.0",
  "application/x-amz-json-1.1",
  "application/x-www-form-urlencoded",
]);

/** No content type is accepted (GET, DELETE; Lambda takes an Invoke body without one); the signature decides. */
export function checkContentType(req: IncomingMessage): void {
  const raw = req.headers["content-type"];
  const type = (raw ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "") return;
  if (!PROTOCOL_TYPES.has(type)) {
    throw new AwsWireError(
      "UnsupportedMediaTypeException",
      415,
      `Content-Type ${JSON.stringify(raw ?? "")} is not one the AWS protocols use: expected application/json (Lambda), application/octet-stream (Invoke), application/x-amz-json-1.0/1.1 (CloudWatch, CloudWatch Logs) or application/x-www-form-urlencoded (CloudFormation)`,
    );
  }
}
