/**
 * The REST routes as a table: method + path template → handler. `matchRoute` finds the route (404 for an
 * unknown path, 405 for a known path with another method); handlers validate input and call the repository.
 */
import type { CapacityMeter } from "./capacity.ts";
import { parseCommand } from "./command-schemas.ts";
import { runCommand } from "./commands.ts";
import type { CursorCodec } from "./cursor.ts";
import { MethodNotAllowedError, NotFoundError } from "./errors.ts";
import { type HttpRequest, readJsonBody } from "./http-event.ts";
import { boundPage, type ItemsRepository } from "./items-repository.ts";
import {
  assertItemSize,
  type Item,
  parseLimit,
  parseNewItem,
  parsePatch,
  parseReplacement,
  validateId,
} from "./validation.ts";

export interface RouteContext {
  request: HttpRequest;
  params: Record<string, string>;
  repository: ItemsRepository;
  meter: CapacityMeter;
  /** Generates ids for POST /items without one. */
  newId: () => string;
  /** Issues and checks list cursors. */
  cursors: CursorCodec;
  /** False when the deployment turned POST /dynamodbmanager off (config COMMAND_ROUTE). */
  commandRouteEnabled: boolean;
}

export interface RouteResult {
  statusCode: number;
  body: unknown;
  headers?: Record<string, string>;
  /** For the log line: the command operation behind POST /dynamodbmanager. */
  operation?: string;
}

export interface Route {
  method: string;
  /** Path template, e.g. "/items/{id}". */
  path: string;
  handle: (ctx: RouteContext) => Promise<RouteResult>;
}

/** Route name as logged and documented, e.g. "GET /items/{id}". */
export function routeName(route: Pick<Route, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}

function itemId(ctx: RouteContext): string {
  return validateId(ctx.params["id"], "path parameter id");
}

export const ROUTES: readonly Route[] = [
  {
    method: "POST",
    path: "/items",
    async handle(ctx) {
      const { id, attributes } = parseNewItem(readJsonBody(ctx.request));
      const item: Item = { ...attributes, id: id ?? ctx.newId() };
      assertItemSize(item);
      const created = await ctx.repository.create(item, ctx.meter);
      return { statusCode: 201, body: created, headers: { location: `/items/${created.id}` } };
    },
  },
  {
    method: "GET",
    path: "/items",
    async handle(ctx) {
      const limit = parseLimit(ctx.request.query["limit"], "query parameter limit", "query");
      const cursor = ctx.request.query["cursor"];
      const startKey = cursor === undefined || cursor === "" ? undefined : ctx.cursors.decode(cursor);
      const page = boundPage(await ctx.repository.list(limit, startKey, ctx.meter));
      return {
        statusCode: 200,
        body: { items: page.items, cursor: page.lastKey ? ctx.cursors.encode(page.lastKey) : null },
      };
    },
  },
  {
    method: "GET",
    path: "/items/{id}",
    async handle(ctx) {
      const id = itemId(ctx);
      const item = await ctx.repository.get(id, ctx.meter);
      if (!item) throw new NotFoundError(`item "${id}" does not exist: create it with POST /items first`);
      return { statusCode: 200, body: item };
    },
  },
  {
    method: "PUT",
    path: "/items/{id}",
    async handle(ctx) {
      const id = itemId(ctx);
      const item = parseReplacement(readJsonBody(ctx.request), id);
      return { statusCode: 200, body: await ctx.repository.replace(item, ctx.meter) };
    },
  },
  {
    method: "PATCH",
    path: "/items/{id}",
    async handle(ctx) {
      const id = itemId(ctx);
      const patch = parsePatch(readJsonBody(ctx.request), id);
      return { statusCode: 200, body: await ctx.repository.patch(id, patch, ctx.meter) };
    },
  },
  {
    method: "DELETE",
    path: "/items/{id}",
    async handle(ctx) {
      const id = itemId(ctx);
      return { statusCode: 200, body: await ctx.repository.delete(id, ctx.meter) };
    },
  },
  {
    method: "POST",
    path: "/dynamodbmanager",
    async handle(ctx) {
      if (!ctx.commandRouteEnabled) {
        throw new NotFoundError(
          "POST /dynamodbmanager is turned off in this deployment (template parameter CommandRoute): use the REST routes under /items",
        );
      }
      const command = parseCommand(readJsonBody(ctx.request), ctx.repository.tableName);
      const body = await runCommand(command, ctx.repository, ctx.meter);
      return { statusCode: 200, body, operation: command.operation };
    },
  },
];

/**
 * How path parameters are read, so that a path is decoded exactly once: API Gateway's own `pathParameters`
 * (decoded by API Gateway) win; else a REST API's `path`, which arrives percent-encoded, is decoded here;
 * an HTTP API's `rawPath` arrives decoded already and is taken as it is.
 */
export interface PathReading {
  pathParameters?: Record<string, string>;
  /** True when the path was decoded before it reached the handler (HTTP API payload format 2.0). */
  pathIsDecoded?: boolean;
}

function matchPath(template: string, path: string, reading: PathReading): Record<string, string> | undefined {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      const name = w.slice(1, -1);
      const given = reading.pathParameters?.[name];
      params[name] = given ?? (reading.pathIsDecoded ? g : decodeOnce(g));
    } else if (w !== g) return undefined;
  }
  return params;
}

function decodeOnce(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // left encoded: the id check then rejects it with a clear message
  }
}

/** Finds the route for a request; NotFoundError or MethodNotAllowedError when there is none. */
export function matchRoute(
  method: string,
  path: string,
  routes: readonly Route[] = ROUTES,
  reading: PathReading = {},
): { route: Route; params: Record<string, string> } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path, reading);
    if (!params) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    throw new MethodNotAllowedError(
      `method ${method} is not allowed on ${path}: use ${allowed.join(", ")}`,
      allowed,
    );
  }
  const known = routes.map(routeName).join(", ");
  throw new NotFoundError(`no route for ${method} ${path.slice(0, 200)}: the API serves ${known}`);
}
