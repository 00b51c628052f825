/** Reads every message of a log group from the stage's log store (FilterLogEvents, all pages). */
import { LogResourceNotFoundError } from "../../stage/cloudwatch/errors.ts";
import type { LogStore } from "../../stage/cloudwatch/log-store.ts";

export function readLogMessages(logs: LogStore, logGroupName: string): string[] {
  const messages: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const page = logs.filterLogEvents({ logGroupName, ...(nextToken ? { nextToken } : {}) });
      for (const event of page.events) messages.push(event.message);
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    // A group that was never written has no events.
    if (!(error instanceof LogResourceNotFoundError)) throw error;
  }
  return messages;
}
