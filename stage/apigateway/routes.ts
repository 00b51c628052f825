/**
 * Route matching as a REST API does it: the request path picks a resource first (literal segments before
 * `{param}` before a greedy `{proxy+}`), then the method picks one of the resource's methods or its ANY.
 * Pure: no I/O.
 */
import { ApiGatewayConfigError } from "./errors.ts";

export interface RouteDefinition {
  /** Upper-case HTTP method or "ANY". */
  method: string;
  /** Resource path, e.g. "/items/{id}". */
  path: string;
}

type Segment =
  | { kind: "literal"; text: string }
  | { kind: "param"; name: string }
  | { kind: "greedy"; name: string };

interface Resource {
  path: string;
  segments: Segment[];
  methods: Set<string>;
}

export type RouteMatch =
  | {
      kind: "matched";
      resourcePath: string;
      /** The declared method that matched: the request's, or "ANY" (an HTTP API's routeKey is `${method} ${resourcePath}`). */
      method: string;
      pathParameters: Record<string, string>;
    }
  /** No resource for the path, or no method on it: API Gateway answers 403 Missing Authentication Token. */
  | { kind: "no-route" };

const RANK = { literal: 0, param: 1, greedy: 2 } as const;

function parseSegments(path: string): Segment[] {
  const parts = path.split("/").filter((p) => p !== "");
  return parts.map((part, i) => {
    const variable = /^\{([A-Za-z0-9._-]+)(\+?)\}$/.exec(part);
    if (!variable) {
      if (part.includes("{") || part.includes("}"))
        throw new ApiGatewayConfigError(
          `invalid resource path "${path}": segment "${part}" must be a literal or a whole {name} / {name+}`,
        );
      return { kind: "literal", text: part };
    }
    const name = variable[1] ?? "";
    if (variable[2] === "+") {
      if (i !== parts.length - 1)
        throw new ApiGatewayConfigError(
          `invalid resource path "${path}": a greedy {${name}+} must be the last segment`,
        );
      return { kind: "greedy", name };
    }
    return { kind: "param", name };
  });
}

function compareResources(a: Resource, b: Resource): number {
  const n = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const sa = a.segments[i];
    const sb = b.segments[i];
    if (!sa || !sb) return sa ? -1 : 1;
    const diff = RANK[sa.kind] - RANK[sb.kind];
    if (diff !== 0) return diff;
  }
  return 0;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as Segment;
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === "greedy") {
      params[segment.name] = parts.slice(i).map(decode).join("/");
      return params;
    }
    if (segment.kind === "literal") {
      if (decode(part) !== segment.text) return undefined;
    } else if (part === "") return undefined;
    else params[segment.name] = decode(part);
  }
  return parts.length === segments.length ? params : undefined;
}

/** A compiled route table. */
export class RouteTable {
  private readonly resources: Resource[];

  constructor(routes: readonly RouteDefinition[]) {
    const byPath = new Map<string, Resource>();
    for (const route of routes) {
      const segments = parseSegments(route.path);
      const key = `/${segments.map((s) => (s.kind === "literal" ? s.text : s.kind === "param" ? "{}" : "{+}")).join("/")}`;
      const existing = byPath.get(key);
      if (existing && existing.path !== route.path)
        throw new ApiGatewayConfigError(
          `resource paths "${existing.path}" and "${route.path}" overlap; rename one`,
        );
      const resource = existing ?? { path: route.path, segments, methods: new Set<string>() };
      resource.methods.add(route.method.toUpperCase());
      byPath.set(key, resource);
    }
    this.resources = [...byPath.values()].sort(compareResources);
  }

  /**
   * Matches a raw (still percent-encoded) path, without the stage prefix, e.g. "/items/a%20b".
   *
   * @example new RouteTable([{ method: "GET", path: "/items/{id}" }]).match("GET", "/items/42")
   */
  match(method: string, rawPath: string): RouteMatch {
    const parts = rawPath.split("/").filter((p, i, all) => p !== "" || (i > 0 && i < all.length - 1));
    for (const resource of this.resources) {
      const params = matchSegments(resource.segments, parts);
      if (!params) continue;
      const declared = resource.methods.has(method.toUpperCase()) ? method.toUpperCase() : "ANY";
      if (!resource.methods.has(declared)) return { kind: "no-route" };
      return { kind: "matched", resourcePath: resource.path, method: declared, pathParameters: params };
    }
    return { kind: "no-route" };
  }
}
