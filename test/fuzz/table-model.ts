/**
 * The model of the table: id → item, updated ONLY from the answers to accepted writes (as the client saw
 * them), checked against reads as they happen and against a scan of the real table at the end. Requests are
 * sent one at a time, so the order of answers is the order of writes. Pure module.
 */

type Json = unknown;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON text with object keys sorted: equal documents give equal text. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export interface AcceptedAnswer {
  method: string;
  status: number;
  /** The JSON body of the answer. */
  body: Json;
  /** The request body as sent, for POST /dynamodbmanager (which operation it was). */
  sentBody?: string;
}

export interface TableDiff {
  /** In the model, not in the table: an acknowledged write was lost. */
  missing: string[];
  /** In the table, not in the model: a write happened that no answer acknowledged. */
  extra: string[];
  /** In both, with other contents. */
  different: string[];
}

export class TableModel {
  readonly items = new Map<string, Json>();
  /** Writes applied to the model, by kind, for the figures. */
  readonly writes = { created: 0, replaced: 0, patched: 0, deleted: 0 };

  /**
   * Applies one answer. Returns problems: an accepted answer whose shape the model cannot read, or a read
   * that disagrees with the model.
   */
  apply(answer: AcceptedAnswer): string[] {
    const { method, status, body } = answer;
    if (status !== 200 && status !== 201) return [];
    const idOf = (item: Json) => (isObject(item) && typeof item["id"] === "string" ? item["id"] : undefined);
    const set = (item: Json, kind: "created" | "replaced" | "patched") => {
      const id = idOf(item);
      if (id === undefined) return [`accepted ${method} ${status} without an item id in the answer`];
      this.items.set(id, item);
      this.writes[kind]++;
      return [];
    };
    const remove = (item: Json) => {
      const id = idOf(item);
      if (id === undefined) return [`accepted delete without the deleted item in the answer`];
      if (!this.items.has(id)) return [`delete of ${id} answered 200 but the model has no such item`];
      this.items.delete(id);
      this.writes.deleted++;
      return [];
    };
    if (method === "POST" && status === 201) return set(body, "created");
    if (method === "PUT" && status === 200) return set(body, "replaced");
    if (method === "PATCH" && status === 200) return set(body, "patched");
    if (method === "DELETE" && status === 200) return remove(body);
    if (method === "GET" && status === 200) return this.checkRead(body);
    if (method === "POST" && status === 200) return this.applyCommand(answer);
    return [];
  }

  private checkRead(body: Json): string[] {
    if (isObject(body) && "items" in body) return []; // a list page: checked by the final scan
    const id = isObject(body) && typeof body["id"] === "string" ? body["id"] : undefined;
    if (id === undefined) return ["GET answered 200 without an item"];
    const expected = this.items.get(id);
    if (expected === undefined) return [`GET ${id} answered an item the model does not have`];
    return canonicalJson(expected) === canonicalJson(body) ? [] : [`GET ${id} disagrees with the model`];
  }

  private applyCommand(answer: AcceptedAnswer): string[] {
    let operation: unknown;
    try {
      const sent: unknown = JSON.parse(answer.sentBody ?? "");
      operation = isObject(sent) ? sent["operation"] : undefined;
    } catch {
      return ["POST /dynamodbmanager answered 200 to a body that is not JSON"];
    }
    const body = answer.body;
    switch (operation) {
      case "create":
        return isObject(body)
          ? this.apply({ method: "POST", status: 201, body: body["Item"] })
          : ["bad create"];
      case "update":
        return isObject(body)
          ? this.apply({ method: "PATCH", status: 200, body: body["Attributes"] })
          : ["bad"];
      case "delete":
        return isObject(body)
          ? this.apply({ method: "DELETE", status: 200, body: body["Attributes"] })
          : ["bad"];
      case "read":
        return isObject(body) ? this.checkRead(body["Item"]) : ["bad read"];
      default:
        return [];
    }
  }

  /** Compares the model with the items a scan of the table returned. */
  diff(scanned: readonly Json[]): TableDiff {
    const table = new Map<string, Json>();
    for (const item of scanned)
      if (isObject(item) && typeof item["id"] === "string") table.set(item["id"], item);
    const missing = [...this.items.keys()].filter((id) => !table.has(id));
    const extra = [...table.keys()].filter((id) => !this.items.has(id));
    const different = [...this.items.entries()]
      .filter(([id, item]) => table.has(id) && canonicalJson(table.get(id)) !== canonicalJson(item))
      .map(([id]) => id);
    return { missing, extra, different };
  }
}
