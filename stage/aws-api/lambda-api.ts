/**
 * Lambda over REST-JSON, the paths and status codes of the installed @aws-sdk/client-lambda (see its
 * operation schemas), served from a LambdaControlPlane. LambdaApiError from the control plane becomes the
 * REST-JSON error shape (`x-amzn-ErrorType` header, `{"Type","message"}` body), so the SDK raises the same
 * exception class as against AWS.
 */
import { LambdaApiError, type LambdaControlPlane } from "../contracts.ts";
import { AwsWireError } from "./errors.ts";
import type { WireResponse } from "./http-io.ts";
import { invoke } from "./lambda-invoke.ts";
import {
  empty,
  json,
  jsonBody,
  type LambdaRequest,
  localCode,
  localCodeUpdate,
  paged,
  target,
} from "./lambda-request.ts";

export type { LambdaRequest };

interface Route {
  operation: string;
  method: string;
  path: RegExp;
  run: (lambda: LambdaControlPlane, req: LambdaRequest) => Promise<WireResponse>;
}

const fn = "(?<fn>[^/]+)";

const routes: Route[] = [
  {
    operation: "CreateFunction",
    method: "POST",
    path: /^\/2015-03-31\/functions\/?$/,
    run: async (l, r) => json(201, await l.createFunction(localCode(jsonBody(r), r.codeRoots))),
  },
  {
    operation: "ListFunctions",
    method: "GET",
    path: /^\/2015-03-31\/functions\/?$/,
    run: async (l, r) => paged(await l.listFunctions(), r, "Functions"),
  },
  {
    operation: "GetFunction",
    method: "GET",
    path: new RegExp(`^/2015-03-31/functions/${fn}/?$`),
    run: async (l, r) => {
      const t = target(r);
      return json(200, await l.getFunction(t.name, t.qualifier));
    },
  },
  {
    operation: "DeleteFunction",
    method: "DELETE",
    path: new RegExp(`^/2015-03-31/functions/${fn}/?$`),
    run: async (l, r) => {
      const t = target(r);
      await l.deleteFunction(t.name, t.qualifier);
      return empty(204);
    },
  },
  {
    operation: "GetFunctionConfiguration",
    method: "GET",
    path: new RegExp(`^/2015-03-31/functions/${fn}/configuration$`),
    run: async (l, r) => {
      const t = target(r);
      return json(200, await l.getFunctionConfiguration(t.name, t.qualifier));
    },
  },
  {
    operation: "UpdateFunctionConfiguration",
    method: "PUT",
    path: new RegExp(`^/2015-03-31/functions/${fn}/configuration$`),
    run: async (l, r) => json(200, await l.updateFunctionConfiguration(target(r).name, jsonBody(r))),
  },
  {
    operation: "UpdateFunctionCode",
    method: "PUT",
    path: new RegExp(`^/2015-03-31/functions/${fn}/code$`),
    run: async (l, r) =>
      json(200, await l.updateFunctionCode(target(r).name, localCodeUpdate(jsonBody(r), r.codeRoots))),
  },
  {
    operation: "PublishVersion",
    method: "POST",
    path: new RegExp(`^/2015-03-31/functions/${fn}/versions$`),
    run: async (l, r) => json(201, await l.publishVersion(target(r).name, jsonBody(r))),
  },
  {
    operation: "ListVersionsByFunction",
    method: "GET",
    path: new RegExp(`^/2015-03-31/functions/${fn}/versions$`),
    run: async (l, r) => paged(await l.listVersionsByFunction(target(r).name), r, "Versions"),
  },
  {
    operation: "CreateAlias",
    method: "POST",
    path: new RegExp(`^/2015-03-31/functions/${fn}/aliases$`),
    run: async (l, r) => json(201, await l.createAlias(target(r).name, jsonBody(r))),
  },
  {
    operation: "ListAliases",
    method: "GET",
    path: new RegExp(`^/2015-03-31/functions/${fn}/aliases$`),
    run: async (l, r) => {
      const version = r.query.get("FunctionVersion");
      const aliases = await l.listAliases(target(r).name);
      return paged(version ? aliases.filter((a) => a["FunctionVersion"] === version) : aliases, r, "Aliases");
    },
  },
  {
    operation: "GetAlias",
    method: "GET",
    path: new RegExp(`^/2015-03-31/functions/${fn}/aliases/(?<alias>[^/]+)$`),
    run: async (l, r) => json(200, await l.getAlias(target(r).name, r.params["alias"] ?? "")),
  },
  {
    operation: "UpdateAlias",
    method: "PUT",
    path: new RegExp(`^/2015-03-31/functions/${fn}/aliases/(?<alias>[^/]+)$`),
    run: async (l, r) => json(200, await l.updateAlias(target(r).name, r.params["alias"] ?? "", jsonBody(r))),
  },
  {
    operation: "DeleteAlias",
    method: "DELETE",
    path: new RegExp(`^/2015-03-31/functions/${fn}/aliases/(?<alias>[^/]+)$`),
    run: async (l, r) => {
      await l.deleteAlias(target(r).name, r.params["alias"] ?? "");
      return empty(204);
    },
  },
  {
    operation: "PutFunctionConcurrency",
    method: "PUT",
    path: new RegExp(`^/2017-10-31/functions/${fn}/concurrency$`),
    run: async (l, r) => {
      const n = jsonBody(r)["ReservedConcurrentExecutions"];
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
        throw new AwsWireError(
          "InvalidParameterValueException",
          400,
          `ReservedConcurrentExecutions must be a whole number ≥ 0, got ${JSON.stringify(n)}`,
        );
      }
      return json(200, await l.putFunctionConcurrency(target(r).name, n));
    },
  },
  {
    operation: "DeleteFunctionConcurrency",
    method: "DELETE",
    path: new RegExp(`^/2017-10-31/functions/${fn}/concurrency$`),
    run: async (l, r) => {
      await l.deleteFunctionConcurrency(target(r).name);
      return empty(204);
    },
  },
  {
    operation: "GetFunctionConcurrency",
    method: "GET",
    path: new RegExp(`^/2019-09-30/functions/${fn}/concurrency$`),
    run: async (l, r) => json(200, await l.getFunctionConcurrency(target(r).name)),
  },
  {
    operation: "Invoke",
    method: "POST",
    path: new RegExp(`^/2015-03-31/functions/${fn}/invocations$`),
    run: async (l, r) => {
      const t = target(r);
      return invoke(l, t.name, t.qualifier, r);
    },
  },
];

