/**
 * Start/stop of the local stage leaves nothing behind: no execution environment processes, no cgroups,
 * no listening ports. Runs in its own file (its own vitest worker), so no other stage's processes interfere.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startStage } from "./stage.ts";

/**
 * Live child processes of this worker (the execution environments, esbuild's service), without `ps` itself
 * and without zombies (exited, only waiting for node to reap them).
 */
function childPids(): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=,stat=,comm=", "--ppid", String(process.pid)], { encoding: "utf8" })
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([pid, stat, comm]) => Number(pid) > 0 && !stat?.startsWith("Z") && comm !== "ps")
      .map(([pid]) => Number(pid));
  } catch {
    return []; // ps exits 1 when no process matched
  }
}

/** cgroup directories this process created (`powerbench-<pid>-<n>`), searched a few levels deep. */
function ownCgroups(root = "/sys/fs/cgroup", depth = 5): string[] {
  if (depth === 0 || !existsSync(root)) return [];
  const found: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const full = path.join(root, entry.name);
    if (entry.name.startsWith(`powerbench-${process.pid}-`)) found.push(full);
    else found.push(...ownCgroups(full, depth - 1));
  }
  return found;
}

/** Listening TCP servers of this process. */
function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((type) => type === "TCPServerWrap").length;
}

describe("local stage lifecycle", () => {
  it("stops every environment process, cgroup and server it started", async () => {
    // Prepare
    const baseline = new Set(childPids());
    const serversBefore = listeningServers();
    const local = await startStage({ idleTimeoutMs: 60_000, memoryMb: 256, reservedConcurrency: 3 });
    const fn = local.stage.functionName;
    expect(await local.lambda.getFunctionConcurrency(fn)).toMatchObject({ ReservedConcurrentExecutions: 3 });
    expect(await local.lambda.getFunctionConfiguration(fn, local.stage.alias)).toMatchObject({
      MemorySize: 256,
      Version: "1",
    });
    const res = await fetch(`${local.stage.apiUrl}/dynamodbmanager`, {
      method: "POST",
      body: JSON.stringify({ operation: "ping" }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const running = childPids().filter((pid) => !baseline.has(pid));
    expect(listeningServers()).toBe(serversBefore + 3);
    expect(running.length).toBeGreaterThan(0);
    if (local.stage.cpuScaling?.mode !== "none") expect(ownCgroups().length).toBeGreaterThan(0);

    // Act
    await local.stop();

    // Assess
    expect(childPids().filter((pid) => !baseline.has(pid))).toEqual([]);
    expect(ownCgroups()).toEqual([]);
    // Listening servers of this process (API front, AWS endpoint, dynalite): back to what there was before
    // (a closed handle leaves the list on the next turn of the event loop).
    await new Promise((resolve) => setImmediate(resolve));
    expect(listeningServers()).toBe(serversBefore);
    await local.stop(); // a second stop is harmless
  });
});
