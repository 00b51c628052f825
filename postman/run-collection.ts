/**
 * Runs the Postman collection through Newman's library API and returns the functional gate outcome.
 * The tuner calls it at every memory setting; scripts/newman.ts calls it for `npm run newman`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import newman, { type NewmanRunOptions, type NewmanRunSummary } from "newman";
import type { CollectionDefinition, VariableScopeDefinition } from "postman-collection";
import type { GateOutcome } from "../tuning/results/results-types.ts";
import {
  CONCURRENT_FOLDERS_VARIABLE,
  concurrentFolders,
  mergeJunitReports,
  mergeSummaries,
} from "./concurrent-folders.ts";
import { CollectionFileError, CollectionRunError, ReportWriteError } from "./errors.ts";
import { DEFAULT_MAX_FAILURES, type GateSummary, toGateOutcome } from "./gate-outcome.ts";
import { mergeScripts } from "./merge-scripts.ts";

/** The collection file, next to this module. */
export const COLLECTION_PATH = fileURLToPath(
  new URL("./powerbench.postman_collection.json", import.meta.url),
);
/** The environment of the local stage, next to this module. */
export const LOCAL_ENVIRONMENT_PATH = fileURLToPath(
  new URL("./local.postman_environment.json", import.meta.url),
);
/** The environment of a deployed stack (placeholders to fill in). */
export const AWS_ENVIRONMENT_PATH = fileURLToPath(new URL("./aws.postman_environment.json", import.meta.url));

export interface RunCollectionOptions {
  /** Base URL of the API, e.g. "http://127.0.0.1:3000/prod"; overrides the environment's baseUrl. */
  baseUrl: string;
  /** More environment overrides, e.g. { tableName: "powerbench-items" }. */
  envVars?: Record<string, string>;
  /** Collection file path or parsed collection. @default COLLECTION_PATH */
  collection?: string | CollectionDefinition;
  /** Environment file path or parsed environment. @default LOCAL_ENVIRONMENT_PATH */
  environment?: string | VariableScopeDefinition;
  /** Writes a JUnit XML report to this path when set. */
  junitPath?: string;
  /** Prints Newman's CLI report to stdout. @default false */
  cli?: boolean;
  /** Runs only these folders of the collection, in one run. @default every folder */
  folders?: string[];
  /**
   * Runs the collection's top-level folders at once, one Newman run each, with one outcome and one JUnit report
   * (postman/concurrent-folders.ts): `undefined` when the collection declares them independent (the collection
   * variable `powerbenchConcurrentFolders` "true", as ours does), `false` never, `true` whenever every top-level
   * item is a folder. Not with `folders`; with `cli` only when `true` (the runs' lines would interleave).
   * @default undefined (as the collection declares)
   */
  concurrentFolders?: boolean;
  /** Per-request timeout. @default 10_000 */
  requestTimeoutMs?: number;
  /** Timeout of the whole run; a run cut short fails the gate. @default 300_000 */
  runTimeoutMs?: number;
  /**
   * Runs each request's collection-, folder- and request-level scripts of an event as one sandbox execution
   * (postman/merge-scripts.ts): the same checks, about 40 % fewer executions. @default true
   */
  mergeScripts?: boolean;
  /** How many failures the outcome lists at most. @default 20 */
  maxFailures?: number;
  /**
   * Called when the JUnit report could not be written (a full disk, a path through a file). The API was
   * checked all the same, so the gate's verdict stands; without this callback the run rejects with
   * ReportWriteError instead of failing the gate.
   */
  onReportError?: (message: string) => void;
}

export const DEFAULTS = {
  /** @default COLLECTION_PATH */
  collection: COLLECTION_PATH,
  /** @default LOCAL_ENVIRONMENT_PATH */
  environment: LOCAL_ENVIRONMENT_PATH,
  /** @default false */
  cli: false,
  /** @default 10_000 */
  requestTimeoutMs: 10_000,
  /** @default 300_000 */
  runTimeoutMs: 300_000,
  /** @default true */
  mergeScripts: true,
  /** @default 20 */
  maxFailures: DEFAULT_MAX_FAILURES,
} as const;

/**
 * Runs the collection against `baseUrl` and returns the gate outcome. Failing assertions, script errors
 * and unreachable hosts make a failed outcome, never an exception; a collection Newman cannot load rejects
 * with CollectionRunError.
 *
 * @example
 * const gate = await runCollection({ baseUrl: stage.apiUrl, envVars: { tableName: stage.tableName } });
 * if (!gate.passed) console.error(gate.failures.join("\n"));
 */
