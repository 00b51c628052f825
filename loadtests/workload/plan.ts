/**
 * A workload file (docs/workload.md), compiled and planned into a request sequence: the same common-random-
 * numbers rule as the bundled CRUD sequence (loadtests/request-sequence.ts). The whole sequence is planned up
 * front from the seed alone; routes that use or delete an entity target one that exists by construction (a
 * seeded one or one an earlier request created), never one used within `reuseGapRequests` requests, never one
 * deleted; so the expected statuses are exact and every setting replays the same requests. Pure.
 */
import { createRandom, deriveSeed, type Random } from "../random.ts";
import {
  type RequestSequence,
  type SeedItem,
  type SequencedRequest,
  type SequenceReset,
  sequenceStart,
} from "../request-sequence.ts";
import type { OperationName } from "../run-result.ts";
import type { ItemSizeConfig } from "./config.ts";
import { drawSizeBytes, type HttpMethod } from "./model.ts";
import {
  type BodyTemplate,
  bodyExpressions,
  type Expression,
  expressionsOf,
  parseBodyTemplate,
  parseTemplate,
  type RenderContext,
  renderBody,
  renderTemplate,
  type TemplatePart,
  TemplateSyntaxError,
} from "./template.ts";
import { createZipfSampler } from "./zipf.ts";

/** The workload file as its schema (loadtests/workload/file.schema.json) describes it. */
export interface WorkloadFile {
  version: 1;
  name?: string;
  keyPopularity?: "uniform" | "zipfian";
  zipfExponent?: number;
  headers?: Record<string, string>;
  entities?: Record<string, { fields: Record<string, string> }>;
  seed?: Array<{ entity: string; count: number; route?: string }>;
  /**
   * How the table is put back between settings: "api" deletes what a setting created and re-creates the seeded
   * entities it changed, through the routes that delete and create them; "snapshot" writes the table back
   * through DynamoDB. @default "api" when every entity has a route that deletes it, else "snapshot"
   */
  reset?: "api" | "snapshot";
  routes: WorkloadRoute[];
}

export interface WorkloadRoute {
  name: string;
  method: HttpMethod;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  bodySize?: Partial<ItemSizeConfig> & { distribution: ItemSizeConfig["distribution"] };
  weight?: number;
  expect?: number[];
  creates?: string;
  uses?: string;
  deletes?: string;
  operation?: OperationName;
}

