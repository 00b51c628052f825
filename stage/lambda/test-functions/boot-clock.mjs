// Returns how long after its process started this module was evaluated: performance.now() counts from the
// process's start, so this is the runtime's own boot plus everything before the handler's import. Also the
// time the process's main thread had waited for the host's CPU by then (Linux schedstat; 0 elsewhere), which
// Init Duration leaves out.
import { readFileSync } from "node:fs";

const loadedAfterProcessStartMs = performance.now();
let runQueueWaitAtLoadMs = 0;
try {
  runQueueWaitAtLoadMs = Number(readFileSync("/proc/self/schedstat", "utf8").split(" ")[1]) / 1e6;
} catch {
  // no scheduler statistics here
}
export const handler = async () => ({ loadedAfterProcessStartMs, runQueueWaitAtLoadMs });
