/**
 * The restore journal against the real local stage and the real Lambda client (issue 20, "Found" 2: nothing
 * on disk recorded the original configuration, and the next run took the changed function as original):
 * written before the first change, updated per version, refused by the next run while the function is
 * changed, restored by `--restore` (including a version published just before a crash and never recorded),
 * set aside with --force.
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PublishVersionCommand, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFunctionState, stateDifferences } from "../../test/faults/signals/function-state.ts";
import { useStage } from "../../test/support/stage.ts";
import { sleep } from "../../test/support/wait.ts";
import { planSettings } from "../config/plan.ts";
import { FunctionConfigurator, type JournalOptions, UnfinishedRunError, versionTagOf } from "./configure.ts";
import { listJournals, readJournal, restoreCommand } from "./restore-journal.ts";
import { runRestore, splitRestoreFlags } from "./run-restore.ts";

const env = useStage({ cpuScaling: "off" });
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "powerbench-journal-"));
  // `--restore` runs in a fresh process with the user's credentials from the environment, as the run had them.
  process.env["AWS_ACCESS_KEY_ID"] = env.local.stage.credentials?.accessKeyId;
  process.env["AWS_SECRET_ACCESS_KEY"] = env.local.stage.credentials?.secretAccessKey;
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  delete process.env["AWS_ACCESS_KEY_ID"];
  delete process.env["AWS_SECRET_ACCESS_KEY"];
});

const journal = (runId: string, force = false): JournalOptions => ({
  dir,
  runId,
  force,
  target: {
    stage: "aws",
    region: env.local.stage.region,
    awsEndpoint: env.local.stage.awsEndpoint as string,
  },
});

const configurator = (runId: string, force = false) =>
  new FunctionConfigurator(env.clients.lambda, env.local.stage.functionName, env.local.stage.alias, {
    poll: { minDelayS: 0.1, maxDelayS: 0.5 },
    journal: journal(runId, force),
  });

describe("restore journal", () => {
  it("journals before the first change, refuses a second run on the changed function, restores everything", async () => {
    const initial = await readFunctionState(env.clients.lambda, env.local.stage.functionName);
    const crashed = configurator("run-a");
    await crashed.snapshot();
    const file = path.join(dir, "run-a.json");
    // Before any change: on disk, open, with the original configuration.
    expect(readJournal(file)).toMatchObject({
      state: "open",
      original: { memoryMb: initial.configuration.memoryMb, aliasVersion: "1", preexistingVersions: ["1"] },
      createdVersions: [],
    });
    const [s128, s256] = planSettings([128, 256], ["x86_64"]);
    await crashed.apply(s128 as Parameters<typeof crashed.apply>[0]);
    await crashed.apply(s256 as Parameters<typeof crashed.apply>[0]);
    expect(readJournal(file).createdVersions).toEqual(["2", "3"]);
    // A crash between PublishVersion and the journal's update: a tagged version nobody recorded.
    await env.clients.lambda.send(
      new UpdateFunctionConfigurationCommand({ FunctionName: env.local.stage.functionName, MemorySize: 512 }),
    );
    await sleep(300);
    await env.clients.lambda.send(
      new PublishVersionCommand({
        FunctionName: env.local.stage.functionName,
        Description: versionTagOf("run-a"),
      }),
    );
    // The process "dies" here: no restore(). The next run refuses to take this function as original.
    const next = configurator("run-b");
    const refused = await next.snapshot().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(UnfinishedRunError);
    expect((refused as Error).message).toContain(restoreCommand(file));
    expect(listJournals(dir).map((j) => j.file)).toEqual([file]); // run-b wrote nothing

    const restored = await runRestore({ dir });
    expect(restored.exitCode).toBe(0);
    expect(restored.lines.join("\n")).toMatch(/deleted version\(s\) 2, 3, 4/);
    expect(
      stateDifferences(initial, await readFunctionState(env.clients.lambda, env.local.stage.functionName)),
    ).toEqual([]);
    expect(readJournal(file)).toMatchObject({ state: "closed", closedHow: "restored" });
    // Restored: the next run starts, and its own restore closes its journal.
    const third = configurator("run-c");
    await third.snapshot();
    await third.apply(s128 as Parameters<typeof third.apply>[0]);
    await third.restore();
    expect(readJournal(path.join(dir, "run-c.json"))).toMatchObject({
      state: "closed",
      closedHow: "restored",
    });
    expect(
      stateDifferences(initial, await readFunctionState(env.clients.lambda, env.local.stage.functionName)),
    ).toEqual([]);
  }, 60_000);

  it("--force takes the changed function as it is and sets the old journal aside", async () => {
    const crashed = configurator("run-d");
    await crashed.snapshot();
    const [s128] = planSettings([128], ["x86_64"]);
    await crashed.apply(s128 as Parameters<typeof crashed.apply>[0]);
    const forced = configurator("run-e", true);
    const original = await forced.snapshot();
    expect(original.memoryMb).toBe(128);
    expect(readJournal(path.join(dir, "run-d.json"))).toMatchObject({
      state: "closed",
      closedHow: "forced-aside",
    });
    // Clean up as the user would: restore the forced run (back to 128 MB), then put the first original back.
    await forced.restore();
    const first = readJournal(path.join(dir, "run-d.json"));
    const { JournalWriter } = await import("./restore-journal.ts");
    new JournalWriter(path.join(dir, "run-d.json"), { ...first, state: "open" });
    expect((await runRestore({ journal: path.join(dir, "run-d.json"), dir })).exitCode).toBe(0);
  }, 60_000);

  it("--restore with nothing to restore, or a file that is not a journal, says so in one line", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "powerbench-journal-empty-"));
    try {
      expect(await runRestore({ dir: empty })).toEqual({
        exitCode: 0,
        lines: [`restore: nothing to restore: no unfinished run in ${empty}`],
      });
      const bad = await runRestore({ journal: path.join(empty, "missing.json"), dir: empty });
      expect(bad.exitCode).toBe(1);
      expect(bad.lines).toHaveLength(1);
      expect(bad.lines[0]).toMatch(/cannot read restore journal .*missing\.json/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("splits --restore [journal] and --force from the bench's other flags", () => {
    expect(splitRestoreFlags(["--restore"])).toEqual({ restore: {}, force: false, rest: [] });
    expect(splitRestoreFlags(["--restore", "j.json", "--stage", "aws"])).toEqual({
      restore: { journal: "j.json" },
      force: false,
      rest: ["--stage", "aws"],
    });
    expect(splitRestoreFlags(["--restore=x.json"]).restore).toEqual({ journal: "x.json" });
    expect(splitRestoreFlags(["--force", "--memory", "128"])).toEqual({
      force: true,
      rest: ["--memory", "128"],
    });
    expect(restoreCommand("a b/j.json")).toBe("npm run bench -- --restore 'a b/j.json'");
  });
});
