/**
 * `npm run bench` as a user runs it: a child process, a fresh output folder, the quick preset. Checks the
 * exit code, results.json against the schema, the report files and the `latest` link; then that SIGINT
 * in the middle of a sweep stops it cleanly with exit code 1.
 */
import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { escapeMarkdown } from "../reports/render-markdown.ts";
import { verdictOf } from "../reports/verdict.ts";
import { deriveCapacity, hostCores, invocationCap } from "../stage/lambda/capacity.ts";
import { type StartedScript, startScript } from "../test/support/run-script.ts";
import { validateResults } from "../tuning/results/results.ts";

const outDirs: string[] = [];

afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

function bench(args: string[], env: NodeJS.ProcessEnv = process.env): StartedScript {
  return startScript("scripts/bench.ts", args, { env });
}

function freshOutDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-e2e-"));
  outDirs.push(dir);
  return dir;
}

describe("npm run bench", () => {
  it("--quick writes a valid results.json, the HTML report, the summary, the Newman reports and the step summary", async () => {
    const out = freshOutDir();
    // GitHub Actions' job summary file, as the runner sets it (it may already hold an earlier step's text)
    const stepSummary = path.join(out, "step-summary.md");
    writeFileSync(stepSummary, "earlier step\n");
    const { done } = bench(
      ["--quick", "--memory", "256,1024", "--out", out, "--json", "--auto-apply", "cost"],
      { ...process.env, GITHUB_STEP_SUMMARY: stepSummary },
    );
    const { code, stdout, stderr } = await done;
    expect(code, stderr).toBe(0);
    const printed = JSON.parse(stdout) as {
      resultsPath: string;
      reportPath: string;
      recommendations: unknown[];
    };
    const results = validateResults(JSON.parse(readFileSync(printed.resultsPath, "utf8")));
    expect(results.settings.map((s) => s.id)).toEqual(["x86_64-256", "x86_64-1024"]);
    expect(results.recommendations).toHaveLength(4);
    expect(results.run.stage.name).toBe("local");
    const runDir = path.dirname(printed.resultsPath);
    expect(existsSync(path.join(runDir, "index.html"))).toBe(true);
    expect(readFileSync(path.join(runDir, "summary.md"), "utf8")).toContain("x86_64-256");
    expect(existsSync(path.join(runDir, "newman", "x86_64-256.xml"))).toBe(true);
    expect(readlinkSync(path.join(out, "latest"))).toBe(path.basename(runDir));
    expect(stderr).toContain("[1/2] x86_64-256");
    // Node 22 (the one npm ci installs): the AWS SDK's clients print no warning about the Node version.
    expect(stderr).not.toContain("NodeVersionSupportWarning");
    // --auto-apply leaves the alias on the cost strategy's pick, the one results.json recommends.
    const costPick = results.recommendations.find((r) => r.strategy === "cost")?.settingId;
    expect(stderr).toContain(`auto-apply: alias live now serves ${costPick}`);
    // $GITHUB_STEP_SUMMARY: the run's summary.md appended, opening with the verdict's headline
    const headline = verdictOf(results)?.headline ?? "";
    // (on a busy host a setting may fail, and the verdict then speaks of the one that ran)
    expect(headline).toMatch(/^(Memory moves this API's bill by |One setting ran )/);
    const summary = readFileSync(stepSummary, "utf8");
    expect(summary.startsWith("earlier step\n")).toBe(true);
    expect(summary).toContain(`**${escapeMarkdown(headline)}**`);
    expect(summary).toContain(readFileSync(path.join(runDir, "summary.md"), "utf8").trimEnd());
    // The bench sets the host's capacity (--capacity auto): each setting says how many invocations it was
    // allowed at once, by the formula of stage/lambda/capacity.ts, in results.json and the report's run panel.
    if (results.run.cpuScaling.mode !== "none") {
      const { environmentCores } = deriveCapacity(hostCores());
      for (const s of results.settings) {
        expect(s.hostContention?.capacity?.invocationCap, s.id).toBe(
          invocationCap(s.memoryMb, environmentCores),
        );
        expect(s.hostContention?.capacity?.environmentCores).toBe(environmentCores);
        expect(s.hostContention?.capacity?.reason).toMatch(/^at most \d+ invocations? at once/);
      }
      expect(readFileSync(path.join(runDir, "index.html"), "utf8")).toContain("invocations at once");
    }
    // a clean run: CloudWatch's count of each window agrees with the invocations logged in it
    const crossChecked = results.settings.filter((s) => s.lambda?.cloudwatch);
    expect(crossChecked.length).toBeGreaterThan(0);
    for (const s of crossChecked)
      expect(s.lambda?.cloudwatch?.agrees, JSON.stringify([s.id, s.lambda?.cloudwatch?.invocations])).toBe(
        true,
      );
  }, 180_000); // ~35 s alone; the machine is shared, so leave room

  it("bad flags: one line naming the flag and what it expects (no usage dump), exit code 1", async () => {
    const { code, stderr } = await bench(["--memory", "64"]).done;
    expect(code).toBe(1);
    expect(stderr).toBe(
      'bench: invalid --memory "64": expected an integer from 128 to 10240 MB (Lambda\'s memory range)\n',
    );
    const profile = await bench(["--profile", "smokey"]).done;
    expect(profile.code).toBe(1);
    expect(profile.stderr).toContain('unknown profile "smokey": expected one of smoke, baseline');
  });

  it("--help lists every flag with its default; --dry-run changes nothing", async () => {
    const help = await bench(["--help"]).done;
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--memory <list>");
    const dry = await bench(["--dry-run", "--memory", "128,256"]).done;
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("lambda:UpdateFunctionConfiguration");
    expect(dry.stdout).toMatch(/estimated AWS cost of the run itself: \$\d/);
    expect(dry.stdout).toMatch(/estimated wall time: about /);
  });

  it("SIGINT in the middle of a sweep restores, writes partial results marked as such, leaves latest, exits 1", async () => {
    const out = freshOutDir();
    const { child, done } = bench([
      "--memory",
      "256,512,1024",
      "--duration",
      "20",
      "--warmup",
      "0",
      "--no-gate",
      "--out",
      out,
    ]);
    // Interrupt once the first setting's measured load is running.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the sweep never reached its load phase")), 60_000);
      child.stderr?.on("data", (d: Buffer) => {
        if (d.toString().includes("load")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill("SIGINT");
    const { code, stderr } = await done;
    expect(code).toBe(1);
    expect(stderr).toContain("restoring the function's original configuration");
    expect(stderr).toContain("interrupted; the function was restored");
    expect(stderr).toMatch(/Partial run: interrupted by SIGINT during x86_64-256\. 0 of 3 settings ran/);
    // `latest` moves only for complete runs; the partial run's folder holds its results, marked
    expect(existsSync(path.join(out, "latest"))).toBe(false);
    const runDir = /partial results written to (\S+) \(latest not moved\)/.exec(stderr)?.[1] ?? "";
    const results = validateResults(JSON.parse(readFileSync(path.join(runDir, "results.json"), "utf8")));
    expect(results.run.partial).toMatchObject({ reason: "interrupted", settingsPlanned: 3, settingsRun: 0 });
    expect(results.run.partial?.notRun).toEqual(["x86_64-256", "x86_64-512", "x86_64-1024"]);
    expect(readFileSync(path.join(runDir, "summary.md"), "utf8")).toContain(
      "> **Partial run: interrupted by SIGINT",
    );
    expect(readFileSync(path.join(runDir, "index.html"), "utf8")).toContain('class="banner partial"');
  });
});
