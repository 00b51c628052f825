/**
 * Lambda entry point. Accepts API Gateway REST (payload 1.0) and HTTP API (payload 2.0) proxy events, and the
 * bare command event `{operation, tableName?, payload}` (direct invoke, non-proxy integration).
 *
 * Every request gets one JSON log line and, over HTTP, the `x-consumed-rcu` / `x-consumed-wcu` headers.
 * Configuration and the DynamoDB client are built once per execution environment (on first use).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { CapacityMeter, formatUnits } from "./capacity.ts";
import { isCommandEvent, isOperation, parseCommand } from "./command-schemas.ts";
import { runCommand } from "./commands.ts";
import { readConfig, type ServiceConfig } from "./config.ts";
import { CursorCodec } from "./cursor.ts";
import { describeError, ServiceError, toHttpError } from "./errors.ts";
import { LAMBDA_REQUEST_ID_HEADER } from "./headers.ts";
import {
  type HttpResponse,
  isHttpApiEvent,
  isRestApiEvent,
  jsonResponse,
  parseHttpEvent,
} from "./http-event.ts";
import { createDocumentClient, ItemsRepository } from "./items-repository.ts";
import { formatRequestLog, type RequestLogEntry, writeStdoutLine } from "./log.ts";
import { assertFits, fitResponse, serializedBytes } from "./response-size.ts";
import { matchRoute, routeName } from "./routes.ts";

/** The parts of the Lambda context the service reads. */
export interface LambdaContextLike {
  awsRequestId?: string;
}

export interface HandlerOptions {
  /** @default readConfig(process.env) on first use */
  config?: ServiceConfig;
  /** @default createDocumentClient() on first use (endpoint from AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL) */
  documentClient?: DynamoDBDocumentClient;
  /** @default one process.stdout.write per line */
  writeLine?: (line: string) => void;
  /** @default crypto.randomUUID */
  newId?: () => string;
}

export type Handler = (event: unknown, context?: LambdaContextLike) => Promise<unknown>;

/** Builds a handler; the exported `handler` is `createHandler()`. Tests pass their own options. */
export function createHandler(options: HandlerOptions = {}): Handler {
  const writeLine = options.writeLine ?? writeStdoutLine;
  const newId = options.newId ?? randomUUID;
  let service: ServiceParts | undefined;
  const getService = (): ServiceParts => {
    if (!service) {
      const config = options.config ?? readConfig(process.env);
      service = {
        repository: new ItemsRepository(options.documentClient ?? createDocumentClient(), config.tableName),
        cursors: new CursorCodec(config.cursorKey ?? randomBytes(32).toString("base64url")),
        commandRouteEnabled: config.commandRouteEnabled ?? true,
      };
    }
    return service;
  };

  return async (event, context) => {
    const startMs = performance.now();
    const requestId = context?.awsRequestId ?? randomUUID();
    const meter = new CapacityMeter();
    const log = (entry: Omit<RequestLogEntry, "requestId" | "durationMs" | "consumedRcu" | "consumedWcu">) =>
      writeLine(
        formatRequestLog({
          requestId,
          durationMs: performance.now() - startMs,
          consumedRcu: meter.readUnits,
          consumedWcu: meter.writeUnits,
          ...entry,
        }),
      );

    if (isRestApiEvent(event) || isHttpApiEvent(event)) {
      const request = parseHttpEvent(event);
      let route = "unmatched";
      let operation: string | undefined;
      let response: HttpResponse;
      let errorFields: Pick<RequestLogEntry, "errorCode" | "error"> = {};
      try {
        const matched = matchRoute(request.method, request.path, undefined, {
          pathParameters: request.pathParameters,
          pathIsDecoded: request.format === "2.0",
        });
        route = routeName(matched.route);
        const result = await matched.route.handle({
          request,
          params: matched.params,
          ...getService(),
          meter,
          newId,
        });
        operation = result.operation;
        response = fitResponse(jsonResponse(result.statusCode, result.body, result.headers ?? {}));
      } catch (err) {
        const mapped = toHttpError(err, requestId);
        errorFields = errorLogFields(err, mapped.body.error.code);
        response = jsonResponse(mapped.statusCode, mapped.body, mapped.headers);
      }
      response.headers["x-consumed-rcu"] = formatUnits(meter.readUnits);
      response.headers["x-consumed-wcu"] = formatUnits(meter.writeUnits);
      response.headers["x-request-id"] = requestId;
      // The tuner's exact attribution reads this one (the invocation's request id, never a generated one).
      if (context?.awsRequestId) response.headers[LAMBDA_REQUEST_ID_HEADER] = context.awsRequestId;
      log({
        ...(request.apiRequestId ? { apiRequestId: request.apiRequestId } : {}),
        route,
        method: request.method,
        status: response.statusCode,
        ...(operation ? { operation } : {}),
        ...errorFields,
      });
      return response;
    }

    // A bare command: the result itself on success; client errors come back as {"error": {...}} (a handled
    // answer, like a 4xx); server errors are thrown, so Lambda counts them as function errors.
    // Only known operations name a route: the log's route field stays a small, fixed set.
    const operation = isCommandEvent(event) ? String(event["operation"]).slice(0, 64) : undefined;
    const route = operation && isOperation(operation) ? `command ${operation}` : "unmatched";
    try {
      const { repository: repo } = getService();
      const result = await runCommand(parseCommand(event, repo.tableName), repo, meter);
      assertFits(serializedBytes(result));
      log({ route, method: "INVOKE", status: 200, ...(operation ? { operation } : {}) });
      return result;
    } catch (err) {
      const mapped = toHttpError(err, requestId);
      log({
        route,
        method: "INVOKE",
        status: mapped.statusCode,
        ...(operation ? { operation } : {}),
        ...errorLogFields(err, mapped.body.error.code),
      });
      if (mapped.statusCode >= 500) {
        const failure = new Error(mapped.body.error.message);
        failure.name = mapped.body.error.code;
        throw failure;
      }
      return mapped.body;
    }
  };
}

/** The parts of the service built once per execution environment. */
interface ServiceParts {
  repository: ItemsRepository;
  cursors: CursorCodec;
  commandRouteEnabled: boolean;
}

function errorLogFields(err: unknown, errorCode: string): Pick<RequestLogEntry, "errorCode" | "error"> {
  return err instanceof ServiceError ? { errorCode } : { errorCode, error: describeError(err) };
}

/** The Lambda handler (SAM: `index.handler` in the bundle). */
export const handler: Handler = createHandler();
