/**
 * The stage in a process of its own, for the soak: its RSS is then the stage's alone (the soak's driver and
 * ledger live in the parent). Started by stage-child.ts (with --expose-gc) and an IPC channel: sends the
 * endpoints once the stage is up; answers "stats" with its heap after a full GC and the bytes its CloudWatch
 * Logs store retains; stops the stage when the parent says "stop" or goes away.
 */
import { startStage } from "../../stage/stage.ts";

const local = await startStage();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await local.stop().catch(() => undefined);
  process.exit(0);
};
const gc = (globalThis as { gc?: () => void }).gc;
process.on("message", (message: unknown) => {
  if (message === "stop") void stop();
  else if (typeof message === "object" && message !== null && (message as { t?: unknown }).t === "stats") {
    gc?.();
    const groups = local.logs.describeLogGroups({}).logGroups;
    process.send?.({
      t: "stats",
      id: (message as { id?: unknown }).id,
      heapAfterGcKb: gc ? Math.round(process.memoryUsage().heapUsed / 1024) : undefined,
      retainedLogKb: Math.round(groups.reduce((sum, g) => sum + g.storedBytes, 0) / 1024),
    });
  }
});
process.on("disconnect", () => void stop());
process.on("SIGTERM", () => void stop());
process.send?.({
  t: "ready",
  apiUrl: local.stage.apiUrl,
  dynamodbEndpoint: local.dynamodb.endpoint,
  tableName: local.stage.tableName,
  region: local.stage.region,
  credentials: local.stage.credentials,
  awsEndpoint: local.stage.awsEndpoint,
  functionName: local.stage.functionName,
  alias: local.stage.alias,
  apiName: local.stage.apiName,
  apiStageName: local.stage.apiStageName,
});
