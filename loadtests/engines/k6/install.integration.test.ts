/**
 * Getting k6: what `npm run k6:install` does without Go, with the pinned binary already there, and where the
 * harness looks for k6. The real build (go install, else go get + go build) runs in .ci/run; it takes minutes
 * cold, so not here.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EngineUnavailableError } from "../../errors.ts";
import { realK6 } from "../../test-support/real-k6.ts";
import { createK6Engine, findK6Binary } from "./engine.ts";
import { installK6, K6_PINNED_VERSION, k6BinaryVersion } from "./install.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-install-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An executable file (a shell script) at `file`. */
function executable(file: string, text = "#!/bin/sh\nexit 0\n"): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, 0o755);
  return file;
}

describe("k6:install", () => {
  it("without Go on PATH it says so, and how to get k6 otherwise", async () => {
    const run = installK6({ binDir: path.join(dir, "no-go"), env: { PATH: path.join(dir, "empty") } });
    await expect(run).rejects.toThrow(EngineUnavailableError);
    await expect(run).rejects.toThrow(
      /cannot build k6: no `go` on PATH .* Install Go .* and run `npm run k6:install` again, or install k6 from its own packages \(https:\/\/grafana\.com\/docs\/k6\/.*\) and put it on PATH or set K6_BINARY/,
    );
  });

  it("a binary of another version in the tools folder is rebuilt, not accepted (here: no Go, so it fails)", async () => {
    const binDir = path.join(dir, "old");
    executable(path.join(binDir, "k6"), '#!/bin/sh\necho "k6 v1.0.0 (go1.24, linux/amd64)"\n');
    await expect(installK6({ binDir, env: { PATH: path.join(dir, "empty") } })).rejects.toThrow(
      /no `go` on PATH/,
    );
  });

  const k6 = realK6("loadtests/engines/k6/install.integration.test.ts");
  it.skipIf(!k6)(
    `the pinned ${K6_PINNED_VERSION} already in the tools folder is kept: no Go needed`,
    async () => {
      const binDir = path.join(dir, "present");
      mkdirSync(binDir);
      symlinkSync(k6 as string, path.join(binDir, "k6"));
      expect(await k6BinaryVersion(k6 as string)).toBe(K6_PINNED_VERSION);
      const result = await installK6({ binDir, env: { PATH: path.join(dir, "empty") } });
      expect(result).toMatchObject({
        binary: path.join(binDir, "k6"),
        version: K6_PINNED_VERSION,
        method: "present",
      });
    },
  );
});

describe("where the harness finds k6", () => {
  const tools = path.join(dir, "tools");
  const onPath = path.join(dir, "path-bin");
  const explicit = executable(path.join(dir, "explicit", "k6"));
  executable(path.join(onPath, "k6"));

  it("K6_BINARY first, then the tools folder, then PATH", () => {
    expect(findK6Binary({ PATH: onPath }, tools)).toBe(path.join(onPath, "k6"));
    executable(path.join(tools, "k6"));
    expect(findK6Binary({ PATH: onPath }, tools)).toBe(path.join(tools, "k6"));
    expect(findK6Binary({ PATH: onPath, K6_BINARY: explicit }, tools)).toBe(explicit);
    expect(findK6Binary({ PATH: "" }, path.join(dir, "none"))).toBeUndefined();
  });

  it("without any k6 the k6 engine names every place it looked and the ways to get k6", () => {
    expect(() => createK6Engine({ env: { PATH: "" }, toolsBinDir: path.join(dir, "none") })).toThrow(
      /no k6 binary: looked for K6_BINARY, .*none\/k6 and `k6` on PATH; build it with `npm run k6:install` \(needs Go\), install it from k6's packages/,
    );
  });
});
