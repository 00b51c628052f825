/**
 * The real AWS SDK clients for a Stage. Against the local stage they point at its 127.0.0.1 endpoint with
 * its credentials; against AWS they use the default endpoint (or `AWS_ENDPOINT_URL`) and the SDK's default
 * credential chain.
 *
 * Every call has a connection timeout, a request timeout and a bounded number of attempts (the SDK's
 * standard retry strategy: throttling, 5xx and timeouts are retried with backoff), so a lost network ends
 * a call in bounded time instead of hanging the run; Invoke gets a single attempt. The clients also keep track of whether the endpoint
 * answered at all lately (`reachability`): the sweep stops when it is gone, and the restore says so.
 */
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Stage } from "../stage.ts";

export interface AwsClientOptions {
  /** Longest wait for a TCP connection. @default 3000 */
  connectionTimeoutMs?: number;
  /** Longest wait for a whole request and its response (control plane, metrics, logs). @default 10000 */
  requestTimeoutMs?: number;
  /**
   * Longest wait for a synchronous Invoke (direct mode): Lambda's maximum function timeout (900 s) and a
   * margin. @default 930000
   */
  invokeTimeoutMs?: number;
  /**
   * Attempts per call, the first included (SDK standard retry). @default 3. Not for Invoke: see
   * INVOKE_MAX_ATTEMPTS.
   */
  maxAttempts?: number;
}

export const AWS_CLIENT_DEFAULTS = {
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 10_000,
  invokeTimeoutMs: 930_000,
  maxAttempts: 3,
} as const satisfies Required<AwsClientOptions>;

/**
 * A synchronous Invoke gets one attempt. An Invoke is not idempotent: a retry after a timeout or a 5xx runs
 * the function a second time (its writes twice) and puts a second measured invocation into the setting's
 * figures. And with the request timeout as long as a function may run, every retry of a blackholed Invoke
 * would wait out another 930 s: three attempts could hang a run for ~46 minutes.
 */
export const INVOKE_MAX_ATTEMPTS = 1;

/** Whether the endpoint answered lately: any HTTP answer counts, an error is a timeout or a refused socket. */
export interface Reachability {
  /** True once a call failed with no HTTP answer after all its attempts, until the next call that got one. */
  readonly lost: boolean;
  /** The last network failure, for messages. */
  readonly lastError?: string;
}

export interface AwsClients {
  lambda: LambdaClient;
  /**
   * For synchronous Invoke only: the same endpoint with a request timeout as long as a function's, and a
   * single attempt (INVOKE_MAX_ATTEMPTS).
   */
  lambdaInvoke: LambdaClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  reachability: Reachability;
  destroy(): void;
}

/** A failure with no HTTP answer: a timeout, a refused or reset connection, an unknown host. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  if (meta?.httpStatusCode !== undefined) return false;
  const code = (error as { code?: string }).code ?? "";
  return (
    error.name === "TimeoutError" ||
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH)$/.test(code) ||
    /socket hang up|timed? ?out|ECONNREFUSED|ECONNRESET/i.test(error.message)
  );
}

/** No answer from an AWS endpoint at all; the message names it and what to check. */
export class EndpointUnreachableError extends Error {
  override name = "EndpointUnreachableError";
  constructor(
    readonly endpoint: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `could not reach the AWS endpoint ${endpoint} (${detail}): check the network, or pass --endpoint-url (AWS_ENDPOINT_URL) if the stack is served elsewhere`,
      options,
    );
  }
}

/** The endpoint a client of `service` talks to: the override, else the service's regional endpoint. */
export function endpointOf(service: string, target: Pick<Stage, "region" | "awsEndpoint">): string {
  return target.awsEndpoint ?? `https://${service}.${target.region}.amazonaws.com`;
}

/** A network failure (no HTTP answer) as EndpointUnreachableError naming the endpoint; anything else as it is. */
export function asUnreachable(error: unknown, endpoint: string): unknown {
  if (!isNetworkError(error)) return error;
  const e = error as Error & { code?: string };
  const detail = e.code ?? e.message.split("\n")[0] ?? e.name;
  return new EndpointUnreachableError(endpoint, detail, { cause: error });
}

/**
 * The CloudFormation client `--stack-name` reads the stack with: the same endpoint override, timeouts and
 * bounded retries as the stage's other clients.
 */
export function createCloudFormationClient(
  target: Pick<Stage, "region" | "awsEndpoint" | "credentials">,
  options: AwsClientOptions = {},
): CloudFormationClient {
  const o = { ...AWS_CLIENT_DEFAULTS, ...options };
  return new CloudFormationClient({
    region: target.region,
    ...(target.awsEndpoint ? { endpoint: target.awsEndpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    maxAttempts: o.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: o.connectionTimeoutMs,
      requestTimeout: o.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });
}

export function createAwsClients(stage: Stage, options: AwsClientOptions = {}): AwsClients {
  const o = { ...AWS_CLIENT_DEFAULTS, ...options };
  const state: { lost: boolean; lastError?: string } = { lost: false };
  const handler = (requestTimeoutMs: number) =>
    new NodeHttpHandler({
      connectionTimeout: o.connectionTimeoutMs,
      requestTimeout: requestTimeoutMs,
      // Without it a request timeout is only a logged warning, and a blackholed endpoint hangs the call.
      throwOnRequestTimeout: true,
    });
  const config = (requestTimeoutMs: number, maxAttempts = o.maxAttempts) => ({
    region: stage.region,
    ...(stage.awsEndpoint ? { endpoint: stage.awsEndpoint } : {}),
    ...(stage.credentials ? { credentials: stage.credentials } : {}),
    maxAttempts,
    requestHandler: handler(requestTimeoutMs),
  });
  const lambda = new LambdaClient(config(o.requestTimeoutMs));
  const lambdaInvoke = new LambdaClient(config(o.invokeTimeoutMs, INVOKE_MAX_ATTEMPTS));
  const cloudwatch = new CloudWatchClient(config(o.requestTimeoutMs));
  const logs = new CloudWatchLogsClient(config(o.requestTimeoutMs));
  // Outermost middleware: sees each call once, after the SDK's retries.
  for (const client of [lambda, lambdaInvoke, cloudwatch, logs]) {
    client.middlewareStack.add(
      (next) => async (args) => {
        try {
          const out = await next(args);
          state.lost = false;
          return out;
        } catch (error) {
          if (isNetworkError(error)) {
            state.lost = true;
            state.lastError = error instanceof Error ? error.message : String(error);
          } else state.lost = false;
          throw error;
        }
      },
      { step: "initialize", name: "powerbenchReachability", priority: "high" },
    );
  }
  return {
    lambda,
    lambdaInvoke,
    cloudwatch,
    logs,
    reachability: state,
    destroy() {
      lambda.destroy();
      lambdaInvoke.destroy();
      cloudwatch.destroy();
      logs.destroy();
    },
  };
}
