/**
 * Security: the local stage listens on 127.0.0.1 only. After startStage, every TCP socket in LISTEN state owned
 * by this process (or by a Lambda execution environment) is found through /proc (socket inodes in
 * /proc/<pid>/fd, addresses in /proc/net/tcp and tcp6) and must be bound to 127.0.0.1: not 0.0.0.0, not ::.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../../stage/stage.ts";

interface Listener {
  inode: string;
  address: string;
  port: number;
}

/** Listening TCP sockets of the whole host, by inode. */
function listeners(): Map<string, Listener> {
  const found = new Map<string, Listener>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A") continue; // 0A = LISTEN
      const [hexAddress = "", hexPort = "0"] = (cols[1] ?? "").split(":");
      found.set(cols[9] as string, {
        inode: cols[9] as string,
        address: decodeAddress(hexAddress),
        port: Number.parseInt(hexPort, 16),
      });
    }
  }
  return found;
}

/** /proc/net/tcp addresses are little-endian hex per 32-bit word. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse().map((b) => Number.parseInt(b, 16)));
  if (bytes.length === 4) return bytes.join(".");
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 255 && bytes[11] === 255)
    return bytes.slice(12).join("."); // IPv4-mapped IPv6
  return bytes.every((b) => b === 0) ? "::" : bytes.map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Socket inodes a process holds. */
function socketInodes(pid: number | "self"): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

describe("the local stage binds 127.0.0.1 only", () => {
  let local: LocalStage;
  let before: Set<string>;
  beforeAll(async () => {
    const all = listeners();
    before = new Set([...socketInodes("self")].filter((inode) => all.has(inode)));
    local = await startStage({ cpuScaling: "off" });
    // One invocation, so an execution environment exists and is checked too.
    expect((await fetch(`${local.stage.apiUrl}/items?limit=1`)).status).toBe(200);
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("listens on 127.0.0.1 for the API, the AWS endpoint and DynamoDB, and nowhere else", () => {
    const all = listeners();
    const pids: (number | "self")[] = ["self", ...local.lambda.environmentPids()];
    expect(pids.length).toBeGreaterThan(1);
    const stageListeners = pids
      .flatMap((pid) => [...socketInodes(pid)])
      .filter((inode) => !before.has(inode))
      .map((inode) => all.get(inode))
      .filter((l): l is Listener => l !== undefined);
    const ports = (url: string) => Number(new URL(url).port);
    expect(stageListeners.map((l) => l.port).sort()).toEqual(
      [
        ports(local.stage.apiUrl),
        ports(local.stage.awsEndpoint ?? ""),
        ports(local.dynamodb.endpoint),
      ].sort(),
    );
    for (const listener of stageListeners)
      expect(listener.address, `port ${listener.port}`).toBe("127.0.0.1");
  });

  it("decodes /proc/net addresses (so a wildcard bind would be seen)", () => {
    expect(decodeAddress("0100007F")).toBe("127.0.0.1");
    expect(decodeAddress("00000000")).toBe("0.0.0.0");
    expect(decodeAddress("00000000000000000000000000000000")).toBe("::");
    expect(decodeAddress("0000000000000000FFFF00000100007F")).toBe("127.0.0.1");
  });
});
