/**
 * The Newman gate in processes of its own, one per folder: a collection that declares its top-level folders
 * independent (postman/concurrent-folders.ts) runs each folder's Newman run in a long-lived child process of its
 * own, so the gate's sandbox CPU (about 1.2 s per setting) spreads over the CPUs it is given instead of sharing
 * one event loop. The folders' summaries and JUnit reports merge in this process into one outcome and one report,
 * exactly as when the folders run at once in one process (run-collection.ts `runFoldersAtOnce`). A collection
 * without the declaration runs as one run in the first child. The children start once (`startGatePool`) and stop
 * with `close()`; a child that dies fails its folder's run, and so the gate's run, in one line, and the next run
 * starts a new one (postman/gate-process.ts).
 */
import type { GateOutcome } from "../tuning/results/results-types.ts";
import { concurrentFolders } from "./concurrent-folders.ts";
import { type GateProcess, type GateRunOptions, startGateProcess } from "./gate-process.ts";
import { foldersAtOnce, readCollection, runFoldersAtOnce } from "./run-collection.ts";

export const DEFAULTS = {
  /**
   * How many processes at most: a collection with more independent folders shares them (folder i in process
   * i mod processes). Each child holds Newman and its sandbox, about 100 MB.
   * @default 4
   */
  maxProcesses: 4,
} as const;

export interface GatePoolOptions {
  /** The CPUs of every child (a `taskset -c` list, e.g. "0,1"). @default the CPUs this process has */
  cpus?: string;
  /** How many children: one per independent folder of the collection the gate runs (`poolSizeFor`). @default 1 */
  processes?: number;
}

export interface GatePool {
  /** Runs the collection: its folders in their own children when it declares them independent, else in one. */
  run(options: GateRunOptions, onReportError: (message: string) => void): Promise<GateOutcome>;
  /** Stops every child (runs in flight fail). */
  close(): Promise<void>;
  /** The children's pids (a child that died and was not yet replaced has none). */
  readonly pids: Array<number | undefined>;
}

/**
 * How many children a collection's gate uses: one per independent top-level folder (at most `maxProcesses`),
 * one for a collection that runs as one run or cannot be read (its run reports the reason).
 *
 * @example poolSizeFor() // 3: our collection's three folders
 */
export function poolSizeFor(collection?: string, maxProcesses: number = DEFAULTS.maxProcesses): number {
  try {
    const folders = concurrentFolders(readCollection(collection) as Parameters<typeof concurrentFolders>[0]);
    return Math.max(1, Math.min(maxProcesses, folders?.length ?? 1));
  } catch {
    return 1;
  }
}

/**
 * Starts the gate's children, all on `cpus`.
 *
 * @example const pool = startGatePool({ cpus: "0,1", processes: poolSizeFor() }); await pool.run({ baseUrl }, console.error); await pool.close();
 */
export function startGatePool(options: GatePoolOptions = {}): GatePool {
  const count = Math.max(1, Math.floor(options.processes ?? 1));
  const children: GateProcess[] = Array.from({ length: count }, () =>
    startGateProcess(options.cpus !== undefined ? { cpus: options.cpus } : {}),
  );
  const first = children[0] as GateProcess;
  return {
    run(runOptions, onReportError) {
      const atOnce = count > 1 ? foldersAtOnce(runOptions) : undefined;
      if (!atOnce) return first.run(runOptions, onReportError);
      return runFoldersAtOnce({ ...runOptions, onReportError }, atOnce, (folderOptions, index) => {
        // Plain data only crosses to the child: runFoldersAtOnce handles the report-write callback here. The child
        // gets the collection with only its folder (the collection's variables and scripts kept): a third of the
        // bytes to copy and parse, the same run as Newman's `folder` selection.
        const { onReportError: _here, cli: _none, ...plain } = folderOptions;
        const folder = atOnce.folders[index];
        const item = (atOnce.collection.item ?? []).filter((i) => (i as { name?: unknown }).name === folder);
        return (children[index % count] as GateProcess).runNewman({
          ...plain,
          collection: { ...atOnce.collection, item },
        });
      });
    },
    get pids() {
      return children.map((child) => child.pid);
    },
    async close() {
      await Promise.all(children.map((child) => child.close()));
    },
  };
}