export async function runCollection(options: RunCollectionOptions): Promise<GateOutcome> {
  const atOnce = foldersAtOnce(options);
  if (atOnce) return runFoldersAtOnce(options, atOnce);
  const summary = await runNewman(options);
  const reportError = options.junitPath ? reportWriteError(summary.error, options.junitPath) : undefined;
  if (!reportError) return toGateOutcome(summary, options.maxFailures ?? DEFAULTS.maxFailures);
  // The run itself completed: its verdict comes from its assertions, not from the report file.
  const { error: _written, ...run } = summary;
  return reportNotWritten(options, run as NewmanRunSummary, reportError);
}

/** The outcome of a run whose JUnit report could not be written: to `onReportError`, or ReportWriteError. */
function reportNotWritten(options: RunCollectionOptions, run: GateSummary, reportError: string): GateOutcome {
  const outcome = toGateOutcome(run, options.maxFailures ?? DEFAULTS.maxFailures);
  const message =
    `the Newman JUnit report ${options.junitPath} could not be written (${reportError}); ` +
    `the API was checked all the same: ${outcome.assertions - outcome.failedAssertions} of ${outcome.assertions} assertions passed`;
  if (!options.onReportError) throw new ReportWriteError(options.junitPath ?? "", message);
  options.onReportError(message);
  return outcome;
}

/**
 * The text of a file-system error Newman's JUnit reporter met writing `junitPath` (Newman hands it over as the
 * run's error, with the path it could not create or open), or undefined for any other error.
 */
export function reportWriteError(error: unknown, junitPath: string): string | undefined {
  const fsError = error as { code?: unknown; path?: unknown; syscall?: unknown; message?: unknown } | null;
  if (!fsError || typeof fsError.code !== "string" || typeof fsError.path !== "string") return undefined;
  const target = fsError.path;
  if (!(junitPath === target || junitPath.startsWith(`${target}/`))) return undefined;
  return `${fsError.code}: ${typeof fsError.syscall === "string" ? fsError.syscall : "write"} ${target}`;
}

/** The collection to run (its scripts merged when asked) and its top-level folders, when they run at once. */
export interface FoldersAtOnce {
  collection: CollectionDefinition;
  folders: string[];
}

/**
 * Runs one folder's Newman run and resolves with its summary: in this process (`runNewman`, the default), or in a
 * process of its own (postman/gate-pool.ts). `index` is the folder's place in the collection.
 */
export type FolderRunner = (options: RunCollectionOptions, index: number) => Promise<GateSummary>;

/**
 * The collection and its top-level folders when they run at once (see `concurrentFolders`), or undefined when the
 * collection runs as one run (not declared independent, `folders` or `concurrentFolders: false` given, a CLI
 * report asked for, or a file that cannot be read).
 */
export function foldersAtOnce(options: RunCollectionOptions): FoldersAtOnce | undefined {
  if (options.folders !== undefined || options.concurrentFolders === false) return undefined;
  // Newman's CLI report of runs at once would interleave their lines: a reader gets one run unless asked.
  if ((options.cli ?? DEFAULTS.cli) && options.concurrentFolders !== true) return undefined;
  const collection = collectionToRun(options);
  // A file that cannot be read goes to Newman as its path, whose own error says what is wrong.
  if (typeof collection === "string") return undefined;
  const declared = options.concurrentFolders
    ? { ...collection, variable: [{ key: CONCURRENT_FOLDERS_VARIABLE, value: "true" }] }
    : collection;
  const folders = concurrentFolders(declared as Parameters<typeof concurrentFolders>[0]);
  return folders ? { collection, folders } : undefined;
}

/**
 * The top-level folders as concurrent Newman runs: one outcome (every folder's assertions and failures) and
 * one JUnit report at `junitPath`, merged from the runs' reports (written to a temporary folder first). Each
 * folder's run goes to `runFolder`: in this process by default, or in a process of its own
 * (postman/gate-pool.ts); a run that rejects (its process died, Newman could not start) rejects the whole.
 */
