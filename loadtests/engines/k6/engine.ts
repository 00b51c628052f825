/**
 * The k6 engine (an adapter): runs `k6 run loadtests/engines/k6/scenarios/crud.ts` with the target and
 * profile as `-e` variables, maps the exit code (99 = thresholds failed), and reads the summary data the scenario's handleSummary saved, mapping
 * it to a RunResult with the same pure code k6 runs; the per-second timeline and the overall histogram come
 * from k6's JSON output (`--out json=`), and so do the Lambda request ids and each answer's body sizes (payload.ts). An AbortSignal or SIGINT interrupts k6 with one SIGINT, on which k6
 * stops and still writes its summary: the result is then marked aborted.
 *
 * k6 runs in its own process group, so a terminal's Ctrl-C (sent to our whole group) does not reach it
 * directly: k6 takes a second SIGINT as a hard stop without summary. It is killed if we exit first.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EngineUnavailableError, K6RunError } from "../../errors.ts";
import { expectedIterations, type Profile, resolveProfile, totalDurationMs } from "../../profiles.ts";
import type { RunResult } from "../../run-result.ts";
import { type LoadEngine, type LoadRunOptions, overridesOf } from "../port.ts";
import { findOnPath, isExecutable, K6_INSTALL_DOCS, TOOLS_BIN_DIR } from "./install.ts";
import { BEYOND_SEQUENCE_COUNTER } from "./options.ts";
import { answeredRequests, k6Payload } from "./payload.ts";
import { type Env, runProcess } from "./process.ts";
import { type ExecutionSegment, executionSegmentArgs } from "./segments.ts";
import type { SequenceFile } from "./sequence.ts";
import { type K6SummaryData, mapK6Summary } from "./summary.ts";
import { readK6Timeline } from "./timeline.ts";

/** The scenario the adapter runs by default. */
export const K6_SCRIPT = fileURLToPath(new URL("./scenarios/crud.ts", import.meta.url));

/** k6's documented exit codes the adapter tells apart. */
export const K6_EXIT_CODES = {
  ok: 0,
  thresholdsFailed: 99,
  invalidConfig: 104,
  externalAbort: 105,
  scriptException: 107,
  scriptAborted: 108,
} as const;

export type { Env } from "./process.ts";

/**
 * The k6 binary: K6_BINARY when set (it must be executable), else the project's tools folder (`.tools/bin/k6`,
 * where `npm run k6:install` builds the pinned version), else `k6` on PATH, else undefined.
 */
export function findK6Binary(
  env: Env = process.env,
  toolsBinDir: string = TOOLS_BIN_DIR,
): string | undefined {
  const explicit = env["K6_BINARY"];
  if (explicit) {
    if (!isExecutable(explicit)) {
      throw new EngineUnavailableError(
        `K6_BINARY="${explicit}" is not an executable file: point it at the k6 binary or unset it to search ${toolsBinDir} and PATH`,
      );
    }
    return explicit;
  }
  const tools = path.join(toolsBinDir, "k6");
  if (isExecutable(tools)) return tools;
  return findOnPath("k6", env);
}

