/**
 * The Lambda proxy integration: invokes the function through the alias with the integration timeout, and
 * turns the outcome into the HTTP response API Gateway would send (the function's, or a gateway response).
 */
import type { LambdaInvoker } from "../contracts.ts";
import { MAX_PAYLOAD_BYTES } from "../lambda/invocation-record.ts";
import { GATEWAY_RESPONSES, type GatewayResponse, HTTP_API_GATEWAY_RESPONSES } from "./gateway-responses.ts";
import type { HttpApiProxyEvent } from "./http-api-event.ts";
import { mapHttpApiResponse } from "./http-api-response.ts";
import type { ApiGatewayProxyEvent } from "./proxy-event.ts";
import { type MappedResponse, mapProxyResponse } from "./proxy-response.ts";

export interface IntegrationTarget {
  invoker: LambdaInvoker;
  functionName: string;
  /** Alias (or version) the API invokes; the tuner re-points the alias, so each setting is hit through the API. */
  qualifier?: string;
  /** API Gateway's integration timeout: 29 s on REST APIs by default, 30 s on HTTP APIs. */
  timeoutMs: number;
  /** Payload format: 1.0 (REST API) or 2.0 (HTTP API), which decides the response mapping and the gateway responses. @default "1.0" */
  format?: "1.0" | "2.0";
}

export type IntegrationResult =
  | { kind: "response"; response: MappedResponse }
  | { kind: "gateway"; gateway: GatewayResponse; reason: string };

const gateway = (response: GatewayResponse, reason: string): IntegrationResult => ({
  kind: "gateway",
  gateway: response,
  reason,
});

/** Response headers API Gateway does not pass through as they are: it renames them x-amzn-Remapped-<name>. */
const REMAPPED_HEADERS = new Set([
  "connection",
  "content-length",
  "date",
  "server",
  "transfer-encoding",
  "keep-alive",
]);

function remapHeaders(headers: [string, string][]): [string, string][] {
  return headers.map(([name, value]) =>
    REMAPPED_HEADERS.has(name.toLowerCase()) ? [`x-amzn-Remapped-${name}`, value] : [name, value],
  );
}

/** Invokes the function with the event and maps what comes back. Never throws. */
export async function integrate(
  target: IntegrationTarget,
  event: ApiGatewayProxyEvent | HttpApiProxyEvent,
): Promise<IntegrationResult> {
  const v2 = target.format === "2.0";
  const responses = v2 ? HTTP_API_GATEWAY_RESPONSES : GATEWAY_RESPONSES;
  const mapResponse = v2 ? mapHttpApiResponse : mapProxyResponse;
  const payload = JSON.stringify(event);
  const eventBytes = Buffer.byteLength(payload);
  if (eventBytes > MAX_PAYLOAD_BYTES) {
    return gateway(
      responses.eventTooLarge,
      `Lambda invocation failed with status: 413: the event is ${eventBytes} bytes, over Lambda's ${MAX_PAYLOAD_BYTES}-byte synchronous invoke limit`,
    );
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), target.timeoutMs);
  });
  const invocation = target.invoker
    .invoke({
      functionName: target.functionName,
      ...(target.qualifier ? { qualifier: target.qualifier } : {}),
      payload,
    })
    .catch((error: unknown) => ({ status: "invoke-failed" as const, error }));
  try {
    const outcome = await Promise.race([invocation, timedOut]);
    if (outcome === "timeout")
      return gateway(responses.integrationTimeout, `no response within ${target.timeoutMs} ms`);
    switch (outcome.status) {
      case "ok": {
        const mapped = mapResponse(outcome.payload);
        if (mapped.kind === "malformed")
          return gateway(responses.badGateway, `Malformed Lambda proxy response: ${mapped.reason}`);
        return {
          kind: "response",
          response: { ...mapped.response, headers: remapHeaders(mapped.response.headers) },
        };
      }
      case "function-error":
        return gateway(
          responses.badGateway,
          `Lambda function error (${outcome.functionError}): ${outcome.payload}`,
        );
      case "throttled":
        return gateway(
          responses.integrationFailure,
          `Lambda invocation failed with status: 429: ${outcome.message}`,
        );
      case "not-found":
        return gateway(
          responses.integrationFailure,
          `Lambda invocation failed with status: 404: ${outcome.message}`,
        );
      case "invoke-failed":
        return gateway(
          responses.integrationFailure,
          `Lambda invocation failed: ${(outcome.error as Error)?.message ?? String(outcome.error)}`,
        );
    }
  } finally {
    clearTimeout(timer);
  }
}
