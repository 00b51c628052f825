/**
 * The collection against the real local stage (startStage: API Gateway front, Lambda emulator, dynalite),
 * through Newman's library API and through the newman CLI, and a broken expectation that must fail the gate.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStage, startStage } from "../stage/stage.ts";
import { ReportWriteError } from "./errors.ts";
import { COLLECTION_PATH, LOCAL_ENVIRONMENT_PATH, readCollection, runCollection } from "./run-collection.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));
const NEWMAN_BIN = join(PROJECT_ROOT, "node_modules", ".bin", "newman");

interface ScriptedItem {
  name: string;
  item?: ScriptedItem[];
  event?: { listen: string; script: { exec: string[] } }[];
}

/** A copy of the collection where "Read item" expects 418 instead of 200. */
function collectionWithBrokenExpectation(): ReturnType<typeof readCollection> {
  const collection = readCollection();
  const folders = collection.item as ScriptedItem[];
  const readItem = folders.flatMap((folder) => folder.item ?? []).find((item) => item.name === "Read item");
  const test = readItem?.event?.find((event) => event.listen === "test");
  if (!test) throw new Error('the collection has no "Read item" request with a test script');
  const before = test.script.exec.join("\n");
  test.script.exec = test.script.exec.map((line) =>
    line.replace("pm.response.to.have.status(200)", "pm.response.to.have.status(418)"),
  );
  if (test.script.exec.join("\n") === before) throw new Error('"Read item" no longer checks for status 200');
  return collection;
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("the collection against the local stage", () => {
  let local: LocalStage | undefined;
  let apiUrl = "";
  let tableName = "";
  const outDir = mkdtempSync(join(tmpdir(), "powerbench-newman-"));

  beforeAll(async () => {
    local = await startStage();
    apiUrl = local.stage.apiUrl;
    tableName = local.stage.tableName;
  }, 120_000);

  afterAll(async () => {
    await local?.stop();
    rmSync(outDir, { recursive: true, force: true });
  });

  it("passes every assertion, and writes a JUnit report", async () => {
    // Prepare
    const junitPath = join(outDir, "junit.xml");
    // Act
    const gate = await runCollection({ baseUrl: apiUrl, envVars: { tableName }, junitPath });
    // Assess
    expect(gate.failures).toEqual([]);
    expect(gate.passed).toBe(true);
    expect(gate.failedAssertions).toBe(0);
    expect(gate.assertions).toBeGreaterThan(300);
    expect(gate.meanResponseMs).toBeGreaterThan(0);
    const junit = readFileSync(junitPath, "utf8");
    expect(junit).toMatch(/^<\?xml/);
    expect(junit).toContain('<testsuites name="powerbench CRUD API"');
    expect(junit).not.toContain("<failure");
  });

  it("a JUnit report that cannot be written does not fail the gate: the API was fine (issue 20, Found 6)", async () => {
    const file = join(outDir, "a-file");
    writeFileSync(file, "");
    const junitPath = join(file, "newman", "x86_64-128.xml");
    const messages: string[] = [];
    const gate = await runCollection({
      baseUrl: apiUrl,
      envVars: { tableName },
      folders: ["Command API"],
      junitPath,
      onReportError: (message) => messages.push(message),
    });
    expect(gate.failures).toEqual([]);
    expect(gate.passed).toBe(true);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(
      /could not be written \(ENOTDIR: mkdir .*a-file\/newman\); the API was checked/,
    );
    await expect(
      runCollection({ baseUrl: apiUrl, envVars: { tableName }, folders: ["Command API"], junitPath }),
    ).rejects.toThrow(ReportWriteError);
  });

  it("fails the gate when one expectation is broken, naming the request and assertion", async () => {
    const gate = await runCollection({
      baseUrl: apiUrl,
      envVars: { tableName },
      collection: collectionWithBrokenExpectation(),
      folders: ["REST CRUD lifecycle"],
    });
    expect(gate.passed).toBe(false);
    expect(gate.failedAssertions).toBe(1);
    expect(gate.failures).toHaveLength(1);
    expect(gate.failures[0]).toMatch(
      /^Read item: status is 200: expected response to have status code 418 but got 200/,
    );
  });

  it("runs the folders at once as the collection declares: the same outcome and JUnit suites as one after the other", async () => {
    // Prepare
    const atOnceXml = join(outDir, "at-once", "x86_64-128.xml");
    const sequentialXml = join(outDir, "sequential.xml");
    // Act
    const atOnce = await runCollection({ baseUrl: apiUrl, envVars: { tableName }, junitPath: atOnceXml });
    const sequential = await runCollection({
      baseUrl: apiUrl,
      envVars: { tableName },
      junitPath: sequentialXml,
      concurrentFolders: false,
    });
    // Assess: every assertion made, and passed, either way; one report with every request's suite.
    expect(atOnce.failures).toEqual([]);
    expect(atOnce.passed).toBe(true);
    expect(atOnce.assertions).toBe(sequential.assertions);
    expect(atOnce.failedAssertions).toBe(0);
    expect(atOnce.meanResponseMs).toBeGreaterThan(0);
    const suites = (xml: string) => [...xml.matchAll(/<testsuite name="([^"]*)"/g)].map((m) => m[1]).sort();
    const testsOf = (xml: string) => /<testsuites [^>]*tests="(\d+)"/.exec(xml)?.[1];
    const merged = readFileSync(atOnceXml, "utf8");
    const single = readFileSync(sequentialXml, "utf8");
    expect(merged.match(/<testsuites /g)).toHaveLength(1);
    expect(suites(merged)).toEqual(suites(single));
    expect(suites(merged).length).toBeGreaterThanOrEqual(55);
    expect(testsOf(merged)).toBe(testsOf(single));
    expect(merged.match(/<testcase /g)?.length).toBe(single.match(/<testcase /g)?.length);
  });

  it("fails the gate when one folder's expectation is broken and the folders run at once", async () => {
    const gate = await runCollection({
      baseUrl: apiUrl,
      envVars: { tableName },
      collection: collectionWithBrokenExpectation(),
      junitPath: join(outDir, "broken.xml"),
    });
    expect(gate.passed).toBe(false);
    expect(gate.failedAssertions).toBe(1);
    expect(gate.assertions).toBeGreaterThan(300);
    expect(gate.failures).toEqual([
      expect.stringMatching(
        /^Read item: status is 200: expected response to have status code 418 but got 200/,
      ),
    ]);
    expect(readFileSync(join(outDir, "broken.xml"), "utf8").match(/<failure /g)).toHaveLength(1);
  });

  it("a merged JUnit report that cannot be written does not fail the gate either", async () => {
    const file = join(outDir, "another-file");
    writeFileSync(file, "");
    const messages: string[] = [];
    const gate = await runCollection({
      baseUrl: apiUrl,
      envVars: { tableName },
      junitPath: join(file, "newman", "x86_64-128.xml"),
      onReportError: (message) => messages.push(message),
    });
    expect(gate.passed).toBe(true);
    expect(messages).toEqual([
      expect.stringMatching(/could not be written \(ENOTDIR: mkdir .*another-file.*\); the API was checked/),
    ]);
  });

  it("fails the gate, without throwing, when the API cannot be reached", async () => {
    const port = await closedPort();
    const gate = await runCollection({ baseUrl: `http://127.0.0.1:${port}/prod`, folders: ["Command API"] });
    expect(gate.passed).toBe(false);
    expect(gate.failures[0]).toMatch(/^ping: request: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
  });

  it("runs with the documented newman CLI command (exit 0), and exits 1 on a broken expectation", async () => {
    const run = (collectionPath: string) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(
          NEWMAN_BIN,
          [
            "run",
            collectionPath,
            "-e",
            LOCAL_ENVIRONMENT_PATH,
            "--env-var",
            `baseUrl=${apiUrl}`,
            "--env-var",
            `tableName=${tableName}`,
            "--color",
            "off",
          ],
          { cwd: PROJECT_ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
          (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        );
      });
    const passing = await run(COLLECTION_PATH);
    expect(passing.stdout).toMatch(/│\s+assertions\s+│\s+\d+\s+│\s+0\s+│/);
    expect(passing.code).toBe(0);

    const brokenPath = join(outDir, "broken.postman_collection.json");
    writeFileSync(brokenPath, JSON.stringify(collectionWithBrokenExpectation()));
    const failing = await run(brokenPath);
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain("expected response to have status code 418 but got 200");
  });
});
