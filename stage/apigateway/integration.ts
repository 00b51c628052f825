/**
 * The Lambda proxy integration: invokes the function through the alias with the integration timeout, and
 * turns the outcome into the HTTP response API Gateway would send (the function's, or a gateway response).
 */
import type { LambdaInvoker } from "../contracts.ts";
import { MAX_PAYLOAD_BYTES } from "../lambda/invocation-record.ts";
import { GATEWAY_RESPONSES, type GatewayResponse } from "./gateway-responses.ts";
import type { ApiGatewayProxyEvent } from "./proxy-event.ts";
import { type MappedResponse, mapProxyResponse } from "./proxy-response.ts";

export interface IntegrationTarget {
  invoker: LambdaInvoker;
  functionName: string;
  /** Alias (or version) the API invokes; the tuner re-points the alias, so each setting is hit through the API. */
  qualifier?: string;
  /** API Gateway's integration timeout: 29 s on REST APIs by default. */
  timeoutMs: number;
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
  event: ApiGatewayProxyEvent,
): Promise<IntegrationResult> {
  const payload = JSON.stringify(event);
  const eventBytes = Buffer.byteLength(payload);
  if (eventBytes > MAX_PAYLOAD_BYTES) {
    return gateway(
      GATEWAY_RESPONSES.eventTooLarge,
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
      return gateway(GATEWAY_RESPONSES.integrationTimeout, `no response within ${target.timeoutMs} ms`);
    switch (outcome.status) {
      case "ok": {
        const mapped = mapProxyResponse(outcome.payload);
        if (mapped.kind === "malformed")
          return gateway(GATEWAY_RESPONSES.badGateway, `Malformed Lambda proxy response: ${mapped.reason}`);
        return {
          kind: "response",
          response: { ...mapped.response, headers: remapHeaders(mapped.response.headers) },
        };
      }
      case "function-error":
        return gateway(
          GATEWAY_RESPONSES.badGateway,
          `Lambda function error (${outcome.functionError}): ${outcome.payload}`,
        );
      case "throttled":
        return gateway(
          GATEWAY_RESPONSES.integrationFailure,
          `Lambda invocation failed with status: 429: ${outcome.message}`,
        );
      case "not-found":
        return gateway(
          GATEWAY_RESPONSES.integrationFailure,
          `Lambda invocation failed with status: 404: ${outcome.message}`,
        );
      case "invoke-failed":
        return gateway(
          GATEWAY_RESPONSES.integrationFailure,
          `Lambda invocation failed: ${(outcome.error as Error)?.message ?? String(outcome.error)}`,
        );
    }
  } finally {
    clearTimeout(timer);
  }
}
