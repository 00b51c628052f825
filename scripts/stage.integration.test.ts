/** `npm run stage` (scripts/stage.ts) as a user runs it: a child process, its printed endpoints, Ctrl-C. */
import { spawn, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const SCRIPT = ["--import", "tsx", "scripts/stage.ts"];

describe("scripts/stage.ts", () => {
  it("starts, prints the endpoints, serves the API and exits 0 on SIGINT", async () => {
    const child = spawn(process.execPath, SCRIPT, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const apiUrl = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
          const match = /API URL:\s+(\S+)/.exec(stdout);
          if (match?.[1] && stdout.includes("CPU scaling:")) resolve(match[1]);
        });
        child.on("exit", (code) => reject(new Error(`stage exited early with ${code}: ${stderr}`)));
      });
      expect(stdout).toMatch(/AWS endpoint:\s+http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/DynamoDB endpoint:\s+http:\/\/127\.0\.0\.1:\d+/);
      expect(stdout).toMatch(/function \/ alias:\s+\S+ \/ live/);
      const res = await fetch(`${apiUrl}/dynamodbmanager`, { method: "POST", body: '{"operation":"ping"}' });
      expect(res.status).toBe(200);
      await res.text();
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(stdout).toContain("stage: stopped");
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  });

  it("refuses a bad flag with one line naming it, exit code 1 (scripts/command.ts)", () => {
    const result = spawnSync(process.execPath, [...SCRIPT, "--memory", "64"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('stage: invalid --memory "64": expected an integer from 128 to 10240 MB\n');
  });
});
