/**
 * The calibration as text for the terminal and docs/fidelity.md: per reference a table of the emulator
 * beside the published figures, the sources, and the goals. Pure: returns a string.
 */
import type { CalibrationResult } from "./run-calibration.ts";

const ms = (value: number | undefined) => (value === undefined ? "—" : value.toFixed(value < 20 ? 1 : 0));
const ratio = (value: number | undefined) => (value === undefined ? "—" : value.toFixed(2));
const pct = (value: number | undefined) =>
  value === undefined ? "—" : `${value >= 0 ? "+" : ""}${(value * 100).toFixed(0)} %`;

function pad(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => cell.padStart(widths[i] ?? 0)).join("  ");
}

/** Renders the result as Markdown-friendly text (tables as indented code blocks). */
export function renderCalibration(result: CalibrationResult): string {
  const { host, comparison } = result;
  const lines: string[] = [
    `Calibration of the local stage against published AWS Lambda measurements (${result.generatedAt})`,
    `host: ${host.cores} cores, load average ${host.loadAverage.map((l) => l.toFixed(2)).join(" / ")} (1/5/15 min), ` +
      `Node ${host.nodeVersion}, CPU scaling ${host.cpuScaling}; compared with the published ${comparison.architecture} figures`,
    // Older --json results (before the stage's CPU layout was recorded) have none.
    ...(host.stageCpus ? [`stage: ${host.stageCpus}`] : []),
    `emulator figures are medians of ${result.planSummary}; "net" is less each invocation's wait for the host's CPU ` +
      "beyond its quota (HostCpuWait), and ratios are taken on it",
  ];
  if (comparison.hostSpeed) {
    const { emulatorUsPerIteration, publishedUsPerIteration, factor } = comparison.hostSpeed;
    lines.push(
      `host speed: SHA-256 ${emulatorUsPerIteration.toFixed(2)} µs per iteration at 1,769 MB here (least), ` +
        `${publishedUsPerIteration.toFixed(2)} µs published: this host's core runs it ${factor.toFixed(2)}× as fast as a Lambda vCPU`,
    );
  }
  lines.push("");
  for (const table of comparison.tables) {
    lines.push(`${table.id}: ${table.workload}`);
    lines.push(`  ${table.figure}, compared as ${table.compare}; source ${table.source}`);
    const ratioTable = table.compare !== "absolute";
    const header = ratioTable
      ? [
          "MB",
          "emulator ms",
          "min ms",
          "net ms",
          "n",
          "published ms",
          "emulator ratio",
          "published ratio",
          "deviation",
        ]
      : ["MB", "emulator ms", "min ms", "n", "published ms", "emulator / published"];
    const widths = header.map((h) => Math.max(h.length, 8));
    lines.push(`    ${pad(header, widths)}`);
    for (const row of table.rows) {
      const cells = ratioTable
        ? [
            String(row.memoryMb),
            ms(row.emulatorMs),
            ms(row.emulatorMinMs),
            ms(row.emulatorNetMs),
            String(row.samples),
            ms(row.publishedMs),
            ratio(row.emulatorRatio),
            ratio(row.publishedRatio),
            pct(row.deviation),
          ]
        : [
            String(row.memoryMb),
            ms(row.emulatorMs),
            ms(row.emulatorMinMs),
            String(row.samples),
            ms(row.publishedMs),
            row.deviation === undefined ? "—" : `${(row.deviation + 1).toFixed(2)}×`,
          ];
      lines.push(`    ${pad(cells, widths)}`);
    }
    lines.push("");
  }
  lines.push("Goals (docs/fidelity.md):");
  for (const goal of comparison.goals) {
    const verdict = goal.met === undefined ? "not decided" : goal.met ? "met" : "NOT met";
    lines.push(`  ${verdict.padEnd(11)} ${goal.goal}: ${goal.detail}`);
  }
  return `${lines.join("\n")}\n`;
}
