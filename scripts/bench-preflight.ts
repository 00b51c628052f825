/**
 * Everything `npm run bench` can check before the stage starts (issue 19 "Late checks", issue 20 "Output and
 * config"): input files read with a size cap and only when regular (no /dev/zero, no FIFO that hangs), the
 * output folder writable and not under /proc, /sys or /dev, the baseline readable and comparable, k6 present
 * when asked for, and a large sweep confirmed.
 */
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  rmSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";
import { findK6Binary } from "../loadtests/engines/k6/engine.ts";
import { TOOLS_BIN_DIR } from "../loadtests/engines/k6/install.ts";
import { checkK6Script } from "../loadtests/engines/k6/user-script.ts";
import { loadWorkloadFile } from "../loadtests/workload/file.ts";
import { readCollection } from "../postman/run-collection.ts";
import { COMPARABLE_FIX, incomparableReason } from "../reports/compare.ts";
import { formatDuration } from "../reports/format.ts";
import { loadServiceTemplate } from "../stage/template.ts";
import { workloadInputsOf } from "../tuning/adapters/workload-inputs.ts";
import type { BenchConfig } from "../tuning/config/bench-config.ts";
import { isLargeSweep, LARGE_SWEEP, type SweepEstimate } from "../tuning/config/estimate.ts";
import { InvalidSweepOptionError } from "../tuning/errors.ts";
import { runLoadOf } from "../tuning/results/build-results.ts";
import { parseResults } from "../tuning/results/results.ts";
import type { Results } from "../tuning/results/results-types.ts";
import { UsageError } from "./command.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Size caps of the files the bench reads. */
export const INPUT_LIMITS = {
  /** --config: a few KB in practice. @default 1 MiB */
  configBytes: 1024 * 1024,
  /** --payload @file: Lambda's synchronous invocation payload limit. @default 6 MB */
  payloadBytes: 6 * 1024 * 1024,
  /** --baseline: a results.json (24 settings with timelines are ~1 MB). @default 64 MiB */
  baselineBytes: 64 * 1024 * 1024,
} as const;

function describeCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${code}: ${message.replace(/^\w+: /, "")}` : message;
}

/** Why a file cannot be opened, in words and without the system call's text: "does not exist", ... */
function whyUnreadable(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === "ENOENT") return "does not exist";
  if (code === "EACCES" || code === "EPERM") return `is not readable (${code}: permission denied)`;
  if (code === "ENOTDIR") return "is not reachable (ENOTDIR: a part of the path is a file)";
  return `cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

/** The fix a user reads when --baseline cannot be used. */
export const BASELINE_FIX = "give the results.json or run folder of an earlier run";

/**
 * Reads a text file the user named, refusing anything but a regular file up to `maxBytes`. Opened
 * non-blocking, so a FIFO is refused at once instead of waiting for a writer. Every refusal is one line that
 * names the file and ends with `fix`, e.g. "--config nope.json does not exist: give the path of a JSON file".
 */
export function readInputFile(
  file: string,
  what: string,
  maxBytes: number,
  fix = "give the path of a JSON file",
): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new UsageError(`${what} ${file} ${whyUnreadable(error)}: ${fix}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new UsageError(`${what} ${file} is not a regular file: ${fix}`);
    if (stat.size > maxBytes)
      throw new UsageError(
        `${what} ${file} is ${stat.size} bytes, over the ${maxBytes}-byte limit: is it the right file?`,
      );
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses a JSON input file (see readInputFile). */
export function readJsonInput(
  file: string,
  what: string,
  maxBytes: number,
  fix = "give the path of a JSON file",
): unknown {
  const text = readInputFile(file, what, maxBytes, fix);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${file} is not valid JSON (${(error as Error).message}): ${fix}`);
  }
}

const KERNEL_FOLDERS = ["/proc", "/sys", "/dev"];

