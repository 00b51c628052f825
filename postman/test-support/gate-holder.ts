/**
 * TEST SUPPORT: a process that holds the bench's gate (newmanGate on every CPU: a process per folder) and ends as
 * the test tells it, with a run in flight, so postman/gate-process.integration.test.ts can check that no gate
 * process outlives it. Prints one line `{"pids":[…]}` once a run has started, then:
 * `exit` calls process.exit, `throw` throws from a timer (an uncaught exception), `wait` waits to be killed.
 *
 * Usage: node --import tsx postman/test-support/gate-holder.ts <apiUrl> <tableName> exit|throw|wait <reportDir>
 */
import os from "node:os";
import { newmanGate } from "../newman-gate.ts";

const [apiUrl, tableName, mode, reportDir] = process.argv.slice(2);
if (!apiUrl || !tableName || !["exit", "throw", "wait"].includes(mode ?? "") || !reportDir)
  throw new Error("usage: gate-holder.ts <apiUrl> <tableName> exit|throw|wait <reportDir>");

const gate = newmanGate({
  apiUrl,
  tableName,
  // The test's own folder, removed with it (this process may not live to clean up).
  reportDir,
  onWarning: () => {},
  cpus: `0-${os.availableParallelism() - 1}`,
});
void gate({ settingId: "held" }).catch(() => {});
// The children are busy with the run now; the test reads their pids, then this process ends as asked.
setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ pids: gate.pids })}\n`);
  if (mode === "exit") process.exit(3);
  if (mode === "throw") throw new Error("the gate holder ends with an uncaught exception");
  setInterval(() => {}, 1_000);
}, 1_500);
