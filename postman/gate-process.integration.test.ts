/**
 * The Newman gate in processes of its own (postman/gate-process.ts, gate-pool.ts), as the bench runs it on a
 * pinned local stage: the same outcome as in this process, on the CPUs it was given, each independent folder in a
 * process of its own with one merged JUnit report, a collection without the declaration as one run in one
 * process, a broken expectation still fails the gate and names the request, a process that dies fails the run
 * in flight with one line and the next run starts a new one, and no gate process outlives its parent, however
 * the parent ends.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedCpus, parseCpuList } from "../stage/lambda/capacity.ts";
import { type LocalStage, startStage } from "../stage/stage.ts";
import { waitFor } from "../test/support/wait.ts";
import { CONCURRENT_FOLDERS_VARIABLE } from "./concurrent-folders.ts";
import { poolSizeFor, startGatePool } from "./gate-pool.ts";
import { startGateProcess } from "./gate-process.ts";
import { newmanGate } from "./newman-gate.ts";
import { readCollection, runCollection } from "./run-collection.ts";

let local: LocalStage;
const out = mkdtempSync(join(tmpdir(), "powerbench-gate-process-"));
beforeAll(async () => {
  local = await startStage();
}, 120_000);
afterAll(async () => {
  await local?.stop();
  rmSync(out, { recursive: true, force: true });
});

/** The process's CPU list as the kernel has it (the main thread's). */
const cpusOf = (pid: number) =>
  parseCpuList(/^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? "");

/** CPU clock ticks a process has used (user + system), from /proc. */
const cpuTicksOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
};

/** A process that still runs (a zombie waiting for its parent to reap it has ended). */
const running = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
};

const childPids = () =>
  readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);

describe("the Newman gate in a process of its own", () => {
  it("gives the outcome the gate gives in this process, runs on the CPUs it was given, and stops", async () => {
    const lastCpu = allowedCpus()?.at(-1);
    const gate = newmanGate({
      apiUrl: local.stage.apiUrl,
      tableName: local.stage.tableName,
      reportDir: out,
      onWarning: (message) => {
        throw new Error(message);
      },
      ...(lastCpu !== undefined ? { cpus: String(lastCpu) } : {}),
    });
    try {
      const inChild = await gate({ settingId: "child" });
      const inProcess = await runCollection({
        baseUrl: local.stage.apiUrl,
        envVars: { tableName: local.stage.tableName },
      });
      expect(inChild.passed, JSON.stringify(inChild.failures)).toBe(true);
      expect(inChild.assertions).toBe(inProcess.assertions);
      expect(readFileSync(join(out, "child.xml"), "utf8")).toContain("<testsuites");
    } finally {
      await gate.close();
    }
    // Where it runs, and that close() ends it.
    const own = startGateProcess(lastCpu !== undefined ? { cpus: String(lastCpu) } : {});
    const pid = own.pid as number;
    try {
      expect(childPids()).toContain(pid);
      await own.run({ baseUrl: local.stage.apiUrl, envVars: { tableName: local.stage.tableName } }, () => {});
      if (lastCpu !== undefined) expect(cpusOf(pid)).toEqual([lastCpu]);
    } finally {
      await own.close();
    }
    expect(childPids()).not.toContain(pid);
    expect(own.pid).toBeUndefined();
  }, 120_000);

  it("fails the gate on a broken expectation, and a process that dies fails its run in one line", async () => {
    const collection = readCollection();
    const text = JSON.stringify(collection).replace(
      "pm.response.to.have.status(200)",
      "pm.response.to.have.status(418)",
    );
    const gateProcess = startGateProcess();
    try {
      const broken = await gateProcess.run(
        {
          baseUrl: local.stage.apiUrl,
          envVars: { tableName: local.stage.tableName },
          collection: JSON.parse(text),
        },
        () => {},
      );
      expect(broken.passed).toBe(false);
      expect(broken.failedAssertions).toBeGreaterThan(0);

      const run = gateProcess.run(
        { baseUrl: local.stage.apiUrl, envVars: { tableName: local.stage.tableName } },
        () => {},
      );
      const pid = gateProcess.pid;
      expect(pid).toBeDefined();
      process.kill(pid as number, "SIGKILL");
      await expect(run).rejects.toThrow(
        /^the Newman gate's process exited \(SIGKILL\) before the collection ran to its end; run `npm run newman/,
      );
      // The next run starts a new process.
      const again = await gateProcess.run(
        { baseUrl: local.stage.apiUrl, envVars: { tableName: local.stage.tableName } },
        () => {},
      );
      expect(again.passed).toBe(true);
    } finally {
      await gateProcess.close();
    }
  }, 180_000);
});

