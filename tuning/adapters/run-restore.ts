/**
 * `npm run bench -- --restore [journal]`: puts a function back from the journal of a run that did not finish
 * (SIGKILL, a lost network, a forced exit), deletes the versions that run published, checks the result and
 * closes the journal. Without a path it takes the one unfinished journal in the journal folder.
 *
 * Also the flag handling the bench needs for it (`--restore [journal]`, `--force`), kept apart from the
 * rest of the bench's flags.
 */
import path from "node:path";
import { describeError } from "../errors.ts";
import type { Stage } from "../stage.ts";
import { createAwsClients } from "./aws-clients.ts";
import { restoreFunction } from "./restore-function.ts";
import {
  JournalWriter,
  listJournals,
  processAlive,
  type RestoreJournal,
  readJournal,
  restoreCommand,
} from "./restore-journal.ts";

/** Where journals go unless POWERBENCH_JOURNAL_DIR says otherwise. */
export function defaultJournalDir(env: NodeJS.ProcessEnv, projectRoot: string): string {
  return env["POWERBENCH_JOURNAL_DIR"] || path.join(projectRoot, ".powerbench", "journals");
}

/** The usage lines of the two flags, appended to the bench's own. */
export const RESTORE_USAGE = `Restore:
  --restore [journal]    put a function back from the journal of a run that did not finish (SIGKILL, lost
                         network), delete the versions it published; without a path: the one unfinished run
  --force                start even though an unfinished run's journal says the function was changed, taking
                         the function as it is now as the original`;

export interface RestoreFlags {
  /** Set when `--restore` was given: the journal path, if one followed it. */
  restore?: { journal?: string };
  force: boolean;
  /** The other arguments, for the bench's own parser. */
  rest: string[];
}

/** Takes `--restore [journal]`, `--restore=<journal>` and `--force` out of the arguments. */
export function splitRestoreFlags(argv: readonly string[]): RestoreFlags {
  const rest: string[] = [];
  let restore: RestoreFlags["restore"];
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--force") force = true;
    else if (arg.startsWith("--restore=")) restore = { journal: arg.slice("--restore=".length) };
    else if (arg === "--restore") {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith("--")) {
        restore = { journal: next };
        i++;
      } else restore = {};
    } else rest.push(arg);
  }
  return { ...(restore ? { restore } : {}), force, rest };
}

export interface RestoreRunResult {
  exitCode: number;
  lines: string[];
}

function pickJournal(
  dir: string,
  given: string | undefined,
): { file: string; journal: RestoreJournal } | RestoreRunResult {
  if (given !== undefined) return { file: given, journal: readJournal(given) };
  const open = listJournals(dir).filter((j) => j.journal.state === "open");
  if (open.length === 0)
    return { exitCode: 0, lines: [`restore: nothing to restore: no unfinished run in ${dir}`] };
  if (open.length > 1) {
    return {
      exitCode: 1,
      lines: [
        `restore: ${open.length} unfinished runs in ${dir}; restore them one at a time, oldest first:`,
        ...open.map(
          (j) =>
            `  ${restoreCommand(j.file)}   (${j.journal.target.functionName}, started ${j.journal.startedAt})`,
        ),
      ],
    };
  }
  return open[0] as { file: string; journal: RestoreJournal };
}

/** Restores the function of one journal. Never throws: the result says what happened and the exit code. */
export async function runRestore(input: { journal?: string; dir: string }): Promise<RestoreRunResult> {
  let picked: ReturnType<typeof pickJournal>;
  try {
    picked = pickJournal(input.dir, input.journal);
  } catch (error) {
    return { exitCode: 1, lines: [`restore: ${describeError(error)}`] };
  }
  if ("exitCode" in picked) return picked;
  const { file, journal } = picked;
  const { target, original } = journal;
  if (journal.state === "closed") {
    return {
      exitCode: 0,
      lines: [
        `restore: ${file} is closed (${journal.closedHow ?? "done"} at ${journal.closedAt}): nothing to do`,
      ],
    };
  }
  if (journal.pid !== process.pid && processAlive(journal.pid)) {
    return {
      exitCode: 1,
      lines: [
        `restore: the run that wrote ${file} (pid ${journal.pid}) is still running: stop it first, then run ${restoreCommand(file)}`,
      ],
    };
  }
  // A named profile is picked the SDK's own way, as the run did.
  if (target.awsProfile && !process.env["AWS_PROFILE"]) process.env["AWS_PROFILE"] = target.awsProfile;
  const stage = {
    name: target.stage,
    region: target.region,
    ...(target.awsEndpoint ? { awsEndpoint: target.awsEndpoint } : {}),
  } as Stage;
  const clients = createAwsClients(stage);
  const loopback =
    target.awsEndpoint !== undefined && /^https?:\/\/(127\.|localhost|\[::1\])/.test(target.awsEndpoint);
  try {
    const outcome = await restoreFunction(
      clients.lambda,
      {
        functionName: target.functionName,
        alias: target.alias,
        original,
        versionTag: journal.versionTag,
        createdVersions: journal.createdVersions,
      },
      { maxWaitS: 120, poll: loopback ? { minDelayS: 0.1, maxDelayS: 1 } : { minDelayS: 1, maxDelayS: 5 } },
    );
    if (outcome.failures.length > 0) {
      return {
        exitCode: 1,
        lines: [
          `restore: ${target.functionName} is not fully restored:`,
          ...outcome.failures.map((f) => `  ${f}`),
          `${outcome.unreachable ? "the Lambda endpoint did not answer; when it does, run" : "run again"}: ${restoreCommand(file)}`,
        ],
      };
    }
    new JournalWriter(file, journal).close("restored");
    return {
      exitCode: 0,
      lines: [
        `restore: ${target.functionName} restored from ${file}: alias ${target.alias} → version ${original.aliasVersion}, ` +
          `MemorySize ${original.memoryMb} MB, ${original.architecture}, environment as it was; ` +
          `deleted ${outcome.deleted.length === 0 ? "no version" : `version(s) ${outcome.deleted.join(", ")}`}`,
      ],
    };
  } finally {
    clients.destroy();
  }
}
