/**
 * The k6 adapter: runs `k6 run loadtests/k6/crud.ts` with the target and profile as `-e` variables, maps the
 * exit code (99 = thresholds failed), and reads the summary data the scenario's handleSummary saved, mapping
 * it to a RunResult with the same pure code k6 runs. An AbortSignal or SIGINT interrupts k6, which still
 * writes its summary: the result is then marked aborted.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EngineUnavailableError, K6RunError } from "./errors.ts";
import { type K6SummaryData, mapK6Summary } from "./k6-summary.ts";
import { type LoadEngine, type LoadRunOptions, overridesOf } from "./load-engine.ts";
import { expectedIterations, type Profile, resolveProfile, totalDurationMs } from "./profiles.ts";
import type { RunResult } from "./run-result.ts";

/** The scenario the adapter runs by default. */
export const K6_SCRIPT = fileURLToPath(new URL("./k6/crud.ts", import.meta.url));

/** k6's documented exit codes the adapter tells apart. */
export const K6_EXIT_CODES = {
  ok: 0,
  thresholdsFailed: 99,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
  scriptAborted: 108,
} as const;

export type Env = Record<string, string | undefined>;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The k6 binary: K6_BINARY when set (it must be executable), else `k6` on PATH, else undefined. */
export function findK6Binary(env: Env = process.env): string | undefined {
  const explicit = env["K6_BINARY"];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new EngineUnavailableError(
        `K6_BINARY="${explicit}" is not an executable file: point it at the k6 binary or unset it to search PATH`,
      );
    }
    return explicit;
  }
  for (const dir of (env["PATH"] ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "k6");
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The `k6 run` arguments for a resolved profile. The resolved profile travels as JSON so k6 runs exactly it. */
export function k6RunArgs(input: {
  script: string;
  target: string;
  profile: Profile;
  seed: number;
  summaryPath: string;
  k6Version: string;
}): string[] {
  const vars: Record<string, string> = {
    TARGET: input.target,
    PROFILE: input.profile.name,
    PROFILE_JSON: JSON.stringify(input.profile),
    SEED: String(input.seed),
    POWERBENCH_SUMMARY: input.summaryPath,
    POWERBENCH_RESULT: path.join(path.dirname(input.summaryPath), "result.json"),
    K6_VERSION: input.k6Version,
  };
  return ["run", "--quiet", ...Object.entries(vars).flatMap(([k, v]) => ["-e", `${k}=${v}`]), input.script];
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string;
}

function runProcess(
  binary: string,
  args: string[],
  env: Env,
  signal?: AbortSignal,
  onSigint?: () => void,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout = (stdout + chunk.toString("utf8")).slice(-64 * 1024);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-4096);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const interrupt = () => {
      onSigint?.();
      // k6 stops gracefully on SIGINT and still runs handleSummary; kill it if it lingers.
      child.kill("SIGINT");
      killTimer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    };
    signal?.addEventListener("abort", interrupt, { once: true });
    process.on("SIGINT", interrupt);
    const cleanup = () => {
      signal?.removeEventListener("abort", interrupt);
      process.removeListener("SIGINT", interrupt);
      if (killTimer) clearTimeout(killTimer);
    };
    child.on("error", (error) => {
      cleanup();
      reject(new K6RunError(`could not start k6 at "${binary}": ${error.message}`, null, { cause: error }));
    });
    child.on("close", (code, sig) => {
      cleanup();
      resolve({ code, signal: sig, stdout, stderrTail: stderr });
    });
  });
}

/** `k6 version` → e.g. "v1.4.2" ("unknown" when it prints no version). */
export async function k6Version(binary: string, env: Env = process.env): Promise<string> {
  const exit = await runProcess(binary, ["version"], env);
  return /v\d+\.\d+\.\d+[\w.+-]*/.exec(exit.stdout)?.[0] ?? "unknown";
}

export interface K6EngineOptions {
  /** The k6 binary. @default findK6Binary(env) */
  binary?: string;
  /** @default loadtests/k6/crud.ts */
  script?: string;
  /** Environment of the k6 process (and where K6_BINARY / PATH are looked up). @default process.env */
  env?: Env;
}

export function createK6Engine(engineOptions: K6EngineOptions = {}): LoadEngine {
  const env = engineOptions.env ?? process.env;
  const binary = engineOptions.binary ?? findK6Binary(env);
  if (!binary) {
    throw new EngineUnavailableError(
      "no k6 binary: looked for K6_BINARY and `k6` on PATH; install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/) or use --engine builtin",
    );
  }
  return {
    name: "k6",
    run: (options) => runK6(binary, engineOptions.script ?? K6_SCRIPT, env, options),
  };
}

async function runK6(binary: string, script: string, env: Env, options: LoadRunOptions): Promise<RunResult> {
  const profile = resolveProfile(options.profile, overridesOf(options));
  const seed = (options.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const version = await k6Version(binary, env);
  const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-"));
  const summaryPath = path.join(dir, "summary.json");
  let aborted = options.signal?.aborted ?? false;
  try {
    const startedAt = new Date().toISOString();
    const args = k6RunArgs({
      script,
      target: options.target,
      profile,
      seed,
      summaryPath,
      k6Version: version,
    });
    const exit = await runProcess(binary, args, env, options.signal, () => {
      aborted = true;
    });
    const endedAt = new Date().toISOString();
    const ok = exit.code === K6_EXIT_CODES.ok || exit.code === K6_EXIT_CODES.thresholdsFailed;
    if (!ok && !aborted) {
      throw new K6RunError(
        `k6 exited with ${exit.code === null ? `signal ${exit.signal}` : `code ${exit.code}`}` +
          ` (expected 0, or 99 when thresholds fail); stderr: ${exit.stderrTail.trim() || "(empty)"}`,
        exit.code,
      );
    }
    if (!existsSync(summaryPath)) {
      throw new K6RunError(
        `k6 exited with code ${exit.code} but wrote no summary at ${summaryPath}: the script's handleSummary must ` +
          "write the data to -e POWERBENCH_SUMMARY (loadtests/k6/crud.ts does)",
        exit.code,
      );
    }
    let data: K6SummaryData;
    try {
      data = JSON.parse(readFileSync(summaryPath, "utf8")) as K6SummaryData;
    } catch (error) {
      throw new K6RunError(
        `k6 summary at ${summaryPath} is not JSON: ${(error as Error).message}`,
        exit.code,
        {
          cause: error,
        },
      );
    }
    const result = mapK6Summary(data, {
      profile: profile.name,
      target: options.target,
      targetRatePerSec: expectedIterations(profile) / (totalDurationMs(profile) / 1000),
      k6Version: version,
      startedAt,
      endedAt,
      aborted,
    });
    // Exit code 99 is k6's own verdict: thresholds failed, whatever the summary's flags say.
    if (exit.code === K6_EXIT_CODES.thresholdsFailed) result.thresholdsPassed = false;
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
