/**
 * The benchmarks' hello server: node:http in a child process on 127.0.0.1 (so no load generator shares a
 * process with it), answering every request 200 "{}", counting requests (`/__count`) and accepted TCP
 * connections (`/__connections`). And the CPU time of a process, from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

const HELLO_SERVER = `
const http = require("node:http");
let count = 0;
let connections = 0;
const server = http.createServer((req, res) => {
  if (req.url === "/__count") { res.end(String(count)); return; }
  if (req.url === "/__connections") { res.end(String(connections)); return; }
  count++;
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": 2 }); res.end("{}"); });
});
server.on("connection", () => { connections++; });
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
`;

export async function startHelloServer(): Promise<{
  url: string;
  child: ChildProcess;
  count: () => Promise<number>;
  /** TCP connections accepted so far. */
  connections: () => Promise<number>;
}> {
  const child = spawn(process.execPath, ["-e", HELLO_SERVER], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    child.once("exit", (code) => reject(new Error(`hello server exited with ${code}`)));
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/prod`,
    child,
    count: async () => Number(await (await fetch(`${origin}/__count`)).text()),
    connections: async () => Number(await (await fetch(`${origin}/__connections`)).text()),
  };
}

/** CPU time (user + system, µs) a process has used so far, from /proc (Linux); undefined elsewhere. */
export function processCpuUs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime (fields 14 and 15 of stat, 12 and 13 after the command) in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, µs) of this process's children that have ended and been waited for (cutime and
 * cstime of /proc/self/stat): the difference around a child's run is that child's CPU, start-up included.
 */
export function endedChildrenCpuUs(): number | undefined {
  try {
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]?.split(" ") ?? [];
    // cutime and cstime (fields 16 and 17 of stat, 14 and 15 after the command) in clock ticks of 10 ms.
    return (Number(fields[13]) + Number(fields[14])) * 10_000;
  } catch {
    return undefined;
  }
}
