/** Starts test/soak/stage-process.ts as a child process (node --import tsx) and waits for its endpoints. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("./stage-process.ts", import.meta.url));
const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface StageEndpoints {
  apiUrl: string;
  dynamodbEndpoint: string;
  tableName: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The stage's AWS endpoint (Lambda, CloudWatch, CloudWatch Logs) and the function behind its API. */
  awsEndpoint: string;
  functionName: string;
  alias: string;
  apiName: string;
  apiStageName: string;
}

/** What the stage process reports about itself (see stage-process.ts). */
export interface StageStats {
  /** V8 heap in use right after a full GC. */
  heapAfterGcKb: number | undefined;
  /** Bytes of log events the stage's CloudWatch Logs store holds. */
  retainedLogKb: number;
}

export interface StageChild {
  pid: number;
  endpoints: StageEndpoints;
  /** Asks the stage process for its stats (runs a full GC there). */
  stats(): Promise<StageStats>;
  /** Stops the stage and waits for the process to exit (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

export async function startStageChild(): Promise<StageChild> {
  const child: ChildProcess = spawn(process.execPath, ["--expose-gc", "--import", "tsx", ENTRY], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const endpoints = await new Promise<StageEndpoints>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the stage process did not start within 60 s: ${stderr}`)),
      60_000,
    );
    child.once("message", (message) => {
      clearTimeout(timer);
      resolve(message as StageEndpoints);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the stage process exited with ${code} before it started: ${stderr}`));
    });
  });
  const waiting = new Map<number, (stats: StageStats) => void>();
  let nextId = 0;
  child.on("message", (message: { t?: string; id?: number } & StageStats) => {
    if (message.t !== "stats" || message.id === undefined) return;
    waiting.get(message.id)?.({ heapAfterGcKb: message.heapAfterGcKb, retainedLogKb: message.retainedLogKb });
    waiting.delete(message.id);
  });
  return {
    pid: child.pid ?? -1,
    endpoints,
    stats: () =>
      new Promise<StageStats>((resolve, reject) => {
        if (!child.connected) return reject(new Error("the stage process is gone"));
        const id = nextId++;
        waiting.set(id, resolve);
        child.send({ t: "stats", id });
      }),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send("stop");
      const killer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