function nearestExisting(dir: string): string {
  let current = dir;
  for (;;) {
    try {
      return realpathSync(current);
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * Makes sure the output folder can take the run: not in a kernel file system (writes there fail late, or spin),
 * created, and writable (a probe file is written and removed). Returns the folder's absolute path.
 */
export function checkOutputFolder(outDir: string): string {
  const resolved = path.resolve(outDir);
  const real = nearestExisting(resolved);
  const kernel = KERNEL_FOLDERS.find((k) => real === k || real.startsWith(`${k}/`));
  if (kernel)
    throw new UsageError(
      `--out ${outDir} is inside ${kernel}, a kernel file system: give a folder on disk, e.g. --out reports/out`,
    );
  try {
    mkdirSync(resolved, { recursive: true });
  } catch (error) {
    throw new UsageError(
      `--out ${outDir} cannot be created (${describeCode(error)}): give a writable folder`,
    );
  }
  const probe = path.join(resolved, `.powerbench-write-check-${process.pid}`);
  try {
    const fd = openSync(probe, "wx");
    try {
      writeSync(fd, "ok\n");
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new UsageError(`--out ${outDir} is not writable (${describeCode(error)}): give a writable folder`);
  } finally {
    rmSync(probe, { force: true });
  }
  return resolved;
}

/**
 * Why a baseline cannot be compared with the planned run, or undefined when it can: the same stage, mode,
 * profile, engine (when given, not auto) and load (rate, duration, warm-up, seed and request count; direct
 * mode: invocations and payloads), as reports/compare.ts decides after the run.
 */
export function incomparableBecause(
  baseline: Pick<Results, "run">,
  config: Pick<
    BenchConfig,
    | "stage"
    | "mode"
    | "profile"
    | "engine"
    | "seed"
    | "ratePerSec"
    | "durationS"
    | "warmupS"
    | "direct"
    | "quick"
    | "gate"
    | "workload"
    | "k6Script"
    | "collection"
    | "environment"
    | "template"
  >,
): string | undefined {
  const api = config.mode === "api";
  const load = runLoadOf(config);
  // A file that cannot be read is reported by the files' own check, with its fix: compare without it here.
  let inputs: ReturnType<typeof workloadInputsOf>;
  try {
    inputs = workloadInputsOf(config);
  } catch {
    inputs = undefined;
  }
  return incomparableReason(
    {
      // results.json records a direct-mode run's profile as "direct-invoke" (tuning/results/build-results.ts)
      profile: api ? config.profile : "direct-invoke",
      mode: config.mode,
      stage: { name: config.stage },
      load,
      ...(api && config.engine !== "auto" ? { engine: { name: config.engine } } : {}),
      ...(api && load.mode === "api" ? { sequence: { seed: config.seed, requests: load.requests } } : {}),
      ...(inputs ? { inputs } : {}),
    },
    baseline.run,
  );
}

/** Reads, validates and checks the comparability of --baseline; a run folder stands for its results.json. */
export function checkBaseline(file: string, config: BenchConfig): Results {
  let resultsFile = file;
  try {
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (fstatSync(fd).isDirectory()) resultsFile = path.join(file, "results.json");
    } finally {
      closeSync(fd);
    }
  } catch {
    // readInputFile names the problem
  }
  const text = readInputFile(resultsFile, "--baseline", INPUT_LIMITS.baselineBytes, BASELINE_FIX);
  let baseline: Results;
  try {
    baseline = parseResults(text);
  } catch (error) {
    throw new UsageError(
      `--baseline ${resultsFile} is not a valid results.json (${(error as Error).message}): ${BASELINE_FIX}`,
    );
  }
  const reason = incomparableBecause(baseline, config);
  if (reason)
    throw new UsageError(
      `--baseline ${resultsFile} is not comparable with this run: ${reason}: ${COMPARABLE_FIX}`,
    );
  return baseline;
}

/** `--engine k6` needs k6 now, not after the stage started. */
export function checkEngine(
  config: Pick<BenchConfig, "engine" | "mode">,
  env: NodeJS.ProcessEnv = process.env,
  toolsBinDir: string = TOOLS_BIN_DIR,
): void {
  if (config.mode !== "api" || config.engine !== "k6") return;
  let binary: string | undefined;
  try {
    binary = findK6Binary(env, toolsBinDir);
  } catch (error) {
    throw new UsageError(`--engine k6: ${(error as Error).message}`);
  }
  if (!binary)
    throw new UsageError(
      "--engine k6: no k6 binary (looked at K6_BINARY, .tools/bin/k6 and PATH): run npm run k6:install, or use --engine builtin",
    );
}

/** The user's template, workload file, k6 script and collection, read before anything starts. */
export function checkUserApi(config: BenchConfig): void {
  if (config.template !== undefined) {
    if (config.stage !== "local")
      throw new InvalidSweepOptionError(
        "template",
        config.template,
        "the local stage (--stage local) to deploy it",
      );
    loadServiceTemplate(config.template);
    const ownService = path.resolve(config.template) === path.join(PROJECT_ROOT, "service", "template.yaml");
    if (
      !ownService &&
      config.mode === "api" &&
      config.workload === undefined &&
      config.k6Script === undefined
    )
      throw new InvalidSweepOptionError(
        "--template",
        config.template,
        "a --workload file or a --k6-script that loads your API (the bundled workload loads the bundled service)",
      );
    if (!ownService && config.gate && config.collection === undefined)
      throw new InvalidSweepOptionError(
        "--template",
        config.template,
        "a --collection for your API's functional gate, or --no-gate (the bundled collection checks the bundled service)",
      );
  }
  if (config.workload !== undefined) loadWorkloadFile(config.workload);
  if (config.k6Script !== undefined) {
    checkK6Script(config.k6Script);
    if (!findK6Binary())
      throw new InvalidSweepOptionError(
        "--k6-script",
        config.k6Script,
        "k6 to run it: no k6 binary (looked at K6_BINARY, .tools/bin/k6 and PATH); run npm run k6:install",
      );
  }
  if (config.collection !== undefined) readCollection(config.collection);
  if (config.environment !== undefined) readCollection(config.environment);
}

export interface ConfirmIo {
  /** A person is there to answer (stdin and stderr are terminals). */
  interactive: boolean;
  ask: (question: string) => Promise<string>;
}

export const PROCESS_CONFIRM_IO: ConfirmIo = {
  interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
  ask: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/**
 * A sweep of more than LARGE_SWEEP settings or wall time asks on a terminal, and needs --yes otherwise.
 * Returns false when the person said no.
 */
export async function confirmLargeSweep(
  settings: number,
  estimate: SweepEstimate,
  yes: boolean,
  io: ConfirmIo = PROCESS_CONFIRM_IO,
): Promise<boolean> {
  if (yes || !isLargeSweep(settings, estimate)) return true;
  const what = `${settings} settings, about ${formatDuration(estimate.totalS)} (${estimate.basis})`;
  if (!io.interactive)
    throw new UsageError(
      `${what}: above ${LARGE_SWEEP.settings} settings or ${formatDuration(LARGE_SWEEP.wallTimeS)}; pass --yes to run it, or narrow --memory`,
    );
  const answer = await io.ask(`bench: ${what}. Run it? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}
