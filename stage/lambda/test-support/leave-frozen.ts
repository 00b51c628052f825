/**
 * TEST SUPPORT, run as a child process: starts a LocalLambda, leaves one environment frozen after an invocation
 * (a background interval keeps it busy otherwise), prints `pid <n>` of that environment, then goes as argv[2]
 * says without close(): "exit" (process.exit: the emulator's exit hook runs) or "sigkill" (no hook runs).
 */
import { LocalLambda } from "../local-lambda.ts";
import { MemoryLogSink, MemoryMetricSink, TEST_FUNCTIONS_DIR } from "./memory-sinks.ts";

const how = process.argv[2];
if (how !== "exit" && how !== "sigkill") throw new Error(`expected "exit" or "sigkill", got ${how}`);
const lambda = new LocalLambda({ metricSink: new MemoryMetricSink(), logSink: new MemoryLogSink() });
await lambda.createFunction({
  FunctionName: "background",
  Handler: "background.handler",
  Code: { LocalPath: TEST_FUNCTIONS_DIR },
});
const outcome = await lambda.invoke({ functionName: "background", payload: '{"action":"start","busyMs":5}' });
if (outcome.status !== "ok") throw new Error(JSON.stringify(outcome));
const { pid } = JSON.parse(outcome.payload) as { pid: number };
// The pool freezes an idle environment once the turn it came back in is over: wait until it has (at most 5 s).
for (let waited = 0; lambda.freezes === 0 && waited < 5_000; waited += 5) {
  await new Promise((resolve) => setTimeout(resolve, 5));
}
process.stdout.write(`pid ${pid} scaling ${lambda.cpuScaling.mode}\n`, () => {
  if (how === "exit") process.exit(0);
  process.kill(process.pid, "SIGKILL");
});
