/**
 * The esbuild bundle (what the SAM template deploys) works on its own: built into a temporary directory with
 * service/bundle.ts, imported as ESM, and driven against dynalite configured only through the environment.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { buildBundles } from "./bundle.ts";
import { type RunningDynalite, startDynalite } from "./test-support/dynalite.ts";
import { restEvent } from "./test-support/events.ts";
import { useLocalDynamoDbEnvironment } from "./test-support/local-env.ts";

const TABLE = "bundle-items";
let db: RunningDynalite;
let restoreEnvironment: (() => void) | undefined;
let outDir: string;
let bundlePath: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(os.tmpdir(), "powerbench-build-"));
  const written = await buildBundles({ outDir });
  bundlePath = path.join(outDir, "service", "index.mjs");
  expect(written).toEqual([bundlePath]);
  db = await startDynalite();
  await db.createItemsTable(TABLE);
  restoreEnvironment = useLocalDynamoDbEnvironment(db.endpoint, TABLE);
});
afterAll(async () => {
  restoreEnvironment?.();
  await db?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

it("emits index.mjs (with the AWS SDK inside) and an external source map", () => {
  expect(existsSync(bundlePath)).toBe(true);
  expect(existsSync(`${bundlePath}.map`)).toBe(true);
  const code = readFileSync(bundlePath, "utf8");
  expect(code).not.toMatch(/(from|import\()\s*["'](@aws-sdk|@smithy)\//);
  expect(code).toContain("ReturnConsumedCapacity");
});

it("exports a handler that serves HTTP events and direct commands against DynamoDB", async () => {
  const module = (await import(pathToFileURL(bundlePath).href)) as {
    handler: (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
  };
  const created = await module.handler(
    restEvent({ method: "POST", path: "/items", body: { id: "b1", v: 1 } }),
    {
      awsRequestId: "bundle-1",
    },
  );
  expect(created).toMatchObject({ statusCode: 201, headers: { "x-consumed-wcu": "1" } });
  // The Lambda runtime sends the result as JSON (numbers keep their exact text).
  const read = await module.handler(
    { operation: "read", payload: { Key: { id: "b1" } } },
    { awsRequestId: "bundle-2" },
  );
  expect(JSON.parse(JSON.stringify(read))).toEqual({
    Item: { id: "b1", v: 1 },
  });
  expect(await db.scanAll(TABLE)).toEqual([{ id: { S: "b1" }, v: { N: "1" } }]);
});
