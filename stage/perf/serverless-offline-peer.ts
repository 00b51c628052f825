/**
 * serverless-offline as the peer of the local stage in stage.perf.ts: the same service bundle behind the same
 * routes, on the same dynalite, in its default mode (a worker thread per concurrent handler) or with
 * `--useInProcess` (the handler in serverless-offline's own process). It is installed by the benchmark into a
 * scratch folder under the OS's temp directory, never as a dependency of this project: serverless v3 (v4 needs
 * a login or a license key, serverless.com/framework/docs/guides/license-keys; v3 runs offline with no account)
 * and serverless-offline 13, the last line whose peer dependency is serverless ^3 (14.x requires serverless ^4).
 */

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const PEER_VERSIONS = { serverless: "3.40.0", serverlessOffline: "13.9.0" } as const;

export interface PeerOptions {
  /** The service bundle (dist/service/index.mjs), copied into the scratch folder as is. */
  bundleFile: string;
  tableName: string;
  dynamodbEndpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  memoryMb: number;
  /** API stage in the URL, as the local stage's (`/prod/items`). */
  stageName: string;
  mode: "worker-threads" | "in-process";
  /** Seconds an idle handler is kept (serverless-offline's --terminateIdleLambdaTime; its default is 60). */
  idleKeepS: number;
}

export interface RunningPeer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The scratch folder: one per pair of versions, reused by later runs. */
export function peerFolder(): string {
  return path.join(
    os.tmpdir(),
    `powerbench-peer-serverless-${PEER_VERSIONS.serverless}-offline-${PEER_VERSIONS.serverlessOffline}`,
  );
}

function serverlessBin(folder: string): string {
  return path.join(folder, "node_modules", "serverless", "bin", "serverless.js");
}

/** Installs serverless and serverless-offline into the scratch folder (once; about 280 MB). */
export async function installPeer(folder = peerFolder()): Promise<void> {
  if (
    existsSync(serverlessBin(folder)) &&
    existsSync(path.join(folder, "node_modules", "serverless-offline"))
  )
    return;
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, "package.json"),
    `${JSON.stringify({ name: "powerbench-perf-peer", private: true }, null, 2)}\n`,
  );
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  await new Promise<void>((resolve, reject) => {
    execFile(
      npm,
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        `serverless@${PEER_VERSIONS.serverless}`,
        `serverless-offline@${PEER_VERSIONS.serverlessOffline}`,
      ],
      { cwd: folder, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) =>
        error
          ? reject(
              new Error(
                `npm install of serverless@${PEER_VERSIONS.serverless} serverless-offline@${PEER_VERSIONS.serverlessOffline} in ${folder} failed: ${stderr.trim().split("\n").slice(-3).join(" ")}`,
              ),
            )
          : resolve(),
    );
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** serverless.yml: the service's three routes on one function, with its environment. */
function serverlessYml(options: PeerOptions): string {
  return [
    "service: powerbench-peer",
    'frameworkVersion: "3"',
    "provider:",
    "  name: aws",
    "  runtime: nodejs20.x",
    `  region: ${options.region}`,
    `  stage: ${options.stageName}`,
    `  memorySize: ${options.memoryMb}`,
    "  environment:",
    // JSON strings are YAML strings: local names and the local stage's fixed credentials only.
    `    TABLE_NAME: ${JSON.stringify(options.tableName)}`,
    `    AWS_ENDPOINT_URL_DYNAMODB: ${JSON.stringify(options.dynamodbEndpoint)}`,
    `    AWS_ACCESS_KEY_ID: ${JSON.stringify(options.credentials.accessKeyId)}`,
    `    AWS_SECRET_ACCESS_KEY: ${JSON.stringify(options.credentials.secretAccessKey)}`,
    "functions:",
    "  api:",
    "    handler: svc/index.handler",
    "    events:",
    "      - http: { path: items, method: any }",
    '      - http: { path: "items/{id}", method: any }',
    "      - http: { path: dynamodbmanager, method: post }",
    "plugins:",
    "  - serverless-offline",
    "",
  ].join("\n");
}

/** Starts serverless-offline on 127.0.0.1 and waits until it answers a ping (at most `readyTimeoutMs`). */
export async function startPeer(options: PeerOptions, readyTimeoutMs = 90_000): Promise<RunningPeer> {
  const base = peerFolder();
  // One service folder per mode: both run at once.
  const folder = path.join(base, `service-${options.mode}`);
  mkdirSync(path.join(folder, "svc"), { recursive: true });
  copyFileSync(options.bundleFile, path.join(folder, "svc", "index.mjs"));
  writeFileSync(path.join(folder, "serverless.yml"), serverlessYml(options));
  const [httpPort, lambdaPort] = [await freePort(), await freePort()];
  const args = [
    serverlessBin(base),
    "offline",
    "start",
    "--host",
    "127.0.0.1",
    "--httpPort",
    String(httpPort),
    "--lambdaPort",
    String(lambdaPort),
    "--terminateIdleLambdaTime",
    String(options.idleKeepS),
    ...(options.mode === "in-process" ? ["--useInProcess"] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: folder,
    // It prints lines for every request: to /dev/null, as a terminal nobody reads would cost it less than a pipe.
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: process.env["HOME"] ?? os.tmpdir(),
      NODE_ENV: "production",
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      SLS_DEPRECATION_DISABLE: "*",
    },
  });
  let stderrTail = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderrTail = (stderrTail + text).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${httpPort}/${options.stageName}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(`${url}/dynamodbmanager`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"operation":"ping"}',
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      if (res.status === 200) return { url, pid: child.pid ?? -1, stop };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  await stop();
  throw new Error(
    `serverless-offline (${options.mode}) did not answer a ping at ${url} within ${readyTimeoutMs} ms: ${stderrTail.trim().split("\n").slice(-3).join(" ")}`,
  );
}
