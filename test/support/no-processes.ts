/**
 * TEST SUPPORT (setup file of the "unit" project, vitest.config.ts): a unit test starts no process and no
 * server. Any child process (spawn, exec, fork and their sync forms) or listening socket fails the test with
 * one line saying what to do: such a test is an integration test, `*.integration.test.ts`.
 */
import { createRequire, syncBuiltinESMExports } from "node:module";

const require = createRequire(import.meta.url);
const childProcess = require("node:child_process") as typeof import("node:child_process");
const net = require("node:net") as typeof import("node:net");

function refuse(what: string): never {
  throw new Error(
    `a unit test started ${what}: unit tests start no process or server; name the file *.integration.test.ts`,
  );
}

// Every asynchronous child process (spawn, exec, execFile, fork) goes through ChildProcess#spawn.
(childProcess.ChildProcess.prototype as unknown as { spawn: (options: { file?: string }) => never }).spawn = (
  options,
) => refuse(`a child process (${options?.file ?? "?"})`);
for (const name of ["spawnSync", "execSync", "execFileSync"] as const) {
  (childProcess as Record<string, unknown>)[name] = (file: unknown) =>
    refuse(`a child process (${String(file)})`);
}
syncBuiltinESMExports();
net.Server.prototype.listen = function listen() {
  return refuse("a server (listen)");
};
