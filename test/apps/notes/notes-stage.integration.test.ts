/**
 * The parts under the notes app's end-to-end runs, on the real local stage deployed from its template: the
 * template read as a user's (composite key, own stage, alias, environment), the snapshot table state (any key
 * schema: the table back to its seeded state after a setting, and to its state before the run at the end),
 * the user's k6 script without request ids (window attribution, with a warning), and the one-line errors of a
 * bad workload file, k6 script or template before anything starts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runK6Script } from "../../../loadtests/engines/k6/user-script.ts";
import { realK6 } from "../../../loadtests/test-support/real-k6.ts";
import { loadWorkloadFile } from "../../../loadtests/workload/file.ts";
import { buildWorkloadSequence } from "../../../loadtests/workload/plan.ts";
import { type LocalStage, startStage } from "../../../stage/stage.ts";
import { loadServiceTemplate } from "../../../stage/template.ts";
import { SnapshotTableState } from "../../../tuning/adapters/table-state.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const TEMPLATE = fileURLToPath(new URL("./template.yaml", import.meta.url));
const WORKLOAD = fileURLToPath(new URL("./workload.yaml", import.meta.url));
const k6 = realK6("test/apps/notes/notes-stage.integration.test.ts");

let local: LocalStage;
const tmp = mkdtempSync(path.join(os.tmpdir(), "powerbench-notes-stage-"));

beforeAll(async () => {
  local = await startStage({ template: TEMPLATE, cpuScaling: "off" });
}, 60_000);

afterAll(async () => {
  await local?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

async function call(method: string, route: string, body?: unknown): Promise<number> {
  const response = await fetch(`${local.stage.apiUrl}${route}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("the notes app's template, read as a user's", () => {
  it("gives the stage its function, alias, stage name, environment and composite key", () => {
    const template = loadServiceTemplate(TEMPLATE);
    expect(template.tableKeySchema).toEqual([
      { name: "userId", keyType: "HASH", attributeType: "S" },
      { name: "noteId", keyType: "RANGE", attributeType: "S" },
    ]);
    expect(template.function).toMatchObject({ name: "NotesFunction", aliasName: "current", memoryMb: 256 });
    expect(template.function.environment).toEqual({ NOTES_TABLE: "notes-by-user" });
    expect(template.routes.map((r) => `${r.method} ${r.path}`)).toContain(
      "GET /users/{userId}/notes/{noteId}",
    );
    expect(local.stage).toMatchObject({
      apiName: "notes-api",
      apiStageName: "v1",
      tableName: "notes-by-user",
    });
    // `npm run stage -- --template test/apps/notes/template.yaml` parses to this template: scripts/stage.test.ts.
  });
});

describe("the snapshot table state, on a composite-key table", () => {
  it("seeds through the API, puts back what a setting changed, and leaves the table as it found it", async () => {
    // Prepare: an item that was there before the run.
    expect(await call("POST", "/users/before/notes", { noteId: "kept", title: "t", text: "x" })).toBe(201);
    const sequence = buildWorkloadSequence(loadWorkloadFile(WORKLOAD), { seed: 5, count: 10 });
    const state = new SnapshotTableState(
      {
        tableName: local.stage.tableName,
        region: local.stage.region,
        endpoint: local.stage.dynamodbEndpoint as string,
        apiUrl: local.stage.apiUrl,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      },
      sequence.seedRequests,
    );
    await state.prepare();
    const seeded = await state.snapshot();
    expect(seeded.size).toBe(41);

    // Act: what a setting does: creates, replaces and deletes (a seeded one among them).
    const seed = sequence.seedRequests?.[0];
    const seedPath = `${seed?.path}/${seed?.id}`;
    expect(await call("POST", "/users/someone/notes", { noteId: "new", title: "t", text: "x" })).toBe(201);
    expect(await call("PUT", seedPath, { title: "changed", text: "y" })).toBe(200);
    expect(
      await call("DELETE", `${sequence.seedRequests?.[1]?.path}/${sequence.seedRequests?.[1]?.id}`),
    ).toBe(204);
    expect(await call("PUT", "/users/before/notes/kept", { title: "changed too", text: "z" })).toBe(200);
    await state.reset();

    // Assess: exactly the seeded table again, item for item.
    const after = await state.snapshot();
    expect([...after.keys()].sort()).toEqual([...seeded.keys()].sort());
    for (const [key, item] of seeded) expect(after.get(key)).toEqual(item);
    await state.cleanup();
    const at = await new SnapshotTableState({
      tableName: local.stage.tableName,
      region: local.stage.region,
      endpoint: local.stage.dynamodbEndpoint as string,
      apiUrl: local.stage.apiUrl,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }).snapshot();
    expect([...at.values()].map((i) => i["noteId"]?.S)).toEqual(["kept"]);
    expect([...at.values()][0]?.["title"]).toEqual({ S: "t" });
  });
});

describe.skipIf(!k6)("the user's k6 script", () => {
  it("without request ids: attributed by time window, with a warning saying how to get exact attribution", async () => {
    const script = path.join(tmp, "plain.js");
    writeFileSync(
      script,
      [
        'import http from "k6/http";',
        "export const options = { iterations: 6, vus: 2 };",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: k6's JavaScript, written to a file
        "export default function () { http.get(`${__ENV.BASE_URL}/users/${__ENV.SETTING_ID}/notes?limit=5`); }",
      ].join("\n"),
    );
    const warnings: string[] = [];
    const run = await runK6Script({
      binary: k6 as string,
      script,
      target: local.stage.apiUrl,
      seed: 1,
      setting: { id: "x86_64-512", memoryMb: 512, architecture: "x86_64" },
      onWarning: (m) => warnings.push(m),
    });
    expect(run.overall.requests).toBe(6);
    expect(run.overall.statusCounts).toEqual({ "200": 6 });
    expect(run.lambdaRequestIds).toBeUndefined();
    expect(warnings.join("\n")).toContain(
      "plain.js recorded no Lambda request id: this setting is attributed by time window",
    );
  });

  it("a script that fails to start is one error with k6's own words", async () => {
    const script = path.join(tmp, "broken.js");
    writeFileSync(script, 'throw new Error("boom at init");\nexport default function () {}\n');
    await expect(
      runK6Script({ binary: k6 as string, script, target: local.stage.apiUrl, seed: 1 }),
    ).rejects.toThrow(/k6 run .*broken.js exited with code \d+ .*boom at init/s);
  });
});

describe("npm run bench refuses a bad user file before starting anything", () => {
  const bench = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/bench.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
    });

  it.each([
    [
      "a workload file with a bad method",
      "bad.yaml",
      "version: 1\nroutes: [{ name: r, method: FETCH, path: / }]\n",
      ["--workload"],
      /^bench: invalid workload .*bad.yaml: routes\[0\].method: must be one of GET, POST, PUT, PATCH, DELETE; got "FETCH"\n$/,
    ],
    [
      "a k6 script that is not there",
      "unused.txt",
      "",
      ["--k6-script", "nope.ts", "--no-gate", "--template"],
      /^bench: invalid --k6-script: no file at .*nope.ts: expected your k6 script \(.js or .ts\)\n$/,
    ],
    [
      "a template of another API with the bundled workload",
      "unused3.txt",
      "",
      ["--no-gate", "--template"],
      /^bench: invalid --template ".*template.yaml": expected a --workload file or a --k6-script that loads your API/,
    ],
    [
      "a template of another API with the bundled gate",
      "unused2.txt",
      "",
      ["--workload", WORKLOAD, "--template"],
      /^bench: invalid --template ".*template.yaml": expected a --collection for your API's functional gate, or --no-gate \(the bundled collection checks the bundled service\)\n$/,
    ],
  ])("%s", (_name, file, text, flags, expected) => {
    const target = path.join(tmp, file);
    writeFileSync(target, text);
    const args = flags.includes("--template")
      ? [...flags.slice(0, -1), "--template", TEMPLATE]
      : [...flags, target];
    const result = bench(args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(expected);
  });
});

describe("npm run newman with the notes app's own collection", () => {
  const newman = (args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/newman.ts", ...args], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 180_000,
    });

  it("starts the stage from its template, runs its collection with its environment, exits 0", () => {
    const junit = path.join(tmp, "notes-junit.xml");
    const result = newman([
      "--template",
      TEMPLATE,
      "--collection",
      fileURLToPath(new URL("./notes.postman_collection.json", import.meta.url)),
      "--environment",
      fileURLToPath(new URL("./notes.postman_environment.json", import.meta.url)),
      "--junit",
      junit,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/newman: PASSED: 11\/11 assertions passed/);
    expect(result.stdout).toContain("/v1/users/newman-gate/notes");
  }, 180_000);

  it("an environment without its collection is one line naming the flag, exit 1", () => {
    const result = newman(["--environment", "env.json"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      'newman: invalid --environment "env.json": it belongs to a --collection; give that too\n',
    );
  });
});
