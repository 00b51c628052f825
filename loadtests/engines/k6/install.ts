/**
 * Getting k6: builds the pinned k6 v2 from source with Go into the project's git-ignored tools folder
 * (`.tools/bin/k6`), the first place the harness looks after `K6_BINARY`. k6 is AGPL-3.0: we run it as a
 * separate program and never commit its code or a binary.
 *
 * Two ways, in order: `go install go.k6.io/k6/v2@<version>` with GOBIN at the tools folder (k6's documented
 * source install), and when that fails, `go get` + `go build` in a throw-away module. The second exists
 * because `go install pkg@version` also loads the module's deprecation notice from the proxy's version list,
 * and a proxy that serves the versions but not the list (proxy.golang.org answered 404 for
 * `go.k6.io/k6/v2/@v/list` in December 2026) makes it fail; `go get` inside a module does not need the list.
 * Both reuse Go's module and build caches (GOMODCACHE, GOCACHE), so a rebuild is quick.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EngineUnavailableError } from "../../errors.ts";
import type { Env } from "./process.ts";

/** k6 v2's Go module path. */
export const K6_MODULE = "go.k6.io/k6/v2";
/**
 * The pinned k6 release: the newest v2 whose module zip proxy.golang.org serves (v2.3.0 is listed but its zip
 * answers 403 "This module version is not available", December 2026).
 */
export const K6_PINNED_VERSION = "v2.2.0";
/** The project's tools folder for binaries (git-ignored). */
export const TOOLS_BIN_DIR = fileURLToPath(new URL("../../../.tools/bin", import.meta.url));

/** Where to get k6 without Go. */
export const K6_INSTALL_DOCS = "https://grafana.com/docs/k6/latest/set-up/install-k6/";

/** Whether `file` exists and is executable. */
export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable named `name` in the PATH of `env`, or undefined. */
export function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

interface CommandOutcome {
  code: number | null;
  output: string;
}

/** Runs a command to its end, with its stdout and stderr together (the last 16 KB). */
function runCommand(file: string, args: string[], cwd: string, env: Env): Promise<CommandOutcome> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd,
      env: env as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const add = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-16 * 1024);
    };
    child.stdout.on("data", add);
    child.stderr.on("data", add);
    child.on("error", (error) => resolve({ code: null, output: `${output}${error.message}` }));
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** The version `k6 version` prints (e.g. "v2.2.0"), or undefined when it does not run. */
export async function k6BinaryVersion(binary: string, env: Env = process.env): Promise<string | undefined> {
  const outcome = await runCommand(binary, ["version"], os.tmpdir(), env);
  if (outcome.code !== 0) return undefined;
  return /k6 (v\d+\.\d+\.\d+[\w.+-]*)/.exec(outcome.output)?.[1];
}

export interface InstallK6Options {
  /** Folder the binary goes into. @default TOOLS_BIN_DIR */
  binDir?: string;
  /** @default K6_PINNED_VERSION */
  version?: string;
  /** Environment of `go` (PATH, GOPROXY, GOMODCACHE, GOCACHE...). @default process.env */
  env?: Env;
  /** Rebuild even when the binary there already reports the version. */
  force?: boolean;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

export interface InstallK6Result {
  binary: string;
  version: string;
  /** How it was got: already there, `go install`, or `go get` + `go build` in a throw-away module. */
  method: "present" | "go install" | "go build";
  durationMs: number;
}

/** The message when Go is missing: what is wrong and the two ways out. */
export function goMissingMessage(env: Env): string {
  return (
    `cannot build k6: no \`go\` on PATH (${env["PATH"] || "empty"}). Install Go 1.24 or later (https://go.dev/dl/) ` +
    `and run \`npm run k6:install\` again, or install k6 from its own packages (${K6_INSTALL_DOCS}) and put it ` +
    "on PATH or set K6_BINARY to it"
  );
}

function lastLines(text: string, count: number): string {
  return text.trim().split("\n").slice(-count).join("\n");
}

/**
 * Builds k6 `version` into `binDir` with Go unless a binary there already reports that version, checks it
 * with `k6 version`, and returns where it is. Throws EngineUnavailableError when Go is missing or both ways
 * of building fail (with Go's last lines of output).
 *
 * @example const { binary } = await installK6({ log: console.log }); // → <repo>/.tools/bin/k6
 */
export async function installK6(options: InstallK6Options = {}): Promise<InstallK6Result> {
  const startedMs = Date.now();
  const env = options.env ?? process.env;
  const version = options.version ?? K6_PINNED_VERSION;
  const binDir = path.resolve(options.binDir ?? TOOLS_BIN_DIR);
  const binary = path.join(binDir, "k6");
  const log = options.log ?? (() => {});
  const done = (method: InstallK6Result["method"]): InstallK6Result => ({
    binary,
    version,
    method,
    durationMs: Date.now() - startedMs,
  });

  if (!options.force && isExecutable(binary) && (await k6BinaryVersion(binary, env)) === version) {
    return done("present");
  }
  const go = findOnPath("go", env);
  if (!go) throw new EngineUnavailableError(goMissingMessage(env));
  mkdirSync(binDir, { recursive: true });
  const target = `${K6_MODULE}@${version}`;

  log(`building k6 ${version} with ${go}: go install ${target} (GOBIN=${binDir})`);
  const installed = await runCommand(go, ["install", target], binDir, { ...env, GOBIN: binDir });
  if (installed.code === 0 && (await k6BinaryVersion(binary, env)) === version) return done("go install");

  log(
    `go install failed (${lastLines(installed.output, 1) || `exit ${installed.code}`}); ` +
      "building from a throw-away module with go get + go build instead",
  );
  const moduleDir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-build-"));
  try {
    const steps: Array<[string, string[]]> = [
      ["go mod init", ["mod", "init", "powerbench.local/k6build"]],
      ["go get", ["get", target]],
      ["go build", ["build", "-o", binary, K6_MODULE]],
    ];
    for (const [name, args] of steps) {
      log(`${name}: go ${args.join(" ")}`);
      const outcome = await runCommand(go, args, moduleDir, env);
      if (outcome.code !== 0) {
        throw new EngineUnavailableError(
          `cannot build k6 ${version}: \`go ${args.join(" ")}\` exited with ${outcome.code}:\n` +
            `${lastLines(outcome.output, 8)}\n` +
            `(\`go install ${target}\` had failed with: ${lastLines(installed.output, 2)})\n` +
            `Check that the Go module proxy is reachable (GOPROXY), or install k6 from its packages (${K6_INSTALL_DOCS}) ` +
            "and set K6_BINARY",
        );
      }
    }
  } finally {
    rmSync(moduleDir, { recursive: true, force: true });
  }
  const built = await k6BinaryVersion(binary, env);
  if (built !== version) {
    throw new EngineUnavailableError(
      `built ${binary}, but \`k6 version\` reports ${built ?? "nothing (it does not run)"}, expected ${version}`,
    );
  }
  return done("go build");
}
