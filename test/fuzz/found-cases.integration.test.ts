/**
 * The red-team findings of issue 20 ("Found" 3 and 5), replayed through the real local stage (API Gateway front
 * → Lambda environment → dynalite) exactly as they were reported. Each expectation failed before the fix:
 * the list answered 502 (logged 200), `/items/a%2541` read item `aA`, a forged cursor was answered 200,
 * `1e-400` was stored as 0, decimals were rounded to 17 digits, a DELETE of attribute "" and a deep echo
 * answered 500, and a 340-attribute PATCH was accepted (AWS would refuse it for its 4 KB expression).
 */
import { describe, expect, it } from "vitest";
import { useStage } from "../support/stage.ts";
import { scanTable } from "./fuzz-run.ts";
import { readLogMessages } from "./stage-logs.ts";

describe("issue 20's hostile cases through the local stage", () => {
  const env = useStage({ cpuScaling: "off" });

  const send = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${env.local.stage.apiUrl}${path}`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  const requestLines = () =>
    readLogMessages(env.local.logs, `/aws/lambda/${env.local.stage.functionName}`)
      .map((line) => line.slice(line.indexOf("{")))
      .filter((line) => line.includes('"msg":"request"'))
      .map((line) => JSON.parse(line) as { route: string; status: number; operation?: string });

  it("Found 3: items of ~340 K control characters no longer poison the list: pages fit, the cursor continues, the log tells the truth", async () => {
    // Each item is built by PATCHes under the 512 KiB body limit: 5 × 68,000 U+0001 (6 bytes each as JSON).
    const ids = ["poison1", "poison2", "poison3"];
    const chunk = JSON.stringify("\u0001".repeat(68_000));
    for (const id of ids) {
      expect((await send("POST", "/items", JSON.stringify({ id }))).status).toBe(201);
      for (let part = 0; part < 5; part++) {
        const patched = await send("PATCH", `/items/${id}`, `{"p${part}":${chunk}}`);
        expect(patched.status).toBe(200);
      }
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await send("GET", `/items?limit=100${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.status).toBe(200);
      const body = page.json() as { items: { id: string }[]; cursor: string | null };
      seen.push(...body.items.map((item) => item.id));
      cursor = body.cursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(seen.filter((id) => ids.includes(id)).sort()).toEqual(ids);
    expect(pages).toBeGreaterThan(1);

    const listed = await send("POST", "/dynamodbmanager", '{"operation":"list","payload":{"Limit":100}}');
    expect(listed.status).toBe(200);
    expect((listed.json() as { Count: number }).Count).toBeGreaterThan(0);
    for (const id of ids) expect((await send("GET", `/items/${id}`)).status).toBe(200);

    const lines = requestLines().filter((l) => l.route === "GET /items" || l.operation === "list");
    expect(lines.length).toBeGreaterThanOrEqual(pages + 1);
    expect(lines.every((l) => l.status === 200)).toBe(true);
    const platform = readLogMessages(env.local.logs, `/aws/lambda/${env.local.stage.functionName}`);
    expect(platform.some((line) => line.includes("ResponseSizeTooLarge"))).toBe(false);
    for (const id of ids) expect((await send("DELETE", `/items/${id}`)).status).toBe(200);
  }, 120_000);

  it("Found 5: /items/a%2541 addresses item a%41 (refused), never item aA", async () => {
    expect((await send("POST", "/items", '{"id":"aA","owner":"alice"}')).status).toBe(201);
    const read = await send("GET", "/items/a%2541");
    expect(read.status).toBe(400);
    expect(read.text).toMatch(/path parameter id must be 1-128 characters .*got the string \\"a%41\\"/);
    expect((await send("DELETE", "/items/a%2541")).status).toBe(400);
    expect((await send("GET", "/items/aA")).json()).toEqual({ id: "aA", owner: "alice" });
  });

  it("Found 5: a forged cursor is refused with 400, an issued one continues", async () => {
    const forged = Buffer.from('{"id":"zzz"}').toString("base64url");
    const answer = await send("GET", `/items?cursor=${forged}`);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/cursor is not one this service issued/);
    const first = (await send("GET", "/items?limit=1")).json() as { cursor: string | null };
    expect(first.cursor).not.toBeNull();
    expect((await send("GET", `/items?limit=1&cursor=${first.cursor}`)).status).toBe(200);
  });

  it("Found 5: numbers are stored exactly or refused, never rounded or zeroed", async () => {
    const tiny = await send("POST", "/items", '{"id":"tiny","n":1e-400}');
    expect(tiny.status).toBe(400);
    expect(tiny.text).toMatch(/item\.n is 1e-400: it is too small/);
    expect((await send("POST", "/items", '{"id":"edge","n":9.99e-131}')).status).toBe(400);
    const created = await send(
      "POST",
      "/items",
      '{"id":"exact","d":0.12345678901234567890123456789012345678,"i":12345678901234567890123,"e":1E-130}',
    );
    expect(created.status).toBe(201);
    const read = await send("GET", "/items/exact");
    expect(read.text).toContain('"d":0.12345678901234567890123456789012345678');
    expect(read.text).toContain('"i":12345678901234567890123');
    expect(read.text).toContain(`"e":0.${"0".repeat(129)}1`);
    const stored = (await scanTable(env.local)).find((item) => (item as { id: string }).id === "tiny");
    expect(stored).toBeUndefined();
  });

  it("Found 5: AttributeUpdates {'': DELETE} and a 4,147-level echo answer 400, not 500", async () => {
    const update = await send(
      "POST",
      "/dynamodbmanager",
      '{"operation":"update","payload":{"Key":{"id":"aA"},"AttributeUpdates":{"":{"Action":"DELETE"}}}}',
    );
    expect(update.status).toBe(400);
    expect(update.text).toMatch(/attribute name \\"\\": expected 1-255 characters/);
    const deep = `{"operation":"echo","payload":${"[".repeat(4147)}${"]".repeat(4147)}}`;
    const echoed = await send("POST", "/dynamodbmanager", deep);
    expect(echoed.status).toBe(400);
    expect(echoed.text).toMatch(/deeper than 32 levels/);
  });

  it("Found 5: a PATCH past DynamoDB's 4 KB expression limit is refused for that reason, the item unchanged", async () => {
    const patch = JSON.stringify(Object.fromEntries(Array.from({ length: 340 }, (_, i) => [`a${i}`, i])));
    const answer = await send("PATCH", "/items/aA", patch);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/over DynamoDB's 4096-byte expression limit/);
    expect((await send("GET", "/items/aA")).json()).toEqual({ id: "aA", owner: "alice" });
  });
});
