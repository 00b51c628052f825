/**
 * The stage in a process of its own, for the soak: its RSS is then the stage's alone (the soak's driver and
 * ledger live in the parent). Started by stage-child.ts with an IPC channel: sends the endpoints once the
 * stage is up, stops the stage when the parent says "stop" or goes away.
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
process.on("message", (message) => {
  if (message === "stop") void stop();
});
process.on("disconnect", () => void stop());
process.on("SIGTERM", () => void stop());
process.send?.({
  apiUrl: local.stage.apiUrl,
  dynamodbEndpoint: local.dynamodb.endpoint,
  tableName: local.stage.tableName,
  region: local.stage.region,
  credentials: local.stage.credentials,
});
