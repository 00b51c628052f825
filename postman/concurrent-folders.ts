/**
 * The top-level folders of a collection run at once, one Newman run each, when the collection declares them
 * independent: every folder makes the ids it uses, cleans up what it created, reads no variable another folder
 * sets and assumes nothing of the table beyond its own items. Run one after the other, each request waits for
 * its answer while the host's CPU has room; run at once, the three folders of our collection take about a third
 * less wall time (docs/perf.md). The declaration is a collection variable, so a user's collection stays
 * sequential unless it says so too. Pure: data in, data out.
 */
import type { GateSummary } from "./gate-outcome.ts";

/** The collection variable that declares the top-level folders independent (value "true"). */
export const CONCURRENT_FOLDERS_VARIABLE = "powerbenchConcurrentFolders";

interface ItemLike {
  name?: unknown;
  item?: unknown;
}
interface CollectionLike {
  item?: unknown[];
  variable?: unknown[];
}

/**
 * The names of the top-level folders to run at once, or undefined to run the collection as one run: the
 * collection declares `powerbenchConcurrentFolders` "true", and it holds at least two top-level items, all of
 * them folders with distinct names (a top-level request would belong to no folder's run; Newman's `folder`
 * option selects by name).
 *
 * @example concurrentFolders(readCollection()) // ["REST CRUD lifecycle", "Command API", "Bad input"]
 */
export function concurrentFolders(collection: CollectionLike): string[] | undefined {
  const declared = (collection.variable ?? []).some((v) => {
    const variable = v as { key?: unknown; value?: unknown; disabled?: unknown };
    return (
      variable.key === CONCURRENT_FOLDERS_VARIABLE &&
      variable.disabled !== true &&
      String(variable.value).trim().toLowerCase() === "true"
    );
  });
  if (!declared) return undefined;
  const items = (collection.item ?? []) as ItemLike[];
  if (items.length < 2 || !items.every((i) => Array.isArray(i.item) && typeof i.name === "string"))
    return undefined;
  const names = items.map((i) => i.name as string);
  return new Set(names).size === names.length ? names : undefined;
}

/**
 * One summary of the folders' runs, as the gate reads it: assertions and failures summed, the response time
 * averaged over every response, the first run error kept.
 */
export function mergeSummaries(summaries: readonly GateSummary[]): GateSummary {
  let responses = 0;
  let responseMsSum = 0;
  for (const summary of summaries) {
    const count = summary.run.stats.requests?.total ?? 0;
    const average = summary.run.timings.responseAverage;
    if (count > 0 && Number.isFinite(average)) {
      responses += count;
      responseMsSum += average * count;
    }
  }
  const error = summaries.find((s) => s.error !== undefined && s.error !== null)?.error;
  const sum = (pick: (s: GateSummary) => number | undefined) =>
    summaries.reduce((n, s) => n + (pick(s) ?? 0), 0);
  return {
    ...(error !== undefined ? { error } : {}),
    run: {
      stats: {
        ...(summaries[0]?.run.stats ?? {}),
        requests: { total: sum((s) => s.run.stats.requests?.total), pending: 0, failed: 0 },
        assertions: {
          total: sum((s) => s.run.stats.assertions.total),
          pending: sum((s) => s.run.stats.assertions.pending),
          failed: sum((s) => s.run.stats.assertions.failed),
        },
      } as GateSummary["run"]["stats"],
      failures: summaries.flatMap((s) => s.run.failures),
      timings: { responseAverage: responses > 0 ? responseMsSum / responses : 0 },
    },
  };
}

const REPORT = /^(<\?xml[^>]*\?>\s*)?<testsuites\b([^>]*?)(\/>|>([\s\S]*)<\/testsuites>)\s*$/;

/**
 * Newman's JUnit reports of the folders' runs as one report: one `<testsuites>` with every folder's
 * `<testsuite>` elements in folder order, `tests` and `time` summed.
 *
 * @example mergeJunitReports([crudXml, commandXml, badInputXml]) // '<?xml …?>\n<testsuites name="…" tests="363" …'
 */
export function mergeJunitReports(reports: readonly string[]): string {
  let declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';
  let name: string | undefined;
  let tests = 0;
  let testsKnown = true;
  let timeS = 0;
  const bodies: string[] = [];
  for (const [index, report] of reports.entries()) {
    const match = REPORT.exec(report.trim());
    if (!match)
      throw new Error(
        `JUnit report ${index + 1} of ${reports.length} is not one <testsuites> element; expected Newman's JUnit reporter's output`,
      );
    if (index === 0 && match[1]) declaration = match[1].trimEnd() + "\n";
    const attributes = match[2] ?? "";
    name ??= /\bname="([^"]*)"/.exec(attributes)?.[1];
    const testCount = Number(/\btests="([^"]*)"/.exec(attributes)?.[1]);
    if (Number.isFinite(testCount)) tests += testCount;
    else testsKnown = false;
    timeS += Number(/\btime="([^"]*)"/.exec(attributes)?.[1]) || 0;
    const body = (match[4] ?? "").replace(/^\n+|\s+$/g, "");
    if (body) bodies.push(body);
  }
  const attributes = `name="${name ?? ""}" tests="${testsKnown ? tests : "unknown"}" time="${timeS.toFixed(3)}"`;
  return bodies.length === 0
    ? `${declaration}<testsuites ${attributes}/>`
    : `${declaration}<testsuites ${attributes}>\n${bodies.join("\n")}\n</testsuites>`;
}
