/**
 * Every command as a user runs it (a child process): a mistyped flag is one line on stderr with the flag it
 * resembles and exit 1 (bad flags used to exit 2 in loadtest, stage and k6-operator, 1 in bench and report,
 * with the whole usage after a class name); --help prints the usage and the exit codes and exits 0.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..");

function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", path.join("scripts", `${script}.ts`), ...args],
      {
        cwd: ROOT,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
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

  it("bench --rate -5 names the flag and what it expects (it printed Node's 'ambiguous' text)", async () => {
    const { code, stderr } = await run("bench", ["--rate", "-5"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^bench: invalid --rate "-5": expected .+\n$/);
  });
});