/** A workload file that is valid against its schema but not in itself: `field` says where. */
export class WorkloadFileError extends Error {
  override name = "WorkloadFileError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

interface CompiledRoute {
  index: number;
  name: string;
  method: HttpMethod;
  operation: OperationName;
  path: TemplatePart[];
  query: Array<[string, TemplatePart[]]>;
  headers: Array<[string, TemplatePart[]]>;
  body?: BodyTemplate;
  bodySize?: ItemSizeConfig;
  weight: number;
  expect: number[];
  /** The entity the route makes, targets or deletes. */
  entity?: string;
  role: "creates" | "uses" | "deletes" | "none";
}

export interface CompiledWorkload {
  name: string;
  keyPopularity: "uniform" | "zipfian";
  zipfExponent: number;
  entities: Map<string, Array<[string, TemplatePart[]]>>;
  seed: Array<{ entity: string; count: number; route: CompiledRoute }>;
  routes: CompiledRoute[];
  /** The route that makes each entity (the first one that `creates` it). */
  creators: Map<string, CompiledRoute>;
  /** The route that deletes each entity (the first one that `deletes` it): the API reset's. */
  deleters: Map<string, CompiledRoute>;
  reset: "api" | "snapshot";
}

const SIZE_DEFAULTS: ItemSizeConfig = {
  distribution: "lognormal",
  medianBytes: 512,
  minBytes: 64,
  maxBytes: 8192,
  sigma: 0.75,
};

function template(text: string, field: string): TemplatePart[] {
  try {
    return parseTemplate(text);
  } catch (error) {
    throw new WorkloadFileError(field, (error as Error).message);
  }
}

function operationOf(route: WorkloadRoute): OperationName {
  if (route.operation) return route.operation;
  if (route.creates) return "create";
  if (route.deletes) return "delete";
  if (route.uses) return route.method === "GET" ? "read" : "update";
  if (route.method === "GET") return "list";
  if (route.method === "POST") return "create";
  return route.method === "DELETE" ? "delete" : "update";
}

function defaultExpect(route: WorkloadRoute): number[] {
  if (route.creates || (route.method === "POST" && !route.uses && !route.deletes)) return [201];
  if (route.method === "DELETE") return [204, 200];
  return [200];
}

/**
 * Checks what the schema cannot (entities named, fields referenced, generators) and parses every template.
 * Throws WorkloadFileError naming the field, e.g. `routes[2].path: the route has no entity "nte" ...`.
 */
export function compileWorkload(file: WorkloadFile): CompiledWorkload {
  const entities = new Map<string, Array<[string, TemplatePart[]]>>();
  for (const [name, entity] of Object.entries(file.entities ?? {})) {
    const fields = Object.entries(entity.fields).map(
      ([field, text]) =>
        [field, template(text, `entities.${name}.fields.${field}`)] as [string, TemplatePart[]],
    );
    for (const [field, parts] of fields) {
      const bad = expressionsOf(parts).find((e) => e.kind === "field" || e.kind === "fill");
      if (bad)
        throw new WorkloadFileError(
          `entities.${name}.fields.${field}`,
          "an entity field may use id, int, number, string, pick and index, not other fields or fill",
        );
    }
    entities.set(name, fields);
  }
  const names = new Set<string>();
  const routes = file.routes.map((route, index): CompiledRoute => {
    const at = `routes[${index}]`;
    if (names.has(route.name))
      throw new WorkloadFileError(`${at}.name`, `"${route.name}" is used by two routes`);
    names.add(route.name);
    const roles = (["creates", "uses", "deletes"] as const).filter((r) => route[r] !== undefined);
    if (roles.length > 1)
      throw new WorkloadFileError(
        at,
        `a route creates, uses or deletes one entity; got ${roles.join(" and ")}`,
      );
    const role = roles[0] ?? "none";
    const entity = role === "none" ? undefined : (route[role] as string);
    if (entity !== undefined && !entities.has(entity))
      throw new WorkloadFileError(
        `${at}.${role}`,
        `no entity "${entity}" under entities; known: ${[...entities.keys()].join(", ") || "none"}`,
      );
    const fieldsOf = (name: string) => new Set((entities.get(name) ?? []).map(([f]) => f));
    const check = (expressions: Expression[], field: string, body: boolean) => {
      for (const e of expressions) {
        if (e.kind === "id")
          throw new WorkloadFileError(
            field,
            "{{id}} belongs in an entity's fields; use {{<entity>.<field>}} here",
          );
        if (e.kind === "fill" && !body) throw new WorkloadFileError(field, "{{fill}} belongs in a body");
        if (e.kind === "field" && (e.entity !== entity || !fieldsOf(e.entity).has(e.field)))
          throw new WorkloadFileError(
            field,
            entity === undefined
              ? `{{${e.entity}.${e.field}}}: the route names no entity; add creates, uses or deletes: ${e.entity}`
              : `{{${e.entity}.${e.field}}}: the route's entity is "${entity}" with fields ${[...fieldsOf(entity)].join(", ")}`,
          );
      }
    };
    const path = template(route.path, `${at}.path`);
    check(expressionsOf(path), `${at}.path`, false);
    const pairs = (map: Record<string, string> | undefined, field: string) =>
      Object.entries(map ?? {}).map(([key, text]) => {
        const parts = template(text, `${at}.${field}.${key}`);
        check(expressionsOf(parts), `${at}.${field}.${key}`, false);
        return [key, parts] as [string, TemplatePart[]];
      });
    let body: BodyTemplate | undefined;
    if (route.body !== undefined) {
      try {
        body = parseBodyTemplate(route.body, `${at}.body`);
      } catch (error) {
        if (error instanceof TemplateSyntaxError) throw new WorkloadFileError(`${at}.body`, error.message);
        throw error;
      }
      const expressions = bodyExpressions(body);
      check(expressions, `${at}.body`, true);
      if (expressions.filter((e) => e.kind === "fill").length > 1)
        throw new WorkloadFileError(`${at}.body`, "{{fill}} may appear once in a body");
    }
    if (route.bodySize && body === undefined)
      throw new WorkloadFileError(`${at}.bodySize`, "a route without a body has no body size");
    const bodySize = route.bodySize ? { ...SIZE_DEFAULTS, ...route.bodySize } : undefined;
    if (bodySize && bodySize.minBytes > bodySize.maxBytes)
      throw new WorkloadFileError(
        `${at}.bodySize`,
        `minBytes ${bodySize.minBytes} > maxBytes ${bodySize.maxBytes}`,
      );
    return {
      index,
      name: route.name,
      method: route.method,
      operation: operationOf(route),
      path,
      query: pairs(route.query, "query"),
      headers: pairs({ ...file.headers, ...route.headers }, "headers"),
      ...(body ? { body } : {}),
      ...(bodySize ? { bodySize } : {}),
      weight: route.weight ?? 1,
      expect: route.expect ?? defaultExpect(route),
      ...(entity !== undefined ? { entity } : {}),
      role,
    };
  });
  if (routes.every((r) => r.weight <= 0))
    throw new WorkloadFileError("routes", "every weight is 0: give at least one route a positive weight");
  const creators = new Map<string, CompiledRoute>();
  for (const route of routes)
    if (route.role === "creates" && route.entity) {
      if (!creators.has(route.entity)) creators.set(route.entity, route);
    }
  const seed = (file.seed ?? []).map((s, i) => {
    const at = `seed[${i}]`;
    if (!entities.has(s.entity))
      throw new WorkloadFileError(`${at}.entity`, `no entity "${s.entity}" under entities`);
    const route = s.route === undefined ? creators.get(s.entity) : routes.find((r) => r.name === s.route);
    if (!route)
      throw new WorkloadFileError(
        s.route === undefined ? `${at}.entity` : `${at}.route`,
        s.route === undefined
          ? `no route creates "${s.entity}": add one with creates: ${s.entity}, or name it with route`
          : `no route named "${s.route}"`,
      );
    if (route.entity !== s.entity || route.role !== "creates")
      throw new WorkloadFileError(`${at}.route`, `route "${route.name}" does not create "${s.entity}"`);
    return { entity: s.entity, count: s.count, route };
  });
  for (const route of routes) {
    if ((route.role === "uses" || route.role === "deletes") && route.weight > 0) {
      const entity = route.entity as string;
      if (!creators.has(entity) && !seed.some((s) => s.entity === entity && s.count > 0))
        throw new WorkloadFileError(
          `routes[${route.index}].${route.role}`,
          `nothing makes a "${entity}": seed some (seed: [{entity: ${entity}, count: 50}]) or add a route that creates it`,
        );
    }
  }
  const deleters = new Map<string, CompiledRoute>();
  for (const route of routes)
    if (route.role === "deletes" && route.entity && !deleters.has(route.entity)) {
      deleters.set(route.entity, route);
    }
  const undeletable = [...entities.keys()].filter((e) => !deleters.has(e));
  if (file.reset === "api" && undeletable.length > 0)
    throw new WorkloadFileError(
      "reset",
      `"api" needs a route that deletes each entity; none deletes ${undeletable.join(", ")}: add one, or use reset: snapshot`,
    );
  return {
    name: file.name ?? "workload",
    reset: file.reset ?? (undeletable.length === 0 ? "api" : "snapshot"),
    deleters,
    keyPopularity: file.keyPopularity ?? "zipfian",
    zipfExponent: file.zipfExponent ?? 1,
    entities,
    seed,
    routes,
    creators,
  };
}

/** Entities of one kind, in popularity order (oldest first), with lazy removal and the reuse gap. */
class Pool {
  private items: Array<{ fields: Record<string, string>; last?: number; removed?: boolean }> = [];