/** The `k6 run` arguments for a resolved profile. The resolved profile travels as JSON so k6 runs exactly it. */
export function k6RunArgs(input: {
  script: string;
  target: string;
  profile: Profile;
  seed: number;
  summaryPath: string;
  k6Version: string;
  /** Where k6 writes its JSON output (every metric sample), for the per-second timeline. */
  jsonOutPath?: string;
  /** The request sequence file k6 replays (-e SEQUENCE). */
  sequencePath?: string;
  /** This process's part of the test, as k6-operator would give runner `index` of `count`. */
  executionSegment?: ExecutionSegment;
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
  if (input.sequencePath) vars["SEQUENCE"] = input.sequencePath;
  const out = input.jsonOutPath ? ["--out", `json=${input.jsonOutPath}`] : [];
  return [
    "run",
    "--quiet",
    ...(input.executionSegment ? executionSegmentArgs(input.executionSegment) : []),
    ...out,
    ...Object.entries(vars).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
    input.script,
  ];
}

/** `k6 version` → e.g. "v1.4.2" ("unknown" when it prints no version). */
export async function k6Version(binary: string, env: Env = process.env): Promise<string> {
  const exit = await runProcess(binary, ["version"], env);
  return /v\d+\.\d+\.\d+[\w.+-]*/.exec(exit.stdout)?.[0] ?? "unknown";
}

export interface K6EngineOptions {
  /** The k6 binary. @default findK6Binary(env) */
  binary?: string;
  /** @default loadtests/engines/k6/scenarios/crud.ts */
  script?: string;
  /** Environment of the k6 process (and where K6_BINARY / PATH are looked up). @default process.env */
  env?: Env;
  /** The tools folder searched after K6_BINARY. @default TOOLS_BIN_DIR (.tools/bin) */
  toolsBinDir?: string;
  /** Told the process id of each `k6 run` when it starts (tests stop and resume it to stall the load generator). */
  onK6Start?: (pid: number) => void;
  /** Told when the run's result lacks something, e.g. no timeline. @default a line on stderr */
  onWarning?: (message: string) => void;
}

export function createK6Engine(engineOptions: K6EngineOptions = {}): LoadEngine {
  const env = engineOptions.env ?? process.env;
  const binary = engineOptions.binary ?? findK6Binary(env, engineOptions.toolsBinDir);
  if (!binary) {
    throw new EngineUnavailableError(
      `no k6 binary: looked for K6_BINARY, ${path.join(engineOptions.toolsBinDir ?? TOOLS_BIN_DIR, "k6")} and \`k6\` on PATH; ` +
        `build it with \`npm run k6:install\` (needs Go), install it from k6's packages (${K6_INSTALL_DOCS}), or use --engine builtin`,
    );
  }
  return {
    name: "k6",
    run: (options) =>
      runK6(binary, engineOptions.script ?? K6_SCRIPT, env, options, {
        onWarning: engineOptions.onWarning ?? warnOnStderr,
        ...(engineOptions.onK6Start ? { onK6Start: engineOptions.onK6Start } : {}),
      }),
  };
}

function warnOnStderr(message: string): void {
  process.stderr.write(`k6 adapter: ${message}\n`);
}

/**
 * The run options k6 takes: the port's, with the request sequence to replay (common random numbers; the tuner's
 * planned sequence, loadtests/request-sequence.ts). Without one, each VU draws its own requests from the seed.
 */
export type K6RunOptions = LoadRunOptions & {
  sequence?: SequenceFile;
  /**
   * Run only this part of the test (runner `index` of `count`, k6 execution segments as k6-operator assigns
   * them); merge the parts' results with mergeSegmentResults (merge.ts).
   */
  executionSegment?: ExecutionSegment;
};

async function runK6(
  binary: string,
  script: string,
  env: Env,
  options: K6RunOptions,
  hooks: { onWarning: (message: string) => void; onK6Start?: (pid: number) => void },
): Promise<RunResult> {
  const { onWarning, onK6Start } = hooks;
  const profile = resolveProfile(options.profile, overridesOf(options));
  const seed = (options.seed ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  const version = await k6Version(binary, env);
  const dir = mkdtempSync(path.join(os.tmpdir(), "powerbench-k6-"));
  const summaryPath = path.join(dir, "summary.json");
  // Gzipped (k6 compresses when the name ends in .gz): each request is over ten sample lines, several KB.
  const jsonOutPath = path.join(dir, "samples.json.gz");
  let aborted = options.signal?.aborted ?? false;
  try {
    const sequence = options.sequence;
    let sequencePath: string | undefined;
    if (sequence) {
      sequencePath = path.join(dir, "sequence.json");
      writeFileSync(sequencePath, JSON.stringify(sequence));
    }
    const startedAt = new Date().toISOString();
    const args = k6RunArgs({
      script,
      target: options.target,
      profile,
      seed,
      summaryPath,
      k6Version: version,
      jsonOutPath,
      ...(sequencePath ? { sequencePath } : {}),
      ...(options.executionSegment ? { executionSegment: options.executionSegment } : {}),
    });
    const exit = await runProcess(
      binary,
      args,
      env,
      options.signal,
      () => {
        aborted = true;
      },
      onK6Start,
    );
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
          "write the data to -e POWERBENCH_SUMMARY (loadtests/engines/k6/scenarios/crud.ts does)",
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
    const scheduledDurationMs = totalDurationMs(profile);
    const result = mapK6Summary(data, {
      profile: profile.name,
      target: options.target,
      targetRatePerSec: expectedIterations(profile) / (scheduledDurationMs / 1000),
      scheduledDurationMs,
      seed,
      k6Version: version,
      startedAt,
      endedAt,
      aborted,
    });
    // Exit code 99 is k6's own verdict: thresholds failed, whatever the summary's flags say.
    if (exit.code === K6_EXIT_CODES.thresholdsFailed) result.thresholdsPassed = false;
    const samples = await readK6Timeline(jsonOutPath);
    result.timeline = samples.timeline;
    if (samples.histogram) result.overall.histogram = samples.histogram;
    // One percentile definition for both engines and for the Lambda side: the histogram's, not k6's trend stats.
    if (samples.latency) result.overall.latency = samples.latency;
    for (const [op, histogram] of Object.entries(samples.operationHistograms)) {
      const stats = result.operations[op as keyof typeof result.operations];
      if (stats) stats.histogram = histogram;
    }
    if (samples.requests > 0) {
      result.lambdaRequestIds = samples.lambdaRequestIds;
      result.responsesWithoutLambdaRequestId = samples.answeredWithoutLambdaRequestId;
      // The scenario records every answer's body sizes: what an HTTP API meters, in 512 KiB blocks.
      const payload = k6Payload({
        answered: answeredRequests(samples.statusCounts),
        bodies: samples.bodies,
        iterationBytes: samples.iterationBytes,
      });
      if (payload) result.payload = payload;
    }
    const beyond = data.metrics[BEYOND_SEQUENCE_COUNTER]?.values["count"] ?? 0;
    if (beyond > 0) {
      onWarning(
        `k6 started ${beyond} iteration(s) past the end of the ${sequence?.requests.length}-request sequence; they sent nothing`,
      );
    }
    if (sequence) {
      result.sequence = {
        seed: sequence.seed,
        kind: sequence.kind,
        idPrefix: sequence.idPrefix,
        requests: sequence.requests.length,
      };
      result.seed = sequence.seed;
    }
    if (samples.warning) onWarning(samples.warning);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
