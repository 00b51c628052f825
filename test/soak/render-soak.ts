/** The soak's figures as Markdown (printed by `npm run soak`, pasted into docs/reliability.md). Pure. */
import type { SoakFigures } from "./soak-run.ts";

const mb = (n: number) => n.toFixed(1);

export function soakPassed(f: SoakFigures): boolean {
  const v = f.verify;
  return (
    f.errors === 0 &&
    f.verifyErrors === 0 &&
    f.staleReads === 0 &&
    f.overlappingWrites === 0 &&
    v.lost.length + v.stale.length + v.resurrected.length + v.phantom.length === 0 &&
    v.uncertain === 0 &&
    f.rssFlat
  );
}

export function renderSoakFigures(f: SoakFigures, command: string): string {
  const v = f.verify;
  const ops = Object.entries(f.byOp)
    .map(([op, n]) => `${op} ${n}`)
    .join(", ");
  const statuses = Object.entries(f.byStatus)
    .map(([s, n]) => `${s}: ${n}`)
    .join(", ");
  const rows = f.rss.map(
    (t) =>
      `| ${t.label} | ${t.samples} | ${mb(t.firstMb)} | ${mb(t.lastMb)} | ${mb(t.maxMb)} | ${
        t.slopeMbPerMin === undefined ? "–" : t.slopeMbPerMin.toFixed(2)
      } | ${t.judged ? t.verdict : `${t.verdict} (not judged)`} |`,
  );
  return [
    `## Soak: ${f.durationS} s at ${f.ratePerS} req/s — ${soakPassed(f) ? "PASSED" : "FAILED"}`,
    "",
    `    ${command}`,
    "",
    "| figure | value |",
    "| --- | --- |",
    `| requests | ${f.requests} (${ops}); ${f.skipped} skipped at the in-flight bound |`,
    `| by status | ${statuses} |`,
    `| errors (unexpected status or network) | ${f.errors} (error rate ${(f.errorRate * 100).toFixed(3)} %) |`,
    `| acknowledged writes | ${f.acknowledgedWrites} (unacknowledged ${f.unacknowledgedWrites}, overlapping on one id ${f.overlappingWrites}) |`,
    `| reads during the run that disagreed with the ledger | ${f.staleReads} |`,
    `| ids verified at the end | ${v.checked}: lost ${v.lost.length}, stale ${v.stale.length}, deleted-but-present ${v.resurrected.length}, phantom ${v.phantom.length}, uncertain ${v.uncertain}; read-back errors ${f.verifyErrors} |`,
    `| wall time | ${(f.elapsedMs / 1000).toFixed(1)} s |`,
    "",
    `Memory per stage process: slope of the second half's floor (lowest sample per ${f.bounds.windowMs / 1000} s), bound ${f.bounds.maxSlopeMbPerMin} MB/min, at least ${f.bounds.minWindows} windows:`,
    "",
    "| series | samples | first MB | last MB | max MB | floor slope MB/min (2nd half) | verdict |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
