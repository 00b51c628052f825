/**
 * The Newman gate in its own process (postman/gate-process.ts), as the bench runs it on a pinned local stage:
 * the same outcome as in this process, on the CPUs it was given, a broken expectation still fails the gate,
 * a process that dies fails the run in flight with one line, and close() leaves nothing running.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedCpus, parseCpuList } from "../stage/lambda/capacity.ts";
import { type LocalStage, startStage } from "../stage/stage.ts";
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
