/** The signal soak's figures as Markdown (render first: a string, the script prints it). */

import type { SignalSoakResult } from "./signal-soak.ts";
import { INTERRUPT_KINDS } from "./signal-soak.ts";

export function renderSignalSoak(result: SignalSoakResult, command: string): string {
  const { outcomes } = result;
  const count = (f: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter(f).length;
  const byKind = INTERRUPT_KINDS.map((kind) => {
    const of = outcomes.filter((o) => o.kind === kind);
    const restored = of.filter((o) => o.restoreExit !== undefined).length;
    return `| ${kind} | ${of.length} | ${of.filter((o) => o.injected).length} | ${of.filter((o) => o.journalLeftOpen).length} | ${restored} | ${of.filter((o) => o.ok).length} |`;
  });
  return [
    `    ${command}`,
    "",
    "| interruption | runs | injected | journal left open | `--restore` run | as it began |",
    "| --- | --- | --- | --- | --- | --- |",
    ...byKind,
    "",
    "| figure | value |",
    "| --- | --- |",
    `| runs as they began (configuration, code, environment, aliases, versions) | ${count((o) => o.ok)} of ${outcomes.length} |`,
    `| leftover versions | ${outcomes.reduce((n, o) => n + o.leftoverVersions.length, 0)} |`,
    `| runs with processes left in their group | ${count((o) => o.leftoverProcessGroup)} |`,
    `| start-up check refused a changed function | ${count((o) => o.startupRefused === true)} of ${count((o) => o.startupRefused !== undefined)} |`,
    `| runs that printed the exact \`--restore\` command | ${count((o) => o.printedRestore)} |`,
    `| cgroups of the stage left after it stopped | ${result.cgroupsLeft.length} |`,
    `| wall time | ${(result.wallMs / 1000).toFixed(0)} s |`,
  ].join("\n");
}
