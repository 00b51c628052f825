/**
 * A process that runs the k6 adapter (with whatever k6 PATH / K6_BINARY point at: in the tests, the stand-in;
 * never the tools folder's real k6),
 * for the tests that signal a whole process group or end the process mid-run. Prints the RunResult as JSON on
 * stdout. `exit-when <file>`: calls process.exit(3) once <file> exists (the test writes it mid-run).
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createK6Engine } from "../engines/k6/engine.ts";

const [mode, goFile] = process.argv.slice(2);
if (mode === "exit-when" && goFile) {
  let polls = 0;
  const poll = setInterval(() => {
    polls += 1;
    if (existsSync(goFile) || polls > 750) process.exit(3);
  }, 20);
  poll.unref();
}
const noTools = path.join(os.tmpdir(), "powerbench-k6-adapter-test-no-tools");
const result = await createK6Engine({ toolsBinDir: noTools }).run({
  target: "http://127.0.0.1:9/prod",
  profile: "smoke",
});
process.stdout.write(JSON.stringify(result));
