/**
 * The start-up check of a run that keeps a restore journal: an open journal for the same function means a run
 * did not finish. If the function is as that run found it, its journal is closed ("found-restored") and the
 * new run goes on; if not, the new run refuses to take the changed function as its original, unless forced
 * (the old journal is then closed as "forced-aside"). A journal whose process is alive belongs to a run that
 * is still going: refused too.
 */
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { TuningError } from "../errors.ts";
import { differences } from "./restore-function.ts";
import {
  functionKey,
  JournalWriter,
  listJournals,
  processAlive,
  type RestoreJournal,
  restoreCommand,
} from "./restore-journal.ts";

/** An unfinished run's journal says the function was changed: restore it first, or --force. */
export class UnfinishedRunError extends TuningError {
  override name = "UnfinishedRunError";
}

export async function checkUnfinishedRuns(
  client: LambdaClient,
  dir: string,
  target: RestoreJournal["target"],
  force: boolean,
): Promise<void> {
  const key = functionKey(target);
  const name = target.functionName;
  for (const { file, journal: other } of listJournals(dir)) {
    if (other.state !== "open" || functionKey(other.target) !== key) continue;
    // Same name and region in another account (another profile): not the same function.
    if (other.target.functionArn && target.functionArn && other.target.functionArn !== target.functionArn)
      continue;
    if (other.pid !== process.pid && processAlive(other.pid) && !force) {
      throw new UnfinishedRunError(
        `another bench run (pid ${other.pid}, journal ${file}) is changing ${name} now: wait for it to ` +
          `finish, or stop it and restore with \`${restoreCommand(file)}\``,
      );
    }
    const diffs = await differences(client, {
      functionName: other.target.functionName,
      alias: other.target.alias,
      original: other.original,
      versionTag: other.versionTag,
      createdVersions: other.createdVersions,
    });
    if (diffs.length === 0) {
      new JournalWriter(file, other).close("found-restored");
    } else if (force) {
      new JournalWriter(file, other).close("forced-aside");
    } else {
      throw new UnfinishedRunError(
        `an unfinished run (${other.runId}, journal ${file}) left ${name} changed (${diffs.join("; ")}): ` +
          `restore it first with \`${restoreCommand(file)}\`, or add --force to take the function as it is ` +
          "now as the original",
      );
    }
  }
}
