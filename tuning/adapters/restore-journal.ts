/**
 * The restore journal: before its first change to a function, a run writes what the function looked like
 * (memory, architecture, code hash, environment, alias target and routing, the versions that existed) and
 * the tag it puts in the Description of every version it publishes, to a JSON file, fsynced. It updates the
 * file as it publishes versions and closes it once the function is restored. A run killed in between
 * (SIGKILL, a lost network, a power cut) leaves the journal open: `npm run bench -- --restore [journal]`
 * puts the function back from it, and the next run refuses to take the changed function as "original".
 *
 * Writes are atomic (temp file, fsync, rename, fsync of the folder), so a crash leaves the old or the new
 * journal, never half of one.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import path from "node:path";
import type { Architecture } from "../results/results-types.ts";

export const JOURNAL_VERSION = 1;

/** What the function looked like before the run touched it. */
export interface JournalOriginal {
  memoryMb: number;
  architecture: Architecture;
  /** CodeSha256 of $LATEST: the code must be the same after a restore (architecture changes re-upload it). */
  codeSha256?: string;
  environment: Record<string, string>;
  /** The version the alias pointed at. */
  aliasVersion: string;
  /** Weighted routing of the alias. */
  aliasRoutingConfig?: Record<string, number>;
  /** Versions that existed before the run: never deleted by a restore. */
  preexistingVersions: string[];
}

export interface RestoreJournal {
  journalVersion: typeof JOURNAL_VERSION;
  /** "open" while the function may differ from `original`; "closed" once it is restored (or set aside). */
  state: "open" | "closed";
  runId: string;
  /** Process that wrote it: a journal whose process is alive belongs to a run still going. */
  pid: number;
  startedAt: string;
  updatedAt: string;
  closedAt?: string;
  closedHow?: "restored" | "applied" | "found-restored" | "forced-aside";
  /** Where the function lives: enough to reach it again with the SDK's default credentials. */
  target: {
    stage: "local" | "aws";
    region: string;
    /** The endpoint the run used, when not the SDK's default. */
    awsEndpoint?: string;
    /** The named profile the run used (bench config aws.awsProfile). */
    awsProfile?: string;
    functionName: string;
    functionArn?: string;
    alias: string;
  };
  original: JournalOriginal;
  /** Put in the Description of each version the run publishes, so a restore finds even unrecorded ones. */
  versionTag: string;
  /** Versions the run published (known from PublishVersion's answer). */
  createdVersions: string[];
  /** The alias was left on a measured setting on purpose (auto-apply): that version stays. */
  applied?: { settingId: string; version: string };
}

/** The key that says two journals are about the same function. */
export function functionKey(target: RestoreJournal["target"]): string {
  return [target.awsEndpoint ?? "default-endpoint", target.region, target.functionName].join("|");
}

/** The command that restores from a journal, as the user types it. */
export function restoreCommand(journalPath: string): string {
  const quoted = /^[\w./@:-]+$/.test(journalPath) ? journalPath : `'${journalPath.replace(/'/g, "'\\''")}'`;
  return `npm run bench -- --restore ${quoted}`;
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/** Writes the journal atomically and durably: temp file, fsync, rename over the old one, fsync the folder. */
export function writeJournal(file: string, journal: RestoreJournal): void {
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", 0o600);
  try {
    writeSync(fd, `${JSON.stringify(journal, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  fsyncDir(dir);
}

export class JournalError extends Error {
  override name = "JournalError";
}

/** Reads and checks a journal file; throws JournalError naming the file and what is wrong. */
export function readJournal(file: string): RestoreJournal {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new JournalError(
      `cannot read restore journal ${file}: ${(error as Error).message}; give the path the bench printed`,
    );
  }
  const j = raw as Partial<RestoreJournal>;
  const ok =
    j !== null &&
    typeof j === "object" &&
    j.journalVersion === JOURNAL_VERSION &&
    (j.state === "open" || j.state === "closed") &&
    typeof j.runId === "string" &&
    typeof j.versionTag === "string" &&
    Array.isArray(j.createdVersions) &&
    typeof j.target?.functionName === "string" &&
    typeof j.target?.alias === "string" &&
    typeof j.target?.region === "string" &&
    typeof j.original?.memoryMb === "number" &&
    typeof j.original?.aliasVersion === "string" &&
    Array.isArray(j.original?.preexistingVersions);
  if (!ok) {
    throw new JournalError(
      `${file} is not a powerbench restore journal (version ${JOURNAL_VERSION}): expected the JSON file a bench run wrote`,
    );
  }
  return j as RestoreJournal;
}

/** Every readable journal in a folder, oldest first, with its path. Unreadable files are skipped. */
export function listJournals(dir: string): { file: string; journal: RestoreJournal }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: { file: string; journal: RestoreJournal }[] = [];
  for (const name of names.filter((n) => n.endsWith(".json")).sort()) {
    const file = path.join(dir, name);
    try {
      found.push({ file, journal: readJournal(file) });
    } catch {
      // Not ours, or damaged: `--restore <file>` names the problem when the user points at it.
    }
  }
  return found;
}

/** Whether a process is alive (signal 0). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * A journal being kept by the running process: `update` rewrites it (durably) after each change of state.
 */
export class JournalWriter {
  constructor(
    readonly file: string,
    private journal: RestoreJournal,
  ) {
    writeJournal(file, journal);
  }

  get current(): RestoreJournal {
    return this.journal;
  }

  update(change: (j: RestoreJournal) => RestoreJournal): void {
    this.journal = { ...change(this.journal), updatedAt: new Date().toISOString() };
    writeJournal(this.file, this.journal);
  }

  close(how: NonNullable<RestoreJournal["closedHow"]>): void {
    const now = new Date().toISOString();
    this.update((j) => ({ ...j, state: "closed", closedAt: now, closedHow: how }));
  }
}