/** Largest body per operation: Invoke carries up to 6 MB (Lambda's synchronous payload limit), others 1 MB. */
export const BODY_LIMIT_BYTES = { invoke: 6 * 1024 * 1024, other: 1024 * 1024 } as const;

/** Finds the route of a request; undefined for an unknown method/path. */
export function matchLambdaRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string>; bodyLimitBytes: number } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.path.exec(pathname);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(m.groups ?? {})) {
      try {
        params[k] = decodeURIComponent(v);
      } catch {
        throw new AwsWireError(
          "InvalidParameterValueException",
          400,
          `the path segment "${v}" is not valid percent-encoding`,
        );
      }
    }
    const bodyLimitBytes = route.operation === "Invoke" ? BODY_LIMIT_BYTES.invoke : BODY_LIMIT_BYTES.other;
    return { route, params, bodyLimitBytes };
  }
  return undefined;
}

/** Runs a matched route, turning LambdaApiError into the REST-JSON error response. */
export async function runLambdaRoute(
  route: Route,
  lambda: LambdaControlPlane,
  req: LambdaRequest,
): Promise<WireResponse> {
  try {
    return await route.run(lambda, req);
  } catch (error) {
    if (error instanceof LambdaApiError) throw new AwsWireError(error.code, error.statusCode, error.message);
    throw error;
  }
}

/** The REST-JSON error shape: header names the type, the body carries Type and message (both spellings). */
export function lambdaErrorResponse(error: AwsWireError): WireResponse {
  return {
    statusCode: error.statusCode,
    headers: { "x-amzn-ErrorType": error.code, "content-type": "application/json" },
    body: {
      Type: error.statusCode >= 500 ? "Service" : "User",
      message: error.message,
      Message: error.message,
      ...error.extra,
    },
  };
}