  add(fields: Record<string, string>, index?: number): void {
    this.items.push(index === undefined ? { fields } : { fields, last: index });
  }

  get size(): number {
    return this.items.length;
  }

  /** An eligible entity by rank (1-based); removes it when `remove`. */
  take(rank: () => number, index: number, gap: number, remove: boolean): Record<string, string> | undefined {
    const eligible = (i: number) => {
      const item = this.items[i];
      return item !== undefined && !item.removed && (item.last === undefined || index - item.last >= gap);
    };
    let at = -1;
    for (let attempt = 0; attempt < 16 && at < 0; attempt++) {
      const i = rank() - 1;
      if (eligible(i)) at = i;
    }
    if (at < 0) at = this.items.findIndex((_, i) => eligible(i));
    if (at < 0) return undefined;
    const item = this.items[at] as { fields: Record<string, string>; last?: number; removed?: boolean };
    item.last = index;
    if (remove) {
      item.removed = true;
      if (this.items.filter((x) => x.removed).length * 2 > this.items.length + 128)
        this.items = this.items.filter((x) => !x.removed);
    }
    return item.fields;
  }
}

export interface WorkloadSequenceOptions {
  seed: number;
  count: number;
  /** "warmup": GET routes that create, use and delete nothing, or use an entity (reads): no state change. */
  kind?: "measure" | "warmup";
  reuseGapRequests?: number;
  /** Prefix of every {{id}}. @default `pb<seed in base 36>` */
  idPrefix?: string;
}

const FILL_MARK = "\u0001powerbench-fill\u0001";

function makeFields(
  fields: Array<[string, TemplatePart[]]>,
  id: string,
  random: Random,
  index: number,
): Record<string, string> {
  const context: RenderContext = { random, entities: {}, id, index };
  return Object.fromEntries(fields.map(([name, parts]) => [name, String(renderTemplate(parts, context))]));
}

function encodePath(parts: TemplatePart[], context: RenderContext): string {
  // Literal text is the user's (already a path); generated values are encoded as one segment each.
  let out = "";
  for (const part of parts)
    out += typeof part === "string" ? part : encodeURIComponent(String(renderTemplate([part], context)));
  return out;
}

function planRequest(
  route: CompiledRoute,
  context: RenderContext,
  random: Random,
  idField: (entity: string) => string | undefined,
): Omit<SequencedRequest, "index"> {
  let path = encodePath(route.path, context);
  if (route.query.length > 0) {
    const search = new URLSearchParams();
    for (const [key, parts] of route.query) search.append(key, String(renderTemplate(parts, context)));
    path += `?${search.toString()}`;
  }
  let body: string | undefined;
  if (route.body) {
    const text = JSON.stringify(renderBody(route.body, { ...context, fill: FILL_MARK }));
    const mark = JSON.stringify(FILL_MARK).slice(1, -1);
    const target = route.bodySize ? drawSizeBytes(route.bodySize, random) : undefined;
    if (text.includes(mark)) {
      const base = utf8Bytes(text) - utf8Bytes(mark);
      body = text.replace(mark, "x".repeat(Math.max(0, (target ?? base) - base)));
    } else body = text;
  }
  const headers = Object.fromEntries(
    route.headers.map(([k, parts]) => [k, String(renderTemplate(parts, context))]),
  );
  const entity = route.entity ? context.entities[route.entity] : undefined;
  const field = route.entity ? idField(route.entity) : undefined;
  const id = entity && field ? entity[field] : undefined;
  return {
    operation: route.operation,
    method: route.method,
    path,
    ...(body !== undefined ? { body } : {}),
    ...(id !== undefined ? { id } : {}),
    expectedStatuses: [...route.expect],
    route: route.name,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

/** UTF-8 byte length without node:buffer (this module is pure). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The request sequence of a workload file. Same workload, same options: the same sequence, byte for byte.
 *
 * @example buildWorkloadSequence(compileWorkload(file), { seed: 1, count: 300, reuseGapRequests: 50 })
 */
export function buildWorkloadSequence(
  workload: CompiledWorkload,
  options: WorkloadSequenceOptions,
): RequestSequence {
  const gap = Math.max(1, Math.floor(options.reuseGapRequests ?? 1));
  const { header, seedRandom, random } = sequenceStart(options, gap);
  const { seed, kind, idPrefix } = header;
  if (!Number.isInteger(options.count) || options.count < 0)
    throw new RangeError(`workload sequence: count must be an integer ≥ 0, got ${options.count}`);
  const zipf = createZipfSampler(workload.zipfExponent, random);

  // An entity's id is the field made with {{id}} (else its first field): the request's `id`.
  const idFields = new Map(
    [...workload.entities].map(([name, fields]) => [
      name,
      (fields.find(([, parts]) => expressionsOf(parts).some((e) => e.kind === "id")) ?? fields[0])?.[0],
    ]),
  );
  const idField = (entity: string) => idFields.get(entity);
  const pools = new Map<string, Pool>([...workload.entities.keys()].map((name) => [name, new Pool()]));
  const preseed: SeedItem[] = [];
  const seedRequests: SequencedRequest[] = [];
  // For the API reset: every seeded entity (its fields and seed request), and every created one.
  const seededEntities = new Map<Record<string, string>, { entity: string; seedIndex: number }>();
  const createdEntities: Array<{ entity: string; fields: Record<string, string> }> = [];
  const changedSeeds = new Set<Record<string, string>>();
  let seeded = 0;
  for (const s of workload.seed) {
    const fields = workload.entities.get(s.entity) ?? [];
    for (let n = 0; n < s.count; n++) {
      seeded += 1;
      const made = makeFields(fields, `${idPrefix}-s${seeded}`, seedRandom, n);
      const context = { random: seedRandom, entities: { [s.entity]: made }, index: n };
      const request = planRequest(s.route, context, seedRandom, idField);
      seededEntities.set(made, { entity: s.entity, seedIndex: seedRequests.length });
      seedRequests.push({ index: seedRequests.length, ...request });
      preseed.push({ id: request.id ?? `${idPrefix}-s${seeded}`, body: request.body ?? "" });
      pools.get(s.entity)?.add(made);
    }
  }

  const eligibleRoutes =
    kind === "warmup"
      ? workload.routes.filter((r) => r.method === "GET" && r.role !== "creates" && r.role !== "deletes")
      : workload.routes;
  if (eligibleRoutes.every((r) => r.weight <= 0) && options.count > 0)
    throw new WorkloadFileError(
      "routes",
      "the warm-up replays GET routes only and this workload has none with a weight: add one or run with --warmup 0",
    );
  const total = eligibleRoutes.reduce((sum, r) => sum + r.weight, 0);
  let acc = 0;
  const mix = eligibleRoutes
    .filter((r) => r.weight > 0)
    .map((r): [string, number] => {
      acc += r.weight / total;
      return [r.name, acc];
    });
  const byName = new Map(workload.routes.map((r) => [r.name, r]));
  const drawRoute = (): CompiledRoute => {
    const u = random.next();
    for (const [name, bound] of mix) if (u < bound) return byName.get(name) as CompiledRoute;
    return byName.get((mix[mix.length - 1] as [string, number])[0]) as CompiledRoute;
  };
  const fallback = workload.routes.filter(
    (r) => r.role === "none" && r.weight > 0 && (kind === "measure" || r.method === "GET"),
  );

  let created = 0;
  const createdIds: string[] = [];
  const requests: SequencedRequest[] = [];
  for (let index = 0; index < options.count; index++) {
    let route = drawRoute();
    let entities: Record<string, Record<string, string>> = {};
    if (route.role === "uses" || route.role === "deletes") {
      const entity = route.entity as string;
      const pool = pools.get(entity) as Pool;
      const rank = () =>
        workload.keyPopularity === "uniform" ? 1 + random.int(pool.size) : zipf.sample(pool.size);
      const target = pool.size > 0 ? pool.take(rank, index, gap, route.role === "deletes") : undefined;
      if (target) {
        entities = { [entity]: target };
        if (route.method !== "GET" && seededEntities.has(target)) changedSeeds.add(target);
      } else {
        // Nothing can be targeted yet: make one (the warm-up changes nothing, so it takes a route on no entity).
        const creator = kind === "measure" ? workload.creators.get(entity) : undefined;
        const other = fallback[random.int(Math.max(1, fallback.length))];
        if (creator) route = creator;
        else if (other) route = other;
        else
          throw new WorkloadFileError(
            `routes[${route.index}].${route.role}`,
            `no "${entity}" is free to target at request ${index} (each is busy for ${gap} requests after use): seed more of them`,
          );
      }
    }
    if (route.role === "creates") {
      const entity = route.entity as string;
      created += 1;
      const made = makeFields(workload.entities.get(entity) ?? [], `${idPrefix}-c${created}`, random, index);
      (pools.get(entity) as Pool).add(made, index);
      entities = { [entity]: made };
      createdEntities.push({ entity, fields: made });
    }
    const request = planRequest(route, { random, entities, index }, random, idField);
    if (route.role === "creates") createdIds.push(request.id ?? `${idPrefix}-c${created}`);
    requests.push({ index, ...request });
  }
  return {
    ...header,
    preseed,
    requests,
    createdIds,
    changedPreseedIds: [...changedSeeds].map((fields) => {
      const entity = seededEntities.get(fields)?.entity as string;
      return fields[idField(entity) ?? ""] ?? "";
    }),
    seedRequests,
    workload: workload.name,
    ...(workload.reset === "api"
      ? {
          reset: planReset(
            workload,
            seed,
            idField,
            seedRequests,
            seededEntities,
            createdEntities,
            changedSeeds,
          ),
        }
      : {}),
  };
}

/**
 * The API reset of a sequence: the requests that delete what it creates, and for each seeded entity it changes,
 * the request that deletes it and the seed request that makes it again (404 is expected of a delete too: the
 * entity may already be gone). Rendered with their own random stream, so the sequence itself does not change.
 */
function planReset(
  workload: CompiledWorkload,
  seed: number,
  idField: (entity: string) => string | undefined,
  seedRequests: readonly SequencedRequest[],
  seededEntities: Map<Record<string, string>, { entity: string; seedIndex: number }>,
  createdEntities: ReadonlyArray<{ entity: string; fields: Record<string, string> }>,
  changedSeeds: ReadonlySet<Record<string, string>>,
): SequenceReset {
  const random = createRandom(deriveSeed(seed, 3));
  const remove = (entity: string, fields: Record<string, string>, index: number): SequencedRequest => {
    const route = workload.deleters.get(entity) as CompiledRoute;
    const request = planRequest(route, { random, entities: { [entity]: fields }, index }, random, idField);
    return { index, ...request, expectedStatuses: [...new Set([...request.expectedStatuses, 404])] };
  };
  const seeds = [...seededEntities].map(([fields, { entity }], i) => remove(entity, fields, i));
  return {
    created: createdEntities.map(({ entity, fields }, i) => remove(entity, fields, i)),
    changedSeeds: [...changedSeeds].map((fields, i) => {
      const { entity, seedIndex } = seededEntities.get(fields) as { entity: string; seedIndex: number };
      return { remove: remove(entity, fields, i), seed: seedRequests[seedIndex] as SequencedRequest };
    }),
    seeds,
  };
}
