/**
 * Benchmark (npm run perf): the service's own overhead per request. Reads the same items from the same
 * dynalite (a) with a bare DocumentClient GetCommand (the reference) and (b) through the handler with REST
 * API events for GET /items/{id} (routing, validation, error mapping, capacity headers, log line), in
 * alternating rounds in one process, and prints the rate ratio b/a as a Markdown section.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { createHandler } from "./handler.ts";
import { createDocumentClient } from "./items-repository.ts";
import { startDynalite } from "./test-support/dynalite.ts";
import { restEvent } from "./test-support/events.ts";
import { useLocalDynamoDbEnvironment } from "./test-support/local-env.ts";

const TABLE = "perf-items";
const ITEMS = 100;
const REQUESTS_PER_ROUND = 1000;
const ROUNDS = 4;
const CONCURRENCY = 8;

async function timed(count: number, one: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const startMs = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return performance.now() - startMs;
}

const db = await startDynalite();
try {
  await db.createItemsTable(TABLE);
  useLocalDynamoDbEnvironment(db.endpoint, TABLE);
  // The same client construction the handler uses (keep-alive agents, endpoint from the environment).
  const doc = createDocumentClient();
  const logLines: string[] = [];
  const handler = createHandler({ writeLine: (line) => logLines.push(line) });
  for (let i = 0; i < ITEMS; i++) {
    await handler(
      restEvent({ method: "POST", path: "/items", body: { id: `k${i}`, name: `item ${i}`, n: i } }),
    );
  }
  const events = Array.from({ length: ITEMS }, (_, i) => restEvent({ method: "GET", path: `/items/k${i}` }));

  const reference = async (i: number) => {
    const out = await doc.send(
      new GetCommand({ TableName: TABLE, Key: { id: `k${i % ITEMS}` }, ReturnConsumedCapacity: "TOTAL" }),
    );
    if (!out.Item) throw new Error("reference read found no item");
  };
  const service = async (i: number) => {
    const out = (await handler(events[i % ITEMS])) as { statusCode: number };
    if (out.statusCode !== 200) throw new Error(`handler answered ${out.statusCode}`);
  };
  // Warm-up: the SDK and dynalite take thousands of requests to reach a steady rate (JIT); measured here,
  // the first 800 reads ran ~7x slower than reads 2400-3200.
  for (let i = 0; i < 2; i++) {
    await timed(1500, reference);
    await timed(1500, service);
  }

  let referenceMs = 0;
  let serviceMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // ABBA order, so neither side always runs first (JIT, GC and neighbours' load drift over time).
    if (round % 2 === 0) {
      referenceMs += await timed(REQUESTS_PER_ROUND, reference);
      serviceMs += await timed(REQUESTS_PER_ROUND, service);
    } else {
      serviceMs += await timed(REQUESTS_PER_ROUND, service);
      referenceMs += await timed(REQUESTS_PER_ROUND, reference);
    }
    logLines.length = 0;
  }
  const total = REQUESTS_PER_ROUND * ROUNDS;
  const referenceRate = (total / referenceMs) * 1000;
  const serviceRate = (total / serviceMs) * 1000;
  console.log(
    [
      "## service: handler overhead on GET /items/{id}",
      "",
      "Command: `npm run perf -- service/handler.perf.ts`",
      "",
      `${ROUNDS} rounds in ABBA order of ${REQUESTS_PER_ROUND} reads each, ${CONCURRENCY} in flight, in-process dynalite (in memory), ${ITEMS} items.`,
      "",
      "| path | reads/s |",
      "| --- | --- |",
      `| reference: DocumentClient GetCommand | ${referenceRate.toFixed(0)} |`,
      `| handler with a REST proxy event (route, validation, headers, log line) | ${serviceRate.toFixed(0)} |`,
      "",
      `Ratio handler / reference: **${(serviceRate / referenceRate).toFixed(2)}** (1.00 = no overhead over the SDK call; on a shared machine, ±0.15 is noise).`,
    ].join("\n"),
  );
  doc.destroy();
} finally {
  await db.stop();
}
