/**
 * The REST routes as a table: method + path template → handler. `matchRoute` finds the route (404 for an
 * unknown path, 405 for a known path with another method); handlers validate input and call the repository.
 */
import type { CapacityMeter } from "./capacity.ts";
import { parseCommand } from "./command-schemas.ts";
import { runCommand } from "./commands.ts";
import { decodeCursor, encodeCursor } from "./cursor.ts";
import { MethodNotAllowedError, NotFoundError } from "./errors.ts";
import { type HttpRequest, readJsonBody } from "./http-event.ts";
import type { ItemsRepository } from "./items-repository.ts";
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
      const startKey = cursor === undefined || cursor === "" ? undefined : decodeCursor(cursor);
      const page = await ctx.repository.list(limit, startKey, ctx.meter);
      return {
        statusCode: 200,
        body: { items: page.items, cursor: page.lastKey ? encodeCursor(page.lastKey) : null },
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
      const command = parseCommand(readJsonBody(ctx.request), ctx.repository.tableName);
      const body = await runCommand(command, ctx.repository, ctx.meter);
      return { statusCode: 200, body, operation: command.operation };
    },
  },
];

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      params[w.slice(1, -1)] = safeDecode(g);
    } else if (w !== g) return undefined;
  }
  return params;
}

function safeDecode(segment: string): string {
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
): { route: Route; params: Record<string, string> } {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPath(route.path, path);
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
