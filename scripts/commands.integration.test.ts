/**
 * Every command as a user runs it (a child process): a mistyped flag is one line on stderr with the flag it
 * resembles and exit 1 (bad flags used to exit 2 in loadtest, stage and k6-operator, 1 in bench and report,
 * with the whole usage after a class name); --help prints the usage and the exit codes and exits 0.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runScript, type ScriptRun } from "../test/support/run-script.ts";

const ROOT = path.resolve(import.meta.dirname, "..");

function run(script: string, args: string[]): Promise<ScriptRun> {
  // k6:install is scripts/k6-install.ts
  return runScript(path.join("scripts", `${script.replace(":", "-")}.ts`), args);
}

// [command, a mistyped flag, the flag it resembles]
const TYPOS = [
  ["bench", "--memroy", "--memory"],
  ["report", "--baseline-file", "--baseline"],
  ["loadtest", "--targte", "--target"],
  ["stage", "--prot", "--port"],
  ["k6-operator", "--paralelism", "--parallelism"],
  ["newman", "--junti", "--junit"],
  ["fuzz", "--run", "--runs"],
  ["soak", "--duration", "--duration-s"],
  ["perf", "--filter", undefined],
  ["k6:install", "--forse", "--force"],
  ["calibrate", "--cold-start", "--cold-starts"],
  ["soak-signals", "--run", "--runs"],
  ["prices", "--refersh", "--refresh"],
] as const;

describe("every command's command line", () => {
  it.each(TYPOS)("%s %s: one line, did you mean, exit 1", async (command, typo, meant) => {
    const { code, stdout, stderr } = await run(command, [typo, "1"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n").filter(Boolean)).toHaveLength(1);
    expect(stderr).toMatch(new RegExp(`^${command}: unknown flag ${typo}`));
    if (meant) expect(stderr).toContain(`did you mean ${meant}?`);
    expect(stderr).not.toMatch(/Error:|Usage:/);
  });

  it.each(TYPOS.map(([command]) => command))(
    "%s --help: the usage and the exit codes, exit 0",
    async (command) => {
      const { code, stdout, stderr } = await run(command, ["--help"]);
      expect(code).toBe(0);
      expect(stderr).toBe("");
      expect(stdout).toMatch(new RegExp(`^Usage: npm run ${command} -- `));
      expect(stdout).toMatch(/Exit codes: 0 ok; 1 error/);
    },
  );

  // [command, flag, a bad value]: one line naming the flag and what it expects, before anything starts
  // (calibrate and soak-signals printed Node's "ambiguous" text for a negative number)
  it.each([
    ["bench", "--rate", "-5"],
    ["calibrate", "--warm", "-5"],
    ["calibrate", "--cold-starts", "51"],
    ["soak-signals", "--runs", "-5"],
    ["soak-signals", "--seed", "x"],
    // one seed bound for bench, soak and fuzz: 0 to 2^32 - 1 (loadtests/seed.ts)
    ["soak", "--seed", "4294967296"],
    ["fuzz", "--seed", "-1"],
  ] as const)("%s %s %s names the flag and what it expects, exit 1", async (command, flag, value) => {
    const { code, stdout, stderr } = await run(command, [flag, value]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`^${command}: invalid ${flag} "${value}": expected .+\\n$`));
  });

  it("k6:install --force=yes: a switch takes no value, exit 1", async () => {
    const { code, stderr } = await run("k6:install", ["--force=yes"]);
    expect(code).toBe(1);
    expect(stderr).toBe("k6:install: --force is a switch and takes no value: write --force alone\n");
  });
});

describe("the Node the commands run on", () => {
  it("vitest runs on the Node 22 npm ci installs (the system node may be older)", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(22);
  });

  it("npm run bench builds the AWS SDK clients on Node 22: no NodeVersionSupportWarning, one error line", async () => {
    // The AWS path against a closed port on 127.0.0.1: the SDK client is built (which is when it warns on
    // Node < 22), its first call is refused, and the bench ends with one line.
    const work = mkdtempSync(path.join(os.tmpdir(), "powerbench-node-"));
    try {
      const config = path.join(work, "bench.json");
      const aws = {
        region: "us-east-1",
        apiUrl: "http://127.0.0.1:9",
        function: "f",
        tableName: "t",
        apiName: "a",
      };
      writeFileSync(config, JSON.stringify({ stage: "aws", ...aws, memory: [128], duration: 1, warmup: 0 }));
      const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _hidden, ...env } = process.env;
      const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          "npm",
          ["run", "--silent", "bench", "--", "--config", config, "--out", path.join(work, "out")],
          {
            cwd: ROOT,
            env: {
              ...env,
              AWS_ENDPOINT_URL: "http://127.0.0.1:9",
              AWS_ACCESS_KEY_ID: "x",
              AWS_SECRET_ACCESS_KEY: "x",
              AWS_SESSION_TOKEN: "",
              AWS_PROFILE: "",
              AWS_REGION: "us-east-1",
              POWERBENCH_JOURNAL_DIR: path.join(work, "journals"),
            },
            stdio: ["ignore", "ignore", "pipe"],
          },
        );
        let stderr = "";
        child.stderr.on("data", (d) => {
          stderr += d;
        });
        child.on("exit", (code) => resolve({ code, stderr }));
      });
      expect(stderr).not.toContain("NodeVersionSupportWarning");
      // The function is checked before the run (read-only): the endpoint that does not answer is named.
      expect(stderr).toBe(
        "bench: could not reach the AWS endpoint http://127.0.0.1:9 (ECONNREFUSED): check the network, or pass --endpoint-url (AWS_ENDPOINT_URL) if the stack is served elsewhere\n",
      );
      expect(code).toBe(1);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