export async function runFoldersAtOnce(
  options: RunCollectionOptions,
  { collection, folders }: FoldersAtOnce,
  runFolder: FolderRunner = runNewman,
): Promise<GateOutcome> {
  const scratch = options.junitPath ? mkdtempSync(path.join(os.tmpdir(), "powerbench-junit-")) : undefined;
  try {
    // Every run settles before the temporary folder goes: a run that could not start must not leave the others
    // writing into a removed folder.
    const settled = await Promise.allSettled(
      folders.map((folder, index) => {
        const { junitPath: _merged, ...rest } = options;
        return runFolder(
          {
            ...rest,
            collection,
            mergeScripts: false, // collectionToRun merged them already
            folders: [folder],
            ...(scratch ? { junitPath: path.join(scratch, `folder-${index + 1}.xml`) } : {}),
          },
          index,
        );
      }),
    );
    const rejected = settled.find((r) => r.status === "rejected");
    if (rejected) throw rejected.reason;
    const summaries = settled.map((r) => (r as PromiseFulfilledResult<GateSummary>).value);
    const merged = mergeSummaries(summaries);
    if (!(options.junitPath && scratch))
      return toGateOutcome(merged, options.maxFailures ?? DEFAULTS.maxFailures);
    const reportError = writeMergedReport(options.junitPath, scratch, summaries);
    if (!reportError) return toGateOutcome(merged, options.maxFailures ?? DEFAULTS.maxFailures);
    const { error: _written, ...run } = merged;
    return reportNotWritten(options, run, reportError);
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** Merges the folders' JUnit reports into `junitPath`; the error's text when that failed, else undefined. */
function writeMergedReport(
  junitPath: string,
  scratch: string,
  summaries: readonly GateSummary[],
): string | undefined {
  const failed = summaries.map((s) => reportWriteError(s.error, scratch)).find((e) => e !== undefined);
  if (failed) return failed;
  try {
    const reports = summaries.map((_, index) =>
      readFileSync(path.join(scratch, `folder-${index + 1}.xml`), "utf8"),
    );
    mkdirSync(path.dirname(junitPath), { recursive: true });
    writeFileSync(junitPath, mergeJunitReports(reports));
    return undefined;
  } catch (cause) {
    const error = cause as { code?: unknown; syscall?: unknown; path?: unknown; message?: unknown };
    return typeof error.code === "string"
      ? `${error.code}: ${typeof error.syscall === "string" ? error.syscall : "write"} ${typeof error.path === "string" ? error.path : junitPath}`
      : String(error.message ?? cause);
  }
}

/** Runs Newman and resolves with its raw summary (for callers that need more than the gate outcome). */
export function runNewman(options: RunCollectionOptions): Promise<NewmanRunSummary> {
  const baseUrl = options.baseUrl.replace(/\/+$/, "");
  const envVar = Object.entries({ ...options.envVars, baseUrl }).map(([key, value]) => ({ key, value }));
  const reporters: string[] = [];
  const reporter: Record<string, unknown> = {};
  if (options.cli ?? DEFAULTS.cli) reporters.push("cli");
  if (options.junitPath !== undefined) {
    reporters.push("junit");
    reporter["junit"] = { export: options.junitPath };
  }
  const runOptions: NewmanRunOptions = {
    collection: collectionToRun(options),
    environment: options.environment ?? DEFAULTS.environment,
    envVar,
    reporters,
    reporter,
    timeoutRequest: options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs,
    timeout: options.runTimeoutMs ?? DEFAULTS.runTimeoutMs,
    color: "off",
    ...(options.folders ? { folder: options.folders } : {}),
  };
  return new Promise((resolve, reject) => {
    newman.run(runOptions, (error, summary) => {
      // Newman hands a summary with a run whenever the collection started; without one it never ran.
      if (summary?.run) {
        resolve(error ? Object.assign(summary, { error }) : summary);
        return;
      }
      reject(
        new CollectionRunError(
          baseUrl,
          `Newman could not run the collection ${describe(options.collection ?? DEFAULTS.collection)} against ${baseUrl}: ` +
            `${error?.message ?? "no run summary"}; expected a Postman v2.1 collection and environment ` +
            "(check the file paths and that the JSON is valid)",
          { cause: error },
        ),
      );
    });
  });
}

/**
 * Reads a collection (or environment) file as JSON, e.g. to alter it in memory before a run.
 *
 * @example const collection = readCollection(); collection.item[0].name // "REST CRUD lifecycle"
 */
export function readCollection(path: string = COLLECTION_PATH): CollectionDefinition & { item: unknown[] } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new CollectionFileError(
      path,
      `cannot read the Postman file ${path}: ${(cause as Error).message}; expected the file to exist`,
      { cause },
    );
  }
  try {
    return JSON.parse(text) as CollectionDefinition & { item: unknown[] };
  } catch (cause) {
    throw new CollectionFileError(
      path,
      `the Postman file ${path} is not valid JSON: ${(cause as Error).message}; re-export it from Postman`,
      { cause },
    );
  }
}

/**
 * The collection Newman runs: with its scripts merged (the default), read here; a file that cannot be read or
 * parsed goes to Newman as its path, so Newman's own error says what is wrong with it, as before.
 */
function collectionToRun(options: RunCollectionOptions): NonNullable<RunCollectionOptions["collection"]> {
  const collection = options.collection ?? DEFAULTS.collection;
  if (!(options.mergeScripts ?? DEFAULTS.mergeScripts)) return collection;
  if (typeof collection !== "string")
    return mergeScripts(collection as CollectionDefinition & { item?: unknown[] });
  try {
    return mergeScripts(readCollection(collection));
  } catch {
    return collection;
  }
}

function describe(collection: NewmanRunOptions["collection"]): string {
  return typeof collection === "string" ? collection : "(in memory)";
}
