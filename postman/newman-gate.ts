/**
 * The Newman gate of a bench run, as the sweep's gate port (tuning/sweep.ts `GatePort`): the collection
 * through the API at one setting, a JUnit report per setting in `reportDir`. Composed by scripts/bench.ts,
 * so the run (tuning/run-bench.ts) only measures. The collection's top-level folders run at once when it declares
 * them independent (ours does; postman/concurrent-folders.ts), still one outcome and one report per setting; given
 * CPUs, each folder runs in a process of its own (postman/gate-pool.ts).
 */
import path from "node:path";
import type { CpuPinning } from "../stage/lambda/capacity.ts";
import type { GateOutcome } from "../tuning/results/results-types.ts";
import { poolSizeFor, startGatePool } from "./gate-pool.ts";
import { readCollection, runCollection } from "./run-collection.ts";

export interface NewmanGateOptions {
  /** The API the collection runs against (`baseUrl`). */
  apiUrl: string;
  /** The service's table (`tableName`, an environment variable of the collection). */
  tableName: string;
  /** The user's collection instead of ours. @default postman/powerbench.postman_collection.json */
  collection?: string;
  /** The user's environment file; a user's collection without one gets an empty environment. */
  environment?: string;
  /** Where each setting's JUnit report goes: `<reportDir>/<setting id>.xml`. */
  reportDir: string;
  /** A report that cannot be written: a disk problem, not the API failing its contract. */
  onWarning: (message: string) => void;
  /**
   * Run Newman in processes of its own on these CPUs (a `taskset -c` list; the bench gives `gateCpusOf` its
   * stage's pinning), off the bench's event loop: one per independent folder of the collection, one for a
   * collection that runs as one run (postman/gate-pool.ts). In this process when absent.
   */
  cpus?: string;
  /**
   * With `cpus`: each independent folder in a process of its own (true), or the whole collection in one process,
   * its folders sharing that process's event loop (false, the bench's gate before the pool).
   * @default true
   */
  processPerFolder?: boolean;
}

/** The gate port, and how to stop what it started (the gate's processes, if any). */
export type NewmanGate = ((request: { settingId: string }) => Promise<GateOutcome>) & {
  close(): Promise<void>;
  /** The gate's processes' pids (none when it runs in this process). */
  readonly pids: Array<number | undefined>;
};

/**
 * The gate port of a run.
 *
 * @example const gate = newmanGate({ apiUrl, tableName, reportDir: "reports/out/x/newman", onWarning: console.error });
 */
export function newmanGate(options: NewmanGateOptions): NewmanGate {
  const own =
    options.cpus !== undefined
      ? startGatePool({
          cpus: options.cpus,
          processes: options.processPerFolder === false ? 1 : poolSizeFor(options.collection),
        })
      : undefined;
  const gate = ({ settingId }: { settingId: string }) => {
    const run = {
      baseUrl: options.apiUrl,
      envVars: { tableName: options.tableName },
      // The user's collection replaces ours; without its own environment it gets an empty one
      // (baseUrl and tableName are set as environment variables either way).
      ...(options.collection !== undefined
        ? { collection: options.collection, environment: options.environment ?? { values: [] } }
        : {}),
      junitPath: path.join(options.reportDir, `${settingId}.xml`),
    };
    const onReportError = (message: string) => options.onWarning(`${settingId}: ${message}`);
    return own ? own.run(run, onReportError) : runCollection({ ...run, onReportError });
  };
  return Object.defineProperty(Object.assign(gate, { close: async () => own?.close() }), "pids", {
    get: () => own?.pids ?? [],
  }) as NewmanGate;
}

/**
 * Where the bench runs the gate's processes: on a pinned local stage every CPU (the reserved one and the
 * environments', idle after each window; nothing of the gate runs during a window); undefined elsewhere (AWS,
 * `--capacity cap|off`), where the gate runs in the bench's process.
 *
 * @example gateCpusOf(local.cpuPinning) // "0,1"
 */
export function gateCpusOf(pinning: CpuPinning | undefined): string | undefined {
  return pinning?.pinned ? `${pinning.reservedCpus},${pinning.environmentCpus}` : undefined;
}

/** Requests in a collection file (folders hold items), as one pass of the gate sends them. */
export function collectionRequestCount(file?: string): number {
  return countRequests(readCollection(file).item);
}

function countRequests(items: unknown[]): number {
  return items.reduce<number>((n, item) => {
    const children = (item as { item?: unknown[] }).item;
    return n + (Array.isArray(children) ? countRequests(children) : 1);
  }, 0);
}