describe("the Newman gate in a process per folder", () => {
  const every = (allowedCpus() ?? []).join(",");
  const api = () => ({ baseUrl: local.stage.apiUrl, envVars: { tableName: local.stage.tableName } });

  it("runs each independent folder in a process of its own on every CPU: the same outcome, one JUnit report", async () => {
    const inProcessReport = join(out, "in-process.xml");
    const inProcess = await runCollection({ ...api(), junitPath: inProcessReport });
    const gate = newmanGate({
      apiUrl: local.stage.apiUrl,
      tableName: local.stage.tableName,
      reportDir: out,
      onWarning: (message) => {
        throw new Error(message);
      },
      ...(every ? { cpus: every } : {}),
    });
    const pids = gate.pids as number[];
    try {
      expect(pids).toHaveLength(readCollection().item.length);
      expect(new Set(pids).size).toBe(pids.length);
      for (const pid of pids) expect(childPids()).toContain(pid);
      const ticksBefore = pids.map(cpuTicksOf);
      const outcome = await gate({ settingId: "per-folder" });
      expect(outcome.passed, JSON.stringify(outcome.failures)).toBe(true);
      expect(outcome.assertions).toBe(inProcess.assertions);
      expect(outcome.assertions).toBe(363);
      // Every folder's process did its folder's share of the work.
      for (const [i, pid] of pids.entries())
        expect(cpuTicksOf(pid)).toBeGreaterThan(ticksBefore[i] as number);
      if (every) for (const pid of pids) expect(cpusOf(pid)).toEqual(parseCpuList(every));
      // One report, as in this process: the same suites, the same test count.
      const report = readFileSync(join(out, "per-folder.xml"), "utf8");
      const expected = readFileSync(inProcessReport, "utf8");
      const suites = (xml: string) => [...xml.matchAll(/<testsuite name="([^"]*)"/g)].map((m) => m[1]);
      const tests = (xml: string) => /<testsuites[^>]*\btests="(\d+)"/.exec(xml)?.[1];
      expect(report.match(/<testsuites\b/g)).toHaveLength(1);
      expect(suites(report)).toEqual(suites(expected));
      expect(tests(report)).toBe(tests(expected));
    } finally {
      await gate.close();
    }
    for (const pid of pids) expect(running(pid)).toBe(false);
    // The one-process design stays one switch away.
    const single = newmanGate({
      apiUrl: local.stage.apiUrl,
      tableName: local.stage.tableName,
      reportDir: out,
      onWarning: () => {},
      cpus: every || "0",
      processPerFolder: false,
    });
    expect(single.pids).toHaveLength(1);
    await single.close();
  }, 180_000);

  it("fails the gate on a broken expectation in one folder and names the request", async () => {
    const collection = readCollection() as { item: Array<{ name: string }> };
    const commandApi = collection.item.findIndex((f) => f.name === "Command API");
    const broken = JSON.parse(
      JSON.stringify(collection.item[commandApi]).replace(
        "pm.response.to.have.status(200)",
        "pm.response.to.have.status(418)",
      ),
    );
    collection.item[commandApi] = broken;
    const pool = startGatePool({ processes: 3 });
    try {
      const outcome = await pool.run({ ...api(), collection: collection as never }, () => {});
      expect(outcome.passed).toBe(false);
      expect(outcome.assertions).toBe(363);
      expect(outcome.failedAssertions).toBe(1);
      expect(outcome.failures).toEqual([expect.stringMatching(/^ping: .*418/)]);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it("a merged report that cannot be written warns once and keeps the verdict", async () => {
    const file = join(out, "a-file");
    writeFileSync(file, "not a folder");
    const warnings: string[] = [];
    const pool = startGatePool({ processes: 3 });
    try {
      const outcome = await pool.run({ ...api(), junitPath: join(file, "report.xml") }, (message) =>
        warnings.push(message),
      );
      expect(outcome.passed, JSON.stringify(outcome.failures)).toBe(true);
      expect(outcome.assertions).toBe(363);
      expect(warnings).toEqual([
        expect.stringMatching(/could not be written \(E[A-Z]+: .*363 of 363 assertions passed$/),
      ]);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it("a folder's process that dies fails the run in one line, and the next run starts a new one", async () => {
    const pool = startGatePool({ processes: 3 });
    try {
      const run = pool.run(api(), () => {});
      const victim = pool.pids[1] as number;
      process.kill(victim, "SIGKILL");
      await expect(run).rejects.toThrow(
        /^the Newman gate's process exited \(SIGKILL\) before the collection ran to its end; run `npm run newman[^\n]*$/,
      );
      const again = await pool.run(api(), () => {});
      expect(again.passed, JSON.stringify(again.failures)).toBe(true);
      expect(again.assertions).toBe(363);
      expect(pool.pids[1]).toBeDefined();
      expect(pool.pids[1]).not.toBe(victim);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it("runs a collection without the declaration as one run in one process", async () => {
    const collection = readCollection() as { variable?: Array<{ key: string }> };
    collection.variable = (collection.variable ?? []).filter((v) => v.key !== CONCURRENT_FOLDERS_VARIABLE);
    const file = join(out, "sequential.postman_collection.json");
    writeFileSync(file, JSON.stringify(collection));
    expect(poolSizeFor(file)).toBe(1);
    expect(poolSizeFor()).toBe(3);
    // Even given more processes, the undeclared collection stays in the first.
    const pool = startGatePool({ processes: 3 });
    try {
      await pool.run(api(), () => {}); // every process loaded and warm
      const pids = pool.pids as number[];
      const before = pids.map(cpuTicksOf);
      const outcome = await pool.run({ ...api(), collection: file }, () => {});
      const used = pids.map((pid, i) => cpuTicksOf(pid) - (before[i] as number));
      expect(outcome.passed, JSON.stringify(outcome.failures)).toBe(true);
      expect(outcome.assertions).toBe(363);
      // The first did the whole run (about a second of CPU); the others idled (a tick or two of timers at most).
      expect(used[0]).toBeGreaterThan(20);
      expect(used[1]).toBeLessThanOrEqual(3);
      expect(used[2]).toBeLessThanOrEqual(3);
    } finally {
      await pool.close();
    }
  }, 180_000);

  it.each(["exit", "throw", "wait"] as const)(
    "leaves no gate process behind when its parent ends (%s) with a run in flight",
    async (mode) => {
      // An API that takes every request and never answers: the runs stay in flight until their parent ends, so a
      // child still running afterwards is one that outlived it (Newman's timeouts are 10 s per request).
      const hanging = createServer(() => {});
      await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
      const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/prod`;
      const holder = spawn(
        process.execPath,
        [
          "--import",
          "tsx",
          "postman/test-support/gate-holder.ts",
          hangingUrl,
          local.stage.tableName,
          mode,
          join(out, `holder-${mode}`),
        ],
        { cwd: join(import.meta.dirname, ".."), stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      holder.stdout.on("data", (d) => {
        stdout += d;
      });
      holder.stderr.resume();
      const exited = new Promise<void>((resolve) => holder.once("exit", () => resolve()));
      const line = await waitFor(
        () => stdout.split("\n").find((l) => l.startsWith("{")),
        "the holder's pids",
        {
          timeoutMs: 60_000,
        },
      );
      const pids = (JSON.parse(line) as { pids: number[] }).pids;
      expect(pids).toHaveLength(3);
      if (mode === "wait") {
        for (const pid of pids) expect(running(pid)).toBe(true);
        holder.kill("SIGKILL");
      }
      await exited;
      try {
        await waitFor(
          () => (pids.every((pid) => !running(pid)) ? true : undefined),
          "the gate's processes to end with their parent",
          { timeoutMs: 5_000 },
        );
      } finally {
        for (const pid of pids) if (running(pid)) process.kill(pid, "SIGKILL");
        hanging.closeAllConnections();
        hanging.close();
      }
    },
    90_000,
  );
});
